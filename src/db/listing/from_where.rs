//! The `FROM ... WHERE` of a list: which rows it holds, for pages, counts and details alike.

use sqlx::{Postgres, QueryBuilder};

use super::Parent;
use crate::db::auth::Actor;
use crate::db::filter::{Filter, TextSearch, push_conditions, push_conditions_and_search};
use crate::db::model::EntityKind;
use crate::db::scope::push_scope;

/// `FROM ... WHERE <live> <scope> <parent> <filter>` for a kind: shared by pages, counts and
/// details, so they always agree on which rows a list holds.
pub(crate) fn push_from_where(
    sql: &mut QueryBuilder<Postgres>,
    actor: &Actor,
    kind: EntityKind,
    parent: Option<Parent>,
    filter: &Filter,
) {
    push_from_where_with(
        sql,
        actor,
        kind,
        parent,
        filter,
        Search::Included(TextSearch::ThroughNamesAndCodes),
    );
}

/// `push_from_where` with the text search written `how` (see `filter::through_names`).
pub(crate) fn push_from_where_searching(
    sql: &mut QueryBuilder<Postgres>,
    actor: &Actor,
    kind: EntityKind,
    parent: Option<Parent>,
    filter: &Filter,
    how: TextSearch,
) {
    push_from_where_with(sql, actor, kind, parent, filter, Search::Included(how));
}

/// Whether `push_from_where_with` adds the filter's text search too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Search {
    Included(TextSearch),
    Left,
}

pub(super) fn push_from_where_with(
    sql: &mut QueryBuilder<Postgres>,
    actor: &Actor,
    kind: EntityKind,
    parent: Option<Parent>,
    filter: &Filter,
    search: Search,
) {
    match kind {
        EntityKind::Event => {
            sql.push(
                " FROM events e JOIN users u ON u.id = e.organizer_id WHERE e.deleted_at IS NULL",
            );
        }
        // Orders and tickets carry copies of what they show (migration 0002), so their lists
        // join nothing: a search or a top-N sort never drags millions of rows through joins.
        EntityKind::Order => {
            sql.push(" FROM orders o WHERE o.deleted_at IS NULL");
        }
        EntityKind::Ticket => {
            sql.push(" FROM tickets t WHERE t.deleted_at IS NULL");
        }
    }
    push_scope(sql, actor, kind);
    match (kind, parent) {
        (EntityKind::Order, Some(Parent::Event(id))) => {
            sql.push(" AND o.event_id = ").push_bind(id);
        }
        (EntityKind::Ticket, Some(Parent::Order(id))) => {
            sql.push(" AND t.order_id = ").push_bind(id);
        }
        (EntityKind::Ticket, Some(Parent::Event(id))) => {
            sql.push(" AND t.order_id = ANY(ARRAY(SELECT id FROM orders WHERE deleted_at IS NULL AND event_id = ")
                .push_bind(id)
                .push("))");
        }
        _ => {}
    }
    match search {
        Search::Included(how) => push_conditions_and_search(sql, kind, filter, how),
        Search::Left => push_conditions(sql, kind, filter),
    }
}
