//! The detail pane's data: one row and its related rows. The row itself is read through the
//! same scoped `FROM ... WHERE` as the lists, so a detail is never wider than the list.
//!
//! A detail is one statement: the related rows come as JSON arrays beside the row. It is
//! read on every move of the selection (every paging key of every SSH session), and each
//! statement more was a pool checkout and a round trip more (benches/README.md "Session 15").

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::db::auth::{Actor, Role};
use crate::db::filter::Filter;
use crate::db::listing::push_from_where;
use crate::db::model::{EntityKind, OrderStatus, ScanResult, TicketStatus};
use crate::error::DataError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Event(EventDetail),
    Order(OrderDetail),
    Ticket(TicketDetail),
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventSummary {
    pub id: i64,
    pub title: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub description: String,
    pub organizer: String,
    pub organizer_email: String,
    pub time_zone: String,
    /// What its tickets are sold in (ISO 4217).
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct TicketTypeLine {
    pub name: String,
    pub price_cents: i64,
    pub sold: i32,
    pub quantity: i32,
    pub checked_in: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDetail {
    pub event: EventSummary,
    pub ticket_types: Vec<TicketTypeLine>,
    /// Orders by status; empty for roles that may not see this event's orders.
    pub orders_by_status: Vec<(OrderStatus, i64)>,
    pub history: Vec<HistoryLine>,
}

/// One change of the row, from the audit log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct HistoryLine {
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor: Option<String>,
    /// For an update: the fields it changed ("title, venue").
    pub changed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderSummary {
    pub id: i64,
    pub code: String,
    pub status: OrderStatus,
    pub total_cents: i64,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub buyer_name: String,
    pub buyer_email: String,
    pub event_title: String,
    pub event_starts_at: DateTime<Utc>,
    /// The event's zone: its start is shown on its clock.
    pub event_time_zone: String,
    /// The event's currency, which the money is in.
    pub event_currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct TicketLine {
    pub code: String,
    pub type_name: String,
    pub holder_name: String,
    pub status: TicketStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDetail {
    pub order: OrderSummary,
    pub tickets: Vec<TicketLine>,
    pub history: Vec<HistoryLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TicketSummary {
    pub id: i64,
    pub code: String,
    pub status: TicketStatus,
    pub holder_name: String,
    pub type_name: String,
    pub price_cents: i64,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub order_code: String,
    pub order_status: OrderStatus,
    pub event_title: String,
    pub event_starts_at: DateTime<Utc>,
    /// The event's zone: its start is shown on its clock.
    pub event_time_zone: String,
    /// The event's currency, which the money is in.
    pub event_currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct ScanLine {
    pub at: DateTime<Utc>,
    pub result: ScanResult,
    pub terminal: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDetail {
    pub ticket: TicketSummary,
    pub scans: Vec<ScanLine>,
    pub history: Vec<HistoryLine>,
}

pub async fn fetch_detail(
    pool: &PgPool,
    actor: &Actor,
    kind: EntityKind,
    id: i64,
) -> Result<Detail, DataError> {
    match kind {
        EntityKind::Event => event_detail(pool, actor, id).await.map(Detail::Event),
        EntityKind::Order => order_detail(pool, actor, id).await.map(Detail::Order),
        EntityKind::Ticket => ticket_detail(pool, actor, id).await.map(Detail::Ticket),
    }
}

/// The row of `sql` (a select with its FROM, no WHERE) whose `id_column` is `id`, if it is
/// in the list `actor` may see: the list's own scoped statement decides.
async fn fetch_scoped<T>(
    mut sql: QueryBuilder<Postgres>,
    pool: &PgPool,
    actor: &Actor,
    kind: EntityKind,
    id_column: &str,
    id: i64,
) -> Result<T, DataError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sql.push(" WHERE ")
        .push(id_column)
        .push(" = ")
        .push_bind(id);
    sql.push(" AND ")
        .push(id_column)
        .push(" IN (SELECT ")
        .push(id_column);
    push_from_where(&mut sql, actor, kind, None, &Filter::default());
    sql.push(")");
    sql.build_query_as()
        .fetch_optional(pool)
        .await?
        .ok_or(DataError::NotFound)
}

#[derive(sqlx::FromRow)]
struct EventDetailRow {
    #[sqlx(flatten)]
    event: EventSummary,
    ticket_types: Json<Vec<TicketTypeLine>>,
    orders_by_status: Json<Vec<(OrderStatus, i64)>>,
    history: Json<Vec<HistoryLine>>,
}

async fn event_detail(pool: &PgPool, actor: &Actor, id: i64) -> Result<EventDetail, DataError> {
    let mut sql = QueryBuilder::<Postgres>::new(
        "SELECT e.id, e.title, e.venue, e.starts_at, e.ends_at, e.description, \
         u.name AS organizer, u.email AS organizer_email, e.time_zone, e.currency, \
         (SELECT coalesce(json_agg(json_build_object( \
                   'name', tt.name, 'price_cents', tt.price_cents, \
                   'sold', seats_sold(tt.id, tt.sold), 'quantity', tt.quantity, \
                   'checked_in', (SELECT count(*) FROM tickets t \
                                  WHERE t.ticket_type_id = tt.id AND t.status = 'checked_in' \
                                    AND t.deleted_at IS NULL)) ORDER BY tt.id), '[]') \
          FROM ticket_types tt WHERE tt.event_id = e.id AND tt.deleted_at IS NULL) \
         AS ticket_types, ",
    );
    // Customers see events but not other people's orders of them.
    if actor.role == Role::Customer {
        sql.push("'[]'::json");
    } else {
        sql.push(
            "(SELECT coalesce(json_agg(json_build_array(s.status, s.count) ORDER BY s.status), '[]') \
              FROM (SELECT status, count(*) FROM orders \
                    WHERE event_id = e.id AND deleted_at IS NULL GROUP BY status) s)",
        );
    }
    sql.push(" AS orders_by_status, ");
    push_history(&mut sql, "event", "e.id");
    sql.push(" FROM events e JOIN users u ON u.id = e.organizer_id");
    let row: EventDetailRow = fetch_scoped(sql, pool, actor, EntityKind::Event, "e.id", id).await?;
    Ok(EventDetail {
        event: row.event,
        ticket_types: row.ticket_types.0,
        orders_by_status: row.orders_by_status.0,
        history: row.history.0,
    })
}

#[derive(sqlx::FromRow)]
struct OrderDetailRow {
    #[sqlx(flatten)]
    order: OrderSummary,
    tickets: Json<Vec<TicketLine>>,
    history: Json<Vec<HistoryLine>>,
}

async fn order_detail(pool: &PgPool, actor: &Actor, id: i64) -> Result<OrderDetail, DataError> {
    let mut sql = QueryBuilder::<Postgres>::new(
        "SELECT o.id, o.code, o.status, o.total_cents, o.note, o.created_at, \
         o.buyer_name, o.buyer_email, e.title AS event_title, \
         e.starts_at AS event_starts_at, e.time_zone AS event_time_zone, \
         e.currency AS event_currency, \
         (SELECT coalesce(json_agg(json_build_object( \
                   'code', t.code, 'type_name', tt.name, 'holder_name', t.holder_name, \
                   'status', t.status) ORDER BY t.id), '[]') \
          FROM tickets t JOIN ticket_types tt ON tt.id = t.ticket_type_id \
          WHERE t.order_id = o.id AND t.deleted_at IS NULL) AS tickets, ",
    );
    push_history(&mut sql, "order", "o.id");
    sql.push(" FROM orders o JOIN events e ON e.id = o.event_id");
    let row: OrderDetailRow = fetch_scoped(sql, pool, actor, EntityKind::Order, "o.id", id).await?;
    Ok(OrderDetail {
        order: row.order,
        tickets: row.tickets.0,
        history: row.history.0,
    })
}

#[derive(sqlx::FromRow)]
struct TicketDetailRow {
    #[sqlx(flatten)]
    ticket: TicketSummary,
    scans: Json<Vec<ScanLine>>,
    history: Json<Vec<HistoryLine>>,
}

async fn ticket_detail(pool: &PgPool, actor: &Actor, id: i64) -> Result<TicketDetail, DataError> {
    let mut sql = QueryBuilder::<Postgres>::new(
        "SELECT t.id, t.code, t.status, t.holder_name, t.type_name, \
         (SELECT price_cents FROM ticket_types WHERE id = t.ticket_type_id) AS price_cents, \
         t.checked_in_at, o.code AS order_code, o.status AS order_status, \
         e.title AS event_title, e.starts_at AS event_starts_at, e.time_zone AS event_time_zone, \
         e.currency AS event_currency, \
         (SELECT coalesce(json_agg(s ORDER BY s.at DESC, s.id DESC), '[]') \
          FROM (SELECT id, at, result, terminal FROM scans WHERE ticket_id = t.id \
                ORDER BY at DESC, id DESC LIMIT 20) s) AS scans, ",
    );
    push_history(&mut sql, "ticket", "t.id");
    sql.push(
        " FROM tickets t JOIN orders o ON o.id = t.order_id JOIN events e ON e.id = o.event_id",
    );
    let row: TicketDetailRow =
        fetch_scoped(sql, pool, actor, EntityKind::Ticket, "t.id", id).await?;
    Ok(TicketDetail {
        ticket: row.ticket,
        scans: row.scans.0,
        history: row.history.0,
    })
}

/// The latest changes of the row whose id is `id_column` of the outer statement, as a JSON
/// array of `HistoryLine`s named `history`. An event's history takes in its ticket types'
/// changes too ("ticket type update (price)"): they have no detail pane of their own.
fn push_history(sql: &mut QueryBuilder<Postgres>, entity: &'static str, id_column: &str) {
    sql.push(
        "(SELECT coalesce(json_agg(h ORDER BY h.at DESC, h.id DESC), '[]') FROM ( \
           SELECT a.id, a.at, \
             CASE WHEN a.entity = ",
    )
    .push_bind(entity)
    .push(
        " THEN a.action ELSE replace(a.entity, '_', ' ') || ' ' || a.action END AS action, \
             u.name AS actor, \
             (SELECT string_agg(replace(k.key, '_', ' '), ', ' ORDER BY k.key) \
              FROM jsonb_each(a.after) AS k \
              WHERE jsonb_typeof(a.before) = 'object' AND k.key <> 'updated_at' \
                AND a.before -> k.key IS DISTINCT FROM k.value) AS changed \
           FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
           WHERE (a.entity = ",
    )
    .push_bind(entity)
    .push(" AND a.entity_id = ")
    .push(id_column)
    .push(")");
    if entity == "event" {
        sql.push(" OR (a.entity = 'ticket_type' AND a.entity_id IN (SELECT tt.id FROM ticket_types tt WHERE tt.event_id = ")
            .push(id_column)
            .push("))");
    }
    sql.push(" ORDER BY a.at DESC, a.id DESC LIMIT 8) h) AS history");
}
