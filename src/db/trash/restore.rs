//! Restoring a trash batch (refused on a clash of unique values, or while what it belongs
//! to is itself in the trash) and purging one for good (admins).

use sqlx::{PgConnection, PgPool};

use crate::db::audit;
use crate::db::auth::Actor;
use crate::db::permissions::{TrashScope, Write, trash_scope};
use crate::db::trash::{TrashEntry, logged_values};
use crate::error::DataError;

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
    let allowed = match trash_scope(actor.role) {
        Some(TrashScope::Everything) => true,
        Some(TrashScope::OwnEvents) => event_owner == Some(actor.id),
        Some(TrashScope::OrdersAndTickets) => matches!(entry.kind.as_str(), "order" | "ticket"),
        None => false,
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
    let before = logged_values(&mut tx, &entry.kind, entry.entity_id, &entry.children).await?;
    for statement in [
        "UPDATE events SET deleted_at = NULL, trash_batch = NULL WHERE trash_batch = $1",
        "UPDATE ticket_types SET deleted_at = NULL, trash_batch = NULL WHERE trash_batch = $1",
        "UPDATE orders SET deleted_at = NULL, trash_batch = NULL WHERE trash_batch = $1",
        "UPDATE tickets SET deleted_at = NULL, trash_batch = NULL WHERE trash_batch = $1",
        "DELETE FROM trash_batches WHERE id = $1",
    ] {
        sqlx::query(statement).bind(batch).execute(&mut *tx).await?;
    }
    let after = logged_values(&mut tx, &entry.kind, entry.entity_id, &entry.children).await?;
    audit::record(
        &mut tx,
        actor,
        "restore",
        &entry.kind,
        entry.entity_id,
        before,
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(format!("restored {}", entry.label))
}

/// Removes a batch for good (admins only). Scans of its tickets stay in the log, without the
/// ticket; seats its live tickets held go back on sale.
pub async fn purge(pool: &PgPool, actor: &Actor, batch: i64) -> Result<String, DataError> {
    Write::Purge.check(actor)?;
    let mut tx = pool.begin().await?;
    let entry = batch_for(&mut tx, actor, batch).await?;
    // Rows outside the batch that hang on to one of its rows (an order or ticket type of its
    // event, a ticket of its order or type, moved to the trash earlier on its own) would be
    // left pointing at nothing: those go first.
    let dependents: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ( \
           SELECT o.id FROM orders o JOIN events e ON e.id = o.event_id \
           WHERE e.trash_batch = $1 AND o.trash_batch IS DISTINCT FROM $1 \
           UNION ALL \
           SELECT tt.id FROM ticket_types tt JOIN events e ON e.id = tt.event_id \
           WHERE e.trash_batch = $1 AND tt.trash_batch IS DISTINCT FROM $1 \
           UNION ALL \
           SELECT t.id FROM tickets t WHERE t.trash_batch IS DISTINCT FROM $1 \
           AND (t.order_id IN (SELECT id FROM orders WHERE trash_batch = $1) \
                OR t.ticket_type_id IN (SELECT id FROM ticket_types WHERE trash_batch = $1)) \
         ) AS hanging_on",
    )
    .bind(batch)
    .fetch_one(&mut *tx)
    .await?;
    if dependents > 0 {
        return Err(DataError::Refused(format!(
            "cannot purge {}: {dependents} rows deleted from it earlier (or still live) belong \
             to it; purge or restore those first",
            entry.label
        )));
    }
    let before = logged_values(&mut tx, &entry.kind, entry.entity_id, &entry.children).await?;
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
        before,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(format!("purged {}", entry.label))
}
