//! Soft delete, the trash, restore and purge (DESIGN.md "Soft delete and trash").
//!
//! A delete marks a row and its children deleted in one batch (`trash_batches`); restoring
//! the batch brings back exactly those rows, unless a live row now holds one of their unique
//! values, in which case nothing changes and the message says which. Purge (admins) removes
//! the batch's rows for good and gives their seats back.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::db::audit;
use crate::db::auth::{Actor, Role};
use crate::error::DataError;

/// What can be moved to the trash from the lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Event(i64),
    /// From an event's ticket types (`t`, then `d`): only while no live ticket is of it.
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
        .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
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
    let allowed = match (actor.role, target) {
        (Role::Admin, _) => true,
        (Role::Organizer, _) => organizer == actor.id,
        (Role::Support, Target::Order(_) | Target::Ticket(_)) => true,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(DataError::Refused(match actor.role {
            Role::Organizer => "you can only delete what belongs to your own events".into(),
            role => format!("a {} account cannot delete this", role.label()),
        }))
    }
}

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
            let live: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM tickets WHERE ticket_type_id = $1 AND deleted_at IS NULL \
                 AND status <> 'cancelled'",
            )
            .bind(id)
            .fetch_one(conn)
            .await?;
            if live > 0 {
                return Err(DataError::Refused(format!(
                    "{live} tickets of this type are sold: cancel or refund their orders first \
                     (or delete the whole event)"
                )));
            }
            (0, 0, 0)
        }
        Target::Ticket(_) => (0, 0, 0),
    })
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
    for statement in statements {
        sqlx::query(*statement)
            .bind(entity_id)
            .bind(batch)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        actor,
        "delete",
        kind,
        entity_id,
        None,
        Some(children),
    )
    .await?;
    tx.commit().await?;
    Ok(Preview {
        label,
        ticket_types,
        orders,
        tickets,
    })
}

/// What the trash is narrowed to (`kind:order from:2026-06-01 to:2026-06-30`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrashFilter {
    pub text: String,
    pub kind: Option<String>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive: the start of the day after the `to:` day.
    pub until: Option<DateTime<Utc>>,
}

const KINDS: [&str; 5] = ["event", "ticket_type", "order", "ticket", "user"];

/// Parses the trash's filter prompt. Dates are days in `offset`.
pub fn parse_filter(
    text: &str,
    offset: chrono::FixedOffset,
) -> Result<TrashFilter, crate::db::filter::FilterError> {
    use crate::db::filter::FilterError;
    if text.chars().count() > crate::db::filter::MAX_FILTER_CHARS
        || text.chars().any(char::is_control)
    {
        return Err(FilterError("type a short filter of plain text".into()));
    }
    let mut filter = TrashFilter {
        text: text.trim().to_string(),
        ..TrashFilter::default()
    };
    let day = |key: &str, value: &str| {
        chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
            FilterError(format!(
                "`{key}:` takes a date like 2026-06-01, not `{value}`"
            ))
        })
    };
    let start =
        |date: chrono::NaiveDate| (date.and_time(chrono::NaiveTime::MIN) - offset).and_utc();
    for word in text.split_whitespace() {
        let Some((key, value)) = word.split_once(':') else {
            return Err(FilterError(format!(
                "the trash filters by kind:, from: and to:, not `{word}`"
            )));
        };
        match key.to_lowercase().as_str() {
            "kind" => {
                let kind = value.to_lowercase().replace('-', "_");
                if !KINDS.contains(&kind.as_str()) {
                    return Err(FilterError(format!(
                        "unknown kind `{value}`; kinds: {}",
                        KINDS.join(", ")
                    )));
                }
                filter.kind = Some(kind);
            }
            "from" => filter.from = Some(start(day(key, value)?)),
            "to" => {
                let date = day(key, value)?;
                filter.until = Some(start(date.succ_opt().unwrap_or(date)));
            }
            other => {
                return Err(FilterError(format!(
                    "unknown key `{other}` for the trash; keys: kind, from, to"
                )));
            }
        }
    }
    Ok(filter)
}

/// The trash as `actor` may see it, newest first: admins all of it, organizers that of their
/// own events, support deleted orders and tickets.
pub async fn list(
    pool: &PgPool,
    actor: &Actor,
    filter: &TrashFilter,
    limit: i64,
) -> Result<Vec<TrashEntry>, DataError> {
    let (all, organizer, orders_and_tickets) = match actor.role {
        Role::Admin => (true, None, false),
        Role::Organizer => (false, Some(actor.id), false),
        Role::Support => (false, None, true),
        Role::Staff | Role::Customer => {
            return Err(DataError::Refused(format!(
                "a {} account has no trash",
                actor.role.label()
            )));
        }
    };
    Ok(sqlx::query_as(
        "SELECT b.id, b.kind, b.entity_id, b.label, b.children, b.created_at AS deleted_at, u.name AS deleted_by \
         FROM trash_batches b LEFT JOIN users u ON u.id = b.deleted_by \
         WHERE ($1 OR ($2::bigint IS NOT NULL AND b.event_id IN (SELECT id FROM events WHERE organizer_id = $2)) \
                OR ($3 AND b.kind IN ('order', 'ticket'))) \
           AND ($4::text IS NULL OR b.kind = $4) \
           AND ($6::timestamptz IS NULL OR b.created_at >= $6) \
           AND ($7::timestamptz IS NULL OR b.created_at < $7) \
         ORDER BY b.created_at DESC, b.id DESC LIMIT $5",
    )
    .bind(all)
    .bind(organizer)
    .bind(orders_and_tickets)
    .bind(&filter.kind)
    .bind(limit.clamp(1, 1000))
    .bind(filter.from)
    .bind(filter.until)
    .fetch_all(pool)
    .await?)
}

async fn batch_for(
    conn: &mut PgConnection,
    actor: &Actor,
    batch: i64,
) -> Result<TrashEntry, DataError> {
    let entry: TrashEntry = sqlx::query_as(
        "SELECT b.id, b.kind, b.entity_id, b.label, b.children, b.created_at AS deleted_at, u.name AS deleted_by \
         FROM trash_batches b LEFT JOIN users u ON u.id = b.deleted_by WHERE b.id = $1 FOR UPDATE OF b",
    )
    .bind(batch)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DataError::NotFound)?;
    let event_owner: Option<i64> = sqlx::query_scalar(
        "SELECT e.organizer_id FROM trash_batches b JOIN events e ON e.id = b.event_id WHERE b.id = $1",
    )
    .bind(batch)
    .fetch_optional(&mut *conn)
    .await?;
    let allowed = match actor.role {
        Role::Admin => true,
        Role::Organizer => event_owner == Some(actor.id),
        Role::Support => matches!(entry.kind.as_str(), "order" | "ticket"),
        Role::Staff | Role::Customer => false,
    };
    if allowed {
        Ok(entry)
    } else {
        Err(DataError::NotFound)
    }
}

/// Brings a batch back, unless a live row now holds one of its unique values.
pub async fn restore(pool: &PgPool, actor: &Actor, batch: i64) -> Result<String, DataError> {
    let mut tx = pool.begin().await?;
    let entry = batch_for(&mut tx, actor, batch).await?;
    let clash: Option<String> = sqlx::query_scalar(
        "SELECT clash FROM ( \
           SELECT 'order code ' || o.code AS clash FROM orders o \
           WHERE o.trash_batch = $1 AND EXISTS (SELECT 1 FROM orders l WHERE l.code = o.code AND l.deleted_at IS NULL) \
           UNION ALL \
           SELECT 'ticket code ' || t.code FROM tickets t \
           WHERE t.trash_batch = $1 AND EXISTS (SELECT 1 FROM tickets l WHERE l.code = t.code AND l.deleted_at IS NULL) \
           UNION ALL \
           SELECT 'ticket type name ' || tt.name FROM ticket_types tt \
           WHERE tt.trash_batch = $1 AND EXISTS (SELECT 1 FROM ticket_types l WHERE l.event_id = tt.event_id \
             AND lower(l.name) = lower(tt.name) AND l.deleted_at IS NULL) \
         ) AS clashes LIMIT 1",
    )
    .bind(batch)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(clash) = clash {
        return Err(DataError::Refused(format!(
            "cannot restore {}: a live row now has the same {clash}",
            entry.label
        )));
    }
    // Children of a deleted parent stay with it: restoring an order of a deleted event
    // would show an order of nothing.
    let parent_gone: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM orders o JOIN events e ON e.id = o.event_id \
                        WHERE o.trash_batch = $1 AND e.deleted_at IS NOT NULL AND e.trash_batch IS DISTINCT FROM $1) \
             OR EXISTS (SELECT 1 FROM ticket_types tt JOIN events e ON e.id = tt.event_id \
                        WHERE tt.trash_batch = $1 AND e.deleted_at IS NOT NULL AND e.trash_batch IS DISTINCT FROM $1) \
             OR EXISTS (SELECT 1 FROM tickets t JOIN orders o ON o.id = t.order_id \
                        WHERE t.trash_batch = $1 AND o.deleted_at IS NOT NULL AND o.trash_batch IS DISTINCT FROM $1)",
    )
    .bind(batch)
    .fetch_one(&mut *tx)
    .await?;
    if parent_gone {
        return Err(DataError::Refused(format!(
            "cannot restore {}: what it belongs to is in the trash; restore that first",
            entry.label
        )));
    }
    for statement in [
        "UPDATE events SET deleted_at = NULL, trash_batch = NULL WHERE trash_batch = $1",
        "UPDATE ticket_types SET deleted_at = NULL, trash_batch = NULL WHERE trash_batch = $1",
        "UPDATE orders SET deleted_at = NULL, trash_batch = NULL WHERE trash_batch = $1",
        "UPDATE tickets SET deleted_at = NULL, trash_batch = NULL WHERE trash_batch = $1",
        "DELETE FROM trash_batches WHERE id = $1",
    ] {
        sqlx::query(statement).bind(batch).execute(&mut *tx).await?;
    }
    audit::record(
        &mut tx,
        actor,
        "restore",
        &entry.kind,
        entry.entity_id,
        None,
        Some(entry.children.clone()),
    )
    .await?;
    tx.commit().await?;
    Ok(format!("restored {}", entry.label))
}

/// Removes a batch for good (admins only). Scans of its tickets stay in the log, without the
/// ticket; seats its live tickets held go back on sale.
pub async fn purge(pool: &PgPool, actor: &Actor, batch: i64) -> Result<String, DataError> {
    if actor.role != Role::Admin {
        return Err(DataError::Refused(
            "only an admin can purge the trash".into(),
        ));
    }
    let mut tx = pool.begin().await?;
    let entry = batch_for(&mut tx, actor, batch).await?;
    // Tickets outside the batch (cancelled ones of live orders, or ones in another batch)
    // may still name one of its ticket types: it then stays in the trash, restorable.
    let still_named: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tickets WHERE trash_batch IS DISTINCT FROM $1 \
         AND ticket_type_id IN (SELECT id FROM ticket_types WHERE trash_batch = $1)",
    )
    .bind(batch)
    .fetch_one(&mut *tx)
    .await?;
    if still_named > 0 {
        return Err(DataError::Refused(format!(
            "cannot purge {}: {still_named} tickets outside it are of its ticket types",
            entry.label
        )));
    }
    for statement in [
        "UPDATE ticket_types tt SET sold = tt.sold - s.n FROM ( \
             SELECT ticket_type_id, count(*)::int AS n FROM tickets \
             WHERE trash_batch = $1 AND status <> 'cancelled' GROUP BY ticket_type_id) AS s \
         WHERE tt.id = s.ticket_type_id AND tt.trash_batch IS DISTINCT FROM $1",
        "UPDATE scans SET ticket_id = NULL WHERE ticket_id IN (SELECT id FROM tickets WHERE trash_batch = $1)",
        "DELETE FROM tickets WHERE trash_batch = $1",
        "DELETE FROM orders WHERE trash_batch = $1",
        "DELETE FROM ticket_types WHERE trash_batch = $1",
        "UPDATE trash_batches SET event_id = NULL WHERE event_id IN (SELECT id FROM events WHERE trash_batch = $1)",
        "DELETE FROM events WHERE trash_batch = $1",
        "DELETE FROM trash_batches WHERE id = $1",
    ] {
        sqlx::query(statement).bind(batch).execute(&mut *tx).await?;
    }
    audit::record(
        &mut tx,
        actor,
        "purge",
        &entry.kind,
        entry.entity_id,
        Some(entry.children.clone()),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(format!("purged {}", entry.label))
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
