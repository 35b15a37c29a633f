//! Soft delete, the trash, restore and purge (DESIGN.md "Soft delete and trash").
//!
//! A delete marks a row and its children deleted in one batch (`trash_batches`); restoring
//! the batch brings back exactly those rows, unless a live row now holds one of their unique
//! values, in which case nothing changes and the message says which. Purge (admins) removes
//! the batch's rows for good and gives their seats back.
//!
//! `list.rs` reads the trash (with its filter); `restore.rs` brings a batch back or purges it.

mod list;
mod restore;

pub use list::{TrashFilter, list, parse_filter};
pub use restore::{purge, restore};

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::db::audit;
use crate::db::auth::{Actor, Role};
use crate::db::permissions::Write;
use crate::error::DataError;

/// What can be moved to the trash from the lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Event(i64),
    /// From an event's ticket types (`t`, then `d`): only while no live ticket names it.
    TicketType(i64),
    Order(i64),
    Ticket(i64),
}

/// What a delete would take with it, for the confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub label: String,
    pub ticket_types: i64,
    pub orders: i64,
    pub tickets: i64,
}

impl Preview {
    /// "event “Jazz Night” with 2 ticket types, 40 orders and 97 tickets"
    pub fn describe(&self) -> String {
        let mut parts = self.parts();
        match parts.len() {
            0 => self.label.clone(),
            1 => format!("{} with {}", self.label, parts[0]),
            _ => {
                let last = parts.pop().unwrap_or_default();
                format!("{} with {} and {last}", self.label, parts.join(", "))
            }
        }
    }

    /// What went with it, counted: ["2 ticket types", "1 order", "3 tickets"].
    pub fn parts(&self) -> Vec<String> {
        [
            (self.ticket_types, "ticket type", "ticket types"),
            (self.orders, "order", "orders"),
            (self.tickets, "ticket", "tickets"),
        ]
        .into_iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many)| crate::db::model::count_of(n, one, many))
        .collect()
    }
}

impl TrashEntry {
    /// The batch as the confirmation of its delete described it.
    pub fn contents(&self) -> Preview {
        let count = |key: &str| {
            self.children
                .get(key)
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0)
        };
        Preview {
            label: self.label.clone(),
            ticket_types: count("ticket_types"),
            orders: count("orders"),
            tickets: count("tickets"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TrashEntry {
    pub id: i64,
    pub kind: String,
    pub entity_id: i64,
    pub label: String,
    pub children: serde_json::Value,
    pub deleted_at: DateTime<Utc>,
    pub deleted_by: Option<String>,
}

/// The event a target belongs to, its organizer, and its label.
async fn owner(conn: &mut PgConnection, target: Target) -> Result<(i64, i64, String), DataError> {
    let row: Option<(i64, i64, String)> = match target {
        Target::Event(id) => sqlx::query_as(
            "SELECT e.id, e.organizer_id, 'event “' || e.title || '”' FROM events e \
             WHERE e.id = $1 AND e.deleted_at IS NULL FOR UPDATE",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?,
        Target::TicketType(id) => sqlx::query_as(
            "SELECT e.id, e.organizer_id, 'ticket type “' || tt.name || '” of “' || e.title || '”' \
             FROM ticket_types tt JOIN events e ON e.id = tt.event_id \
             WHERE tt.id = $1 AND tt.deleted_at IS NULL FOR UPDATE OF tt",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?,
        Target::Order(id) => sqlx::query_as(
            "SELECT e.id, e.organizer_id, 'order ' || o.code FROM orders o JOIN events e ON e.id = o.event_id \
             WHERE o.id = $1 AND o.deleted_at IS NULL FOR UPDATE OF o",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?,
        Target::Ticket(id) => sqlx::query_as(
            "SELECT e.id, e.organizer_id, 'ticket ' || t.code FROM tickets t \
             JOIN orders o ON o.id = t.order_id JOIN events e ON e.id = o.event_id \
             WHERE t.id = $1 AND t.deleted_at IS NULL FOR UPDATE OF t",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?,
    };
    row.ok_or(DataError::NotFound)
}

fn may_delete(actor: &Actor, target: Target, organizer: i64) -> Result<(), DataError> {
    // Events and ticket types go with managing events; orders and tickets with managing orders.
    let write = match target {
        Target::Event(_) | Target::TicketType(_) => Write::ManageEvents,
        Target::Order(_) | Target::Ticket(_) => Write::ManageOrders,
    };
    write.check(actor)?;
    if actor.role == Role::Organizer && organizer != actor.id {
        return Err(DataError::Refused(
            "you can only delete what belongs to your own events".into(),
        ));
    }
    Ok(())
}

/// Every ticket that names a ticket type, cancelled or in the trash too (found through
/// `tickets_type_idx`, which holds them all: migration 0031).
pub const TICKETS_OF_A_TYPE: &str = "SELECT count(*) FROM tickets WHERE ticket_type_id = $1";

async fn count_children(
    conn: &mut PgConnection,
    target: Target,
) -> Result<(i64, i64, i64), DataError> {
    Ok(match target {
        Target::Event(id) => sqlx::query_as(
            "SELECT (SELECT count(*) FROM ticket_types WHERE event_id = $1 AND deleted_at IS NULL), \
                    (SELECT count(*) FROM orders WHERE event_id = $1 AND deleted_at IS NULL), \
                    (SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id \
                     WHERE o.event_id = $1 AND t.deleted_at IS NULL)",
        )
        .bind(id)
        .fetch_one(conn)
        .await?,
        Target::Order(id) => {
            let tickets: i64 =
                sqlx::query_scalar("SELECT count(*) FROM tickets WHERE order_id = $1 AND deleted_at IS NULL")
                    .bind(id)
                    .fetch_one(conn)
                    .await?;
            (0, 0, tickets)
        }
        Target::TicketType(id) => {
            // Its tickets belong to orders: they cannot go without them, nor stay without it.
            // Every ticket that names it, cancelled or in the trash too: reactivating or
            // restoring its order would bring it back to life under a type in the trash.
            let live: i64 = sqlx::query_scalar(TICKETS_OF_A_TYPE)
                .bind(id)
                .fetch_one(conn)
                .await?;
            if live > 0 {
                return Err(DataError::Refused(format!(
                    "{live} tickets of this type were sold (even if cancelled or in the trash): \
                     only an unsold ticket type can go to the trash (or delete the whole event)"
                )));
            }
            (0, 0, 0)
        }
        Target::Ticket(_) => (0, 0, 0),
    })
}

/// A batch's own row as it is now, for the audit log's before and after, with what went
/// with it (`with`: the counts of its children).
pub(super) async fn logged_values(
    conn: &mut PgConnection,
    kind: &str,
    id: i64,
    with: &serde_json::Value,
) -> Result<Option<serde_json::Value>, DataError> {
    let sql = match kind {
        "event" => "SELECT to_jsonb(x) FROM events x WHERE id = $1",
        "ticket_type" => "SELECT to_jsonb(x) FROM ticket_types x WHERE id = $1",
        "order" => "SELECT to_jsonb(x) FROM orders x WHERE id = $1",
        "ticket" => "SELECT to_jsonb(x) FROM tickets x WHERE id = $1",
        _ => return Ok(None),
    };
    let row: Option<serde_json::Value> = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|mut values| {
        if let Some(fields) = values.as_object_mut() {
            fields.insert("with".into(), with.clone());
        }
        values
    }))
}

/// What deleting `target` would take with it (and whether `actor` may).
pub async fn preview(pool: &PgPool, actor: &Actor, target: Target) -> Result<Preview, DataError> {
    let mut conn = pool.acquire().await?;
    let (_, organizer, label) = owner(&mut conn, target).await?;
    may_delete(actor, target, organizer)?;
    let (ticket_types, orders, tickets) = count_children(&mut conn, target).await?;
    Ok(Preview {
        label,
        ticket_types,
        orders,
        tickets,
    })
}

/// Moves `target` and its children to the trash, in one batch. Returns what went.
pub async fn delete(pool: &PgPool, actor: &Actor, target: Target) -> Result<Preview, DataError> {
    let mut tx = pool.begin().await?;
    let (event_id, organizer, label) = owner(&mut tx, target).await?;
    may_delete(actor, target, organizer)?;
    let (ticket_types, orders, tickets) = count_children(&mut tx, target).await?;
    let (kind, entity_id) = match target {
        Target::Event(id) => ("event", id),
        Target::TicketType(id) => ("ticket_type", id),
        Target::Order(id) => ("order", id),
        Target::Ticket(id) => ("ticket", id),
    };
    let children =
        serde_json::json!({ "ticket_types": ticket_types, "orders": orders, "tickets": tickets });
    let batch: i64 = sqlx::query_scalar(
        "INSERT INTO trash_batches (kind, entity_id, label, children, event_id, deleted_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(kind)
    .bind(entity_id)
    .bind(&label)
    .bind(&children)
    .bind(event_id)
    .bind(actor.id)
    .fetch_one(&mut *tx)
    .await?;
    let statements: &[&'static str] = match target {
        Target::Event(_) => &[
            "UPDATE tickets SET deleted_at = now(), trash_batch = $2 WHERE deleted_at IS NULL \
             AND order_id IN (SELECT id FROM orders WHERE event_id = $1)",
            "UPDATE orders SET deleted_at = now(), trash_batch = $2 WHERE event_id = $1 AND deleted_at IS NULL",
            "UPDATE ticket_types SET deleted_at = now(), trash_batch = $2 WHERE event_id = $1 AND deleted_at IS NULL",
            "UPDATE events SET deleted_at = now(), trash_batch = $2 WHERE id = $1",
        ],
        Target::Order(_) => &[
            "UPDATE tickets SET deleted_at = now(), trash_batch = $2 WHERE order_id = $1 AND deleted_at IS NULL",
            "UPDATE orders SET deleted_at = now(), trash_batch = $2 WHERE id = $1",
        ],
        Target::TicketType(_) => {
            &["UPDATE ticket_types SET deleted_at = now(), trash_batch = $2 WHERE id = $1"]
        }
        Target::Ticket(_) => {
            &["UPDATE tickets SET deleted_at = now(), trash_batch = $2 WHERE id = $1"]
        }
    };
    let before = logged_values(&mut tx, kind, entity_id, &children).await?;
    for statement in statements {
        sqlx::query(*statement)
            .bind(entity_id)
            .bind(batch)
            .execute(&mut *tx)
            .await?;
    }
    let after = logged_values(&mut tx, kind, entity_id, &children).await?;
    audit::record(&mut tx, actor, "delete", kind, entity_id, before, after).await?;
    tx.commit().await?;
    Ok(Preview {
        label,
        ticket_types,
        orders,
        tickets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_read_as_sentences() {
        let preview = Preview {
            label: "event “Jazz”".into(),
            ticket_types: 2,
            orders: 1,
            tickets: 3,
        };
        assert_eq!(
            preview.describe(),
            "event “Jazz” with 2 ticket types, 1 order and 3 tickets"
        );
        let order = Preview {
            label: "order K7QF-92MX".into(),
            ticket_types: 0,
            orders: 0,
            tickets: 1,
        };
        assert_eq!(order.describe(), "order K7QF-92MX with 1 ticket");
    }
}
