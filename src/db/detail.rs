//! The detail pane's data: one row and its related rows. The row itself is read through the
//! same scoped `FROM ... WHERE` as the lists, so a detail is never wider than the list.

use chrono::{DateTime, Utc};
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

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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

/// `select` (which names its own FROM and joins) for the row `id`, if it is in the list
/// `actor` may see: the list's own scoped statement decides.
fn scoped(
    select: &str,
    actor: &Actor,
    kind: EntityKind,
    id_column: &str,
    id: i64,
) -> QueryBuilder<Postgres> {
    let mut sql = QueryBuilder::<Postgres>::new(select);
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
    sql
}

async fn event_detail(pool: &PgPool, actor: &Actor, id: i64) -> Result<EventDetail, DataError> {
    let event: EventSummary = scoped(
        "SELECT e.id, e.title, e.venue, e.starts_at, e.ends_at, e.description, \
         u.name AS organizer, u.email AS organizer_email, e.time_zone, e.currency \
         FROM events e JOIN users u ON u.id = e.organizer_id",
        actor,
        EntityKind::Event,
        "e.id",
        id,
    )
    .build_query_as()
    .fetch_optional(pool)
    .await?
    .ok_or(DataError::NotFound)?;
    let ticket_types = sqlx::query_as(
        "SELECT tt.name, tt.price_cents, seats_sold(tt.id, tt.sold) AS sold, tt.quantity, \
                (SELECT count(*) FROM tickets t \
                 WHERE t.ticket_type_id = tt.id AND t.status = 'checked_in' \
                   AND t.deleted_at IS NULL) AS checked_in \
         FROM ticket_types tt WHERE tt.event_id = $1 AND tt.deleted_at IS NULL ORDER BY tt.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    // Customers see events but not other people's orders of them.
    let orders_by_status = if actor.role == Role::Customer {
        Vec::new()
    } else {
        sqlx::query_as(
            "SELECT status, count(*) FROM orders WHERE event_id = $1 AND deleted_at IS NULL \
             GROUP BY status ORDER BY status",
        )
        .bind(id)
        .fetch_all(pool)
        .await?
    };
    Ok(EventDetail {
        event,
        ticket_types,
        orders_by_status,
        history: history(pool, "event", id).await?,
    })
}

async fn order_detail(pool: &PgPool, actor: &Actor, id: i64) -> Result<OrderDetail, DataError> {
    let order: OrderSummary = scoped(
        "SELECT o.id, o.code, o.status, o.total_cents, o.note, o.created_at, \
         o.buyer_name, o.buyer_email, e.title AS event_title, \
         e.starts_at AS event_starts_at, e.time_zone AS event_time_zone, \
         e.currency AS event_currency \
         FROM orders o JOIN events e ON e.id = o.event_id",
        actor,
        EntityKind::Order,
        "o.id",
        id,
    )
    .build_query_as()
    .fetch_optional(pool)
    .await?
    .ok_or(DataError::NotFound)?;
    let tickets = sqlx::query_as(
        "SELECT t.code, tt.name AS type_name, t.holder_name, t.status \
         FROM tickets t JOIN ticket_types tt ON tt.id = t.ticket_type_id \
         WHERE t.order_id = $1 AND t.deleted_at IS NULL ORDER BY t.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(OrderDetail {
        order,
        tickets,
        history: history(pool, "order", id).await?,
    })
}

async fn ticket_detail(pool: &PgPool, actor: &Actor, id: i64) -> Result<TicketDetail, DataError> {
    let ticket: TicketSummary = scoped(
        "SELECT t.id, t.code, t.status, t.holder_name, t.type_name, \
         (SELECT price_cents FROM ticket_types WHERE id = t.ticket_type_id) AS price_cents, \
         t.checked_in_at, o.code AS order_code, o.status AS order_status, \
         e.title AS event_title, e.starts_at AS event_starts_at, e.time_zone AS event_time_zone, \
         e.currency AS event_currency \
         FROM tickets t JOIN orders o ON o.id = t.order_id JOIN events e ON e.id = o.event_id",
        actor,
        EntityKind::Ticket,
        "t.id",
        id,
    )
    .build_query_as()
    .fetch_optional(pool)
    .await?
    .ok_or(DataError::NotFound)?;
    let scans = sqlx::query_as(
        "SELECT at, result, terminal FROM scans WHERE ticket_id = $1 ORDER BY at DESC, id DESC LIMIT 20",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(TicketDetail {
        ticket,
        scans,
        history: history(pool, "ticket", id).await?,
    })
}

/// The latest changes of one row (the caller has checked the row is the actor's to see). An
/// event's history takes in its ticket types' changes too ("ticket type update (price)"):
/// they have no detail pane of their own.
async fn history(pool: &PgPool, entity: &str, id: i64) -> Result<Vec<HistoryLine>, DataError> {
    Ok(sqlx::query_as(
        "SELECT a.at, \
           CASE WHEN a.entity = $1 THEN a.action \
                ELSE replace(a.entity, '_', ' ') || ' ' || a.action END AS action, \
           u.name AS actor, \
           (SELECT string_agg(replace(k.key, '_', ' '), ', ' ORDER BY k.key) \
            FROM jsonb_each(a.after) AS k \
            WHERE jsonb_typeof(a.before) = 'object' AND k.key <> 'updated_at' \
              AND a.before -> k.key IS DISTINCT FROM k.value) AS changed \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
         WHERE (a.entity = $1 AND a.entity_id = $2) \
            OR ($1 = 'event' AND a.entity = 'ticket_type' \
                AND a.entity_id IN (SELECT tt.id FROM ticket_types tt WHERE tt.event_id = $2)) \
         ORDER BY a.at DESC, a.id DESC LIMIT 8",
    )
    .bind(entity)
    .bind(id)
    .fetch_all(pool)
    .await?)
}
