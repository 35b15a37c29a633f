//! Paged lists with keyset pagination: first, next, previous and last page at any depth,
//! without OFFSET, in any of a fixed list of sort orders, ties broken by id.
//!
//! Every sort key is a non-null SQL expression (nullable columns are wrapped in `coalesce`),
//! so `(key, id) > ($key, $id)` walks the order exactly, and each has an index on
//! `(key, id)` that serves both directions.

mod explain;
mod from_where;
mod search;
mod sorts;

use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::db::auth::Actor;
use crate::db::filter::{Filter, TextSearch, has_search, push_search};
use crate::db::model::{Cursor, EntityKind, EventRow, OrderRow, Row, TicketRow};
use crate::error::DataError;
pub use explain::{explain_page_sql, explain_walk_sql};
use from_where::{Search, push_from_where_with};
pub(crate) use from_where::{push_from_where, push_from_where_searching};
pub(crate) use search::plan_without_bitmap_scans;
use search::search_rows;
pub use sorts::{Sort, SortKey, sort_keys};

/// Narrows a list to the children of one row (drill-down).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    Event(i64),
    Order(i64),
}

/// Which page to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    First,
    Last,
    /// The page after this row.
    After(Cursor),
    /// The page before this row.
    Before(Cursor),
    /// The page starting at this row (a reload that keeps the place).
    From(Cursor),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub kind: EntityKind,
    pub parent: Option<Parent>,
    pub filter: Filter,
    pub sort: Sort,
    pub position: Position,
    pub page_size: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub rows: Vec<Row>,
    pub has_before: bool,
    pub has_after: bool,
    /// Where this page was fetched from, so the screen can number its rows.
    pub position: Position,
}

pub(super) const MAX_PAGE_SIZE: u16 = 500;

/// Fetches one page of `query.kind` as `actor` may see it.
pub async fn fetch_page(
    pool: &PgPool,
    actor: &Actor,
    query: &ListQuery,
) -> Result<Page, DataError> {
    let size = usize::from(query.page_size.clamp(1, MAX_PAGE_SIZE));
    let mut rows = if query.kind != EntityKind::Event && has_search(&query.filter) {
        search_rows(pool, actor, query).await?
    } else {
        run(pool, query.kind, page_sql(actor, query)?).await?
    };
    let has_more = rows.len() > size;
    rows.truncate(size);
    let page = match &query.position {
        Position::First => Page {
            rows,
            has_before: false,
            has_after: has_more,
            position: Position::First,
        },
        Position::From(_) if rows.is_empty() => {
            // The row we were on is gone and nothing follows: show the end instead.
            let last = ListQuery {
                position: Position::Last,
                ..query.clone()
            };
            return Box::pin(fetch_page(pool, actor, &last)).await;
        }
        Position::After(_) | Position::From(_) => Page {
            rows,
            has_before: true,
            has_after: has_more,
            position: query.position.clone(),
        },
        Position::Before(_) if !has_more => {
            // Fewer than a page before: this is the first page; fetch it whole.
            let first = ListQuery {
                position: Position::First,
                ..query.clone()
            };
            return Box::pin(fetch_page(pool, actor, &first)).await;
        }
        Position::Last | Position::Before(_) => {
            // Walked backwards: put the rows back in list order.
            rows.reverse();
            Page {
                rows,
                has_before: has_more,
                has_after: matches!(query.position, Position::Before(_)),
                position: query.position.clone(),
            }
        }
    };
    Ok(page)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    After,
    Before,
    From,
}

/// Runs a page statement and decodes its rows.
pub(super) async fn run<'e, E: sqlx::PgExecutor<'e>>(
    pool: E,
    kind: EntityKind,
    mut sql: QueryBuilder<Postgres>,
) -> Result<Vec<Row>, DataError> {
    Ok(match kind {
        EntityKind::Event => sql
            .build_query_as::<EventRow>()
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(Row::Event)
            .collect(),
        EntityKind::Order => sql
            .build_query_as::<OrderRow>()
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(Row::Order)
            .collect(),
        EntityKind::Ticket => sql
            .build_query_as::<TicketRow>()
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(Row::Ticket)
            .collect(),
    })
}

/// Each order's currency, its event's: one lookup by the batch's event ids (a page's
/// statement reads them itself: `Currency::InStatement`).
async fn add_currencies(pool: &PgPool, rows: &mut [Row]) -> Result<(), DataError> {
    let mut ids: Vec<i64> = rows
        .iter()
        .filter_map(|row| match row {
            Row::Order(order) => Some(order.event_id),
            _ => None,
        })
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    ids.sort_unstable();
    ids.dedup();
    let currencies: std::collections::HashMap<i64, String> =
        sqlx::query_as("SELECT id, currency FROM events WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect();
    for row in rows {
        if let Row::Order(order) = row
            && let Some(currency) = currencies.get(&order.event_id)
        {
            order.currency.clone_from(currency);
        }
    }
    Ok(())
}

/// Where an order list's currency (its event's) is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Currency {
    /// By the statement, for each row it returns: a page's few, looked up after the sort.
    InStatement,
    /// After the statement, in one lookup for all its rows (`add_currencies`): an export's
    /// batch of thousands.
    Apart,
}

/// How a page's statement reads the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// From the position on, however the planner likes.
    FromPosition,
    /// The sort's index walked from the position for at most this many rows, the text
    /// search checked on those only: a common word answers after a page's worth of rows
    /// and a rare one costs at most the budget.
    Walk(i64),
    /// Every match first (through names and codes), then the position: the planner would
    /// otherwise take the position's range on the sort's index, which it cannot estimate,
    /// for the narrower condition (70 ms for page 3 of one buyer's 7,000 orders).
    MatchesFirst,
}

/// The one SQL statement behind a page: `size + 1` rows from `bound` on, in the sort order
/// (walked backwards when `reversed`), read as `reading` says.
#[allow(clippy::too_many_arguments)]
fn keyset_sql(
    prefix: &str,
    actor: &Actor,
    query: &ListQuery,
    sort_key: &SortKey,
    bound: Option<(&Cursor, Bound)>,
    reversed: bool,
    size: u16,
    reading: Reading,
    how: TextSearch,
    currency: Currency,
) -> QueryBuilder<Postgres> {
    let mut sql = QueryBuilder::<Postgres>::new(prefix);
    sql.push(select_list(query.kind));
    if query.kind == EntityKind::Order && currency == Currency::InStatement {
        // A subquery rather than a join: PostgreSQL evaluates it after the sort and the
        // limit, for the page's rows only, and the list's own plan is left as it was.
        sql.push(", (SELECT ev.currency FROM events ev WHERE ev.id = o.event_id) AS currency");
    }
    sql.push(", (")
        .push(sort_key.sql)
        .push(")::text AS sort_key");
    let descending = query.sort.descending != reversed;
    let alias = &id_column(query.kind)[..1];
    if reading != Reading::FromPosition {
        sql.push(" FROM (SELECT ").push(inner_columns(query.kind));
    }
    if let Reading::Walk(_) = reading {
        // The walk's order as a column of its own, which the outer ORDER BY names: then
        // PostgreSQL knows the walked rows come in that order and stops at the page's last
        // match. Ordered by an expression of the outer columns instead (Checked in's
        // coalesce), it sorted all 8,000 walked rows first (/dijkstra: 17 ms, not 3).
        sql.push(", ").push(sort_key.sql).push(" AS walk_key");
    }
    let search = match reading {
        Reading::Walk(_) => Search::Left,
        _ => Search::Included(how),
    };
    push_from_where_with(
        &mut sql,
        actor,
        query.kind,
        query.parent,
        &query.filter,
        search,
    );
    match reading {
        Reading::FromPosition => push_bound(&mut sql, query.kind, sort_key, bound, descending),
        Reading::Walk(rows) => {
            push_bound(&mut sql, query.kind, sort_key, bound, descending);
            push_order(&mut sql, query.kind, sort_key.sql, descending);
            sql.push(" LIMIT ").push_bind(rows);
            sql.push(") AS ").push(alias).push(" WHERE true");
            push_search(&mut sql, query.kind, &query.filter, TextSearch::Checked);
        }
        Reading::MatchesFirst => {
            // OFFSET 0 keeps the planner from moving the position into the matches' scan.
            sql.push(" OFFSET 0) AS ").push(alias).push(" WHERE true");
            push_bound(&mut sql, query.kind, sort_key, bound, descending);
        }
    }
    let order_by = match reading {
        Reading::Walk(_) => "walk_key",
        _ => sort_key.sql,
    };
    push_order(&mut sql, query.kind, order_by, descending);
    let limit = i64::from(size) + 1;
    if query.filter.is_empty() {
        // A plain list's plan is the same wherever the page starts, so PostgreSQL may keep
        // it, but only if it can cost it: with the limit a parameter it takes a generic
        // plan for a tenth of the table and plans the statement again at every page (0.18 ms
        // of planning for 0.07 of execution; benches/README.md "Session 15"). A number of
        // ours, not the user's. A filtered list's plan depends on its values: planned each
        // time, as before.
        sql.push(" LIMIT ").push(limit);
    } else {
        sql.push(" LIMIT ").push_bind(limit);
    }
    sql
}

/// ` AND (sort, id) > (cursor)` (or `<`, `>=`, `<=` by direction and bound).
fn push_bound(
    sql: &mut QueryBuilder<Postgres>,
    kind: EntityKind,
    sort_key: &SortKey,
    bound: Option<(&Cursor, Bound)>,
    descending: bool,
) {
    if let Some((cursor, bound)) = bound {
        let forward = !descending;
        let op = match (bound, forward) {
            (Bound::From, true) => ">=",
            (Bound::From, false) => "<=",
            (_, true) => ">",
            (_, false) => "<",
        };
        sql.push(" AND (")
            .push(sort_key.sql)
            .push(", ")
            .push(id_column(kind))
            .push(") ");
        sql.push(op).push(" (").push_bind(cursor.key.clone());
        sql.push("::")
            .push(sort_key.sql_type)
            .push(", ")
            .push_bind(cursor.id)
            .push(")");
    }
}

/// ` ORDER BY <key> <direction>, <id> <direction>`.
fn push_order(sql: &mut QueryBuilder<Postgres>, kind: EntityKind, key: &str, descending: bool) {
    let direction = if descending { "DESC" } else { "ASC" };
    sql.push(" ORDER BY ").push(key).push(" ").push(direction);
    sql.push(", ")
        .push(id_column(kind))
        .push(" ")
        .push(direction);
}

/// The statement `fetch_page` runs for `query` (first, next, previous, last or reload page).
pub fn page_sql(actor: &Actor, query: &ListQuery) -> Result<QueryBuilder<Postgres>, DataError> {
    statement("SELECT ", actor, query)
}

/// `page_sql` with the text search found `how` (see `filter::through_names`).
pub(super) fn searching_page_sql(
    actor: &Actor,
    query: &ListQuery,
    reading: Reading,
    how: TextSearch,
) -> Result<QueryBuilder<Postgres>, DataError> {
    searching_statement("SELECT ", actor, query, reading, how)
}

fn searching_statement(
    prefix: &str,
    actor: &Actor,
    query: &ListQuery,
    reading: Reading,
    how: TextSearch,
) -> Result<QueryBuilder<Postgres>, DataError> {
    walking_statement(
        prefix,
        actor,
        query,
        query.page_size.clamp(1, MAX_PAGE_SIZE),
        reading,
        how,
        Currency::InStatement,
    )
}

/// Rows of `query` from its position on, `size` at most (up to `MAX_BATCH`), in list order:
/// what an export walks through, batch after batch, with the list's own statement.
pub async fn fetch_batch(
    pool: &PgPool,
    actor: &Actor,
    query: &ListQuery,
    size: u16,
) -> Result<Vec<Row>, DataError> {
    let mut rows = run(
        pool,
        query.kind,
        walking_statement(
            "SELECT ",
            actor,
            query,
            size.clamp(1, MAX_BATCH),
            Reading::FromPosition,
            TextSearch::ThroughNamesAndCodes,
            Currency::Apart,
        )?,
    )
    .await?;
    rows.truncate(usize::from(size));
    add_currencies(pool, &mut rows).await?;
    Ok(rows)
}

/// The largest batch `fetch_batch` reads at once.
pub const MAX_BATCH: u16 = 10_000;

fn statement(
    prefix: &str,
    actor: &Actor,
    query: &ListQuery,
) -> Result<QueryBuilder<Postgres>, DataError> {
    walking_statement(
        prefix,
        actor,
        query,
        query.page_size.clamp(1, MAX_PAGE_SIZE),
        Reading::FromPosition,
        TextSearch::ThroughNamesAndCodes,
        Currency::InStatement,
    )
}

pub(super) fn walking_statement(
    prefix: &str,
    actor: &Actor,
    query: &ListQuery,
    size: u16,
    reading: Reading,
    how: TextSearch,
    currency: Currency,
) -> Result<QueryBuilder<Postgres>, DataError> {
    let sort_key = sort_keys(query.kind)
        .get(query.sort.key)
        .ok_or_else(|| DataError::Invalid("no such sort column".into()))?;
    let (bound, reversed) = match &query.position {
        Position::First => (None, false),
        Position::Last => (None, true),
        Position::After(cursor) => (Some((cursor, Bound::After)), false),
        Position::From(cursor) => (Some((cursor, Bound::From)), false),
        Position::Before(cursor) => (Some((cursor, Bound::Before)), true),
    };
    Ok(keyset_sql(
        prefix, actor, query, sort_key, bound, reversed, size, reading, how, currency,
    ))
}

fn id_column(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Event => "e.id",
        EntityKind::Order => "o.id",
        EntityKind::Ticket => "t.id",
    }
}

/// An order list's columns (a macro, so that `inner_columns` can extend the literal).
macro_rules! order_list {
    () => {
        "o.id, o.code, o.created_at, o.status, o.total_cents, o.buyer_email, o.event_id, o.event_title"
    };
}

/// What the inner statement of a walk or of matches-first passes on: for tickets and orders
/// their listed columns, and what their sorts and their searched text use, only, so that the
/// matches can be read from the holder or buyer index alone (migrations 0025, 0026); the
/// whole row for events.
fn inner_columns(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Ticket => select_list(kind),
        EntityKind::Order => concat!(order_list!(), ", o.buyer_name"),
        EntityKind::Event => "e.*",
    }
}

fn select_list(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Event => {
            "e.id, e.starts_at, e.ends_at, e.title, e.venue, u.name AS organizer, e.time_zone, e.currency"
        }
        EntityKind::Order => order_list!(),
        EntityKind::Ticket => {
            "t.id, t.code, t.status, t.holder_name, t.type_name, t.order_code, t.checked_in_at"
        }
    }
}
