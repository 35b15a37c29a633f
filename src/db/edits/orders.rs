//! An order's note: the one free field of an order (its lines are fixed at the sale; its
//! status moves through the order actions). Admins and support any, organizers of their
//! events. A save names the note it was based on and is refused if someone changed it
//! meanwhile (not `updated_at`: status changes and renames of the event, which orders keep a
//! copy of, change that without touching the note).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::db::auth::Actor;
use crate::db::edits::{clean_multiline_text, log_and_commit, updated_or_conflict};
use crate::db::permissions::may_manage_orders;
use crate::error::{DataError, FieldErrors};

const MAX_NOTE_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OrderNote {
    pub id: i64,
    pub code: String,
    /// Shown when someone changed the order meanwhile (a status change is a change too).
    pub status: String,
    pub note: String,
    pub updated_at: DateTime<Utc>,
}

pub fn validate_note(note: &str) -> Result<String, DataError> {
    let mut errors = FieldErrors::default();
    let note = clean_multiline_text(&mut errors, "note", "the note", note, MAX_NOTE_CHARS);
    errors.into_result(note)
}

async fn fetch(conn: &mut PgConnection, id: i64) -> Result<Option<OrderNote>, DataError> {
    Ok(sqlx::query_as(
        "SELECT id, code, status::text AS status, note, updated_at FROM orders \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The order's event, checked against what `actor` may manage.
async fn may_edit(conn: &mut PgConnection, actor: &Actor, id: i64) -> Result<(), DataError> {
    let event: Option<i64> =
        sqlx::query_scalar("SELECT event_id FROM orders WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let event = event.ok_or(DataError::NotFound)?;
    may_manage_orders(conn, actor, event).await
}

pub async fn load_order_note(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
) -> Result<OrderNote, DataError> {
    let mut conn = pool.acquire().await?;
    may_edit(&mut conn, actor, id).await?;
    fetch(&mut conn, id).await?.ok_or(DataError::NotFound)
}

/// Saves a new note over the version `loaded`; refused, writing nothing, if the order
/// changed meanwhile.
pub async fn save_order_note(
    pool: &PgPool,
    actor: &Actor,
    loaded: &OrderNote,
    note: &str,
) -> Result<OrderNote, DataError> {
    let note = validate_note(note)?;
    let mut tx = pool.begin().await?;
    may_edit(&mut tx, actor, loaded.id).await?;
    let updated = sqlx::query(
        "UPDATE orders SET note = $3 WHERE id = $1 AND note = $2 AND deleted_at IS NULL",
    )
    .bind(loaded.id)
    .bind(&loaded.note)
    .bind(&note)
    .execute(&mut *tx)
    .await?;
    let now = fetch(&mut tx, loaded.id).await?;
    let before = serde_json::to_value(loaded).unwrap_or_default();
    let saved = updated_or_conflict("order", &before, updated.rows_affected() > 0, now)?;
    log_and_commit(
        tx,
        actor,
        ("update", "order", loaded.id),
        Some(serde_json::json!({ "note": loaded.note })),
        serde_json::json!({ "note": saved.note }),
    )
    .await?;
    Ok(saved)
}
