//! Role scoping of reads (DESIGN.md "Roles"): the one place that decides which rows a
//! signed-in user may see. Every list, count and detail query goes through it.

use sqlx::{Postgres, QueryBuilder};

use crate::db::auth::{Actor, Role};
use crate::db::model::EntityKind;

/// Appends ` AND <condition>` limiting `kind` to what `actor` may see. The lists alias
/// events `e`, orders `o` and tickets `t`, and join nothing they do not show: the scope names
/// the allowed parents as a set, so the planner can start from the few rows a scope allows.
pub fn push_scope(query: &mut QueryBuilder<Postgres>, actor: &Actor, kind: EntityKind) {
    match (actor.role, kind) {
        (Role::Admin | Role::Support | Role::Staff, _) => {}
        (Role::Customer, EntityKind::Event) => {}
        (Role::Organizer, EntityKind::Event) => {
            query.push(" AND e.organizer_id = ").push_bind(actor.id);
        }
        (Role::Organizer, EntityKind::Order) => {
            query
                .push(" AND o.event_id = ANY(ARRAY(SELECT id FROM events WHERE deleted_at IS NULL AND organizer_id = ")
                .push_bind(actor.id)
                .push("))");
        }
        (Role::Organizer, EntityKind::Ticket) => {
            query
                .push(
                    // Partial indexes serve only queries that say `deleted_at IS NULL`.
                    " AND t.order_id = ANY(ARRAY(SELECT id FROM orders WHERE deleted_at IS NULL \
                     AND event_id = ANY(ARRAY(SELECT id FROM events WHERE deleted_at IS NULL AND organizer_id = ",
                )
                .push_bind(actor.id)
                .push("))))");
        }
        (Role::Customer, EntityKind::Order) => {
            query.push(" AND o.user_id = ").push_bind(actor.id);
        }
        (Role::Customer, EntityKind::Ticket) => {
            query
                .push(" AND t.order_id = ANY(ARRAY(SELECT id FROM orders WHERE deleted_at IS NULL AND user_id = ")
                .push_bind(actor.id)
                .push("))");
        }
    }
}
