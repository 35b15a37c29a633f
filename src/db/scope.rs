//! Role scoping of reads (DESIGN.md "Roles"): the one place that decides which rows a
//! signed-in user may see. Every list, count and detail query goes through it.

use sqlx::{Postgres, QueryBuilder};

use crate::db::auth::{Actor, Role};
use crate::db::model::EntityKind;

/// Appends ` AND <condition>` limiting `kind` to what `actor` may see. The queries alias
/// events `e` and orders `o` (tickets are always joined to their order and event).
pub fn push_scope(query: &mut QueryBuilder<Postgres>, actor: &Actor, kind: EntityKind) {
    match (actor.role, kind) {
        (Role::Admin | Role::Support | Role::Staff, _) => {}
        (Role::Customer, EntityKind::Event) => {}
        (Role::Organizer, _) => {
            query.push(" AND e.organizer_id = ").push_bind(actor.id);
        }
        (Role::Customer, EntityKind::Order | EntityKind::Ticket) => {
            query.push(" AND o.user_id = ").push_bind(actor.id);
        }
    }
}
