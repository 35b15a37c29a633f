//! Creating and editing an event's ticket types (admins any, organizers of their events).
//!
//! Every sale bumps a ticket type's `sold` (and so its `updated_at`), so an edit is checked
//! against the fields the form shows rather than the row's version: a save is refused only if
//! someone else changed the name, price, capacity or sales window meanwhile.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::db::auth::{Actor, Role};
use crate::db::edits::{clean_text, conflict, log_and_commit};
use crate::db::permissions::may_manage_event;
use crate::error::{DataError, FieldErrors};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TicketTypeRecord {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub price_cents: i64,
    pub quantity: i32,
    pub sold: i32,
    pub sales_start: Option<DateTime<Utc>>,
    pub sales_end: Option<DateTime<Utc>>,
}

/// An event's ticket types, for the picker and the sale form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTicketTypes {
    pub event_id: i64,
    pub event_title: String,
    /// The event's clock: sales windows are shown and typed in it.
    pub event_zone: crate::zone::Tz,
    /// What the event's tickets are sold in: prices are shown and typed in it.
    pub event_currency: String,
    pub types: Vec<TicketTypeRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTypeDraft {
    pub name: String,
    pub price_cents: i64,
    pub quantity: i32,
    pub sales_start: Option<DateTime<Utc>>,
    pub sales_end: Option<DateTime<Utc>>,
}

impl TicketTypeDraft {
    /// Checks what the table's constraints would refuse; `sold` is what is sold now (0 for a
    /// new type), below which the capacity cannot go.
    pub fn validate(&self, sold: i32) -> Result<TicketTypeDraft, DataError> {
        let mut errors = FieldErrors::default();
        let name = clean_text(&mut errors, "name", "the name", &self.name, 1, 100);
        if self.price_cents < 0 {
            errors.add("price", "the price cannot be negative");
        } else if self.price_cents > MAX_PRICE_CENTS {
            errors.add("price", "at most 1000000.00");
        }
        if self.quantity < 0 {
            errors.add("quantity", "the capacity cannot be negative");
        } else if self.quantity > MAX_QUANTITY {
            errors.add("quantity", format!("at most {MAX_QUANTITY} seats"));
        } else if self.quantity < sold {
            errors.add(
                "quantity",
                format!("the capacity cannot be below the {sold} already sold"),
            );
        }
        if let (Some(start), Some(end)) = (self.sales_start, self.sales_end)
            && end <= start
        {
            errors.add("sales_end", "sales must end after they start");
        }
        errors.into_result(TicketTypeDraft {
            name,
            ..self.clone()
        })
    }
}

/// The most a ticket costs (1,000,000.00), and the most seats a type has: above is a slip.
pub const MAX_PRICE_CENTS: i64 = 100_000_000;
pub const MAX_QUANTITY: i32 = 1_000_000;

/// A ticket type as `TicketTypeRecord` reads it, from `ticket_types`.
macro_rules! select_type {
    ($rest:literal) => {
        concat!(
            "SELECT id, event_id, name, price_cents, quantity, seats_sold(id, sold) AS sold, \
             sales_start, sales_end FROM ticket_types ",
            $rest
        )
    };
}

/// The live ticket types of an event the actor may see.
pub async fn event_ticket_types(
    pool: &PgPool,
    actor: &Actor,
    event_id: i64,
) -> Result<EventTicketTypes, DataError> {
    let event: Option<(String, i64, String, String)> = sqlx::query_as(
        "SELECT title, organizer_id, time_zone, currency FROM events \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(event_id)
    .fetch_optional(pool)
    .await?;
    let Some((event_title, organizer, time_zone, event_currency)) = event else {
        return Err(DataError::NotFound);
    };
    if actor.role == Role::Organizer && organizer != actor.id {
        return Err(DataError::NotFound);
    }
    let types = sqlx::query_as(select_type!(
        "WHERE event_id = $1 AND deleted_at IS NULL ORDER BY price_cents DESC, id"
    ))
    .bind(event_id)
    .fetch_all(pool)
    .await?;
    Ok(EventTicketTypes {
        event_id,
        event_title,
        event_zone: crate::zone::stored_zone(&time_zone),
        event_currency,
        types,
    })
}

async fn fetch_record(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<TicketTypeRecord>, DataError> {
    Ok(
        sqlx::query_as(select_type!("WHERE id = $1 AND deleted_at IS NULL"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The fields a person edits, for the audit log and for telling what changed.
fn editable(record: &TicketTypeRecord) -> serde_json::Value {
    serde_json::json!({
        "name": record.name,
        "price_cents": record.price_cents,
        "quantity": record.quantity,
        "sales_start": record.sales_start,
        "sales_end": record.sales_end,
    })
}

pub async fn create_ticket_type(
    pool: &PgPool,
    actor: &Actor,
    event_id: i64,
    draft: &TicketTypeDraft,
) -> Result<TicketTypeRecord, DataError> {
    let draft = draft.validate(0)?;
    let mut tx = pool.begin().await?;
    may_manage_event(&mut tx, actor, Some(event_id)).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_types (event_id, name, price_cents, quantity, sales_start, sales_end) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(event_id)
    .bind(&draft.name)
    .bind(draft.price_cents)
    .bind(draft.quantity)
    .bind(draft.sales_start)
    .bind(draft.sales_end)
    .fetch_one(&mut *tx)
    .await?;
    let saved = fetch_record(&mut tx, id)
        .await?
        .ok_or(DataError::NotFound)?;
    log_and_commit(
        tx,
        actor,
        ("create", "ticket_type", id),
        None,
        editable(&saved),
    )
    .await?;
    Ok(saved)
}

/// Saves `draft` over `loaded`; refused, writing nothing, if someone changed the type's
/// editable fields meanwhile or the new capacity is below what is sold by now.
pub async fn update_ticket_type(
    pool: &PgPool,
    actor: &Actor,
    loaded: &TicketTypeRecord,
    draft: &TicketTypeDraft,
) -> Result<TicketTypeRecord, DataError> {
    let draft = draft.validate(0)?;
    let mut tx = pool.begin().await?;
    // The event as the database has it (not as the caller says), checked and locked before
    // the type, in the order a delete of the event locks them.
    let event_id: Option<i64> = sqlx::query_scalar(
        "SELECT event_id FROM ticket_types WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(loaded.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(event_id) = event_id else {
        return Err(conflict("ticket type", &editable(loaded), None));
    };
    may_manage_event(&mut tx, actor, Some(event_id)).await?;
    // The seats waiting in the type's blocks go back to the type, its blocks and then its row
    // locked (the order sales take them in): sales of this type wait until the edit is
    // decided, and a lower capacity is checked against the seats really sold.
    sqlx::query("SELECT return_block_room($1)")
        .bind(loaded.id)
        .execute(&mut *tx)
        .await?;
    let now: Option<TicketTypeRecord> = sqlx::query_as(select_type!(
        "WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE"
    ))
    .bind(loaded.id)
    .fetch_optional(&mut *tx)
    .await?;
    let before = editable(loaded);
    let Some(now) = now.filter(|now| editable(now) == before) else {
        let now = fetch_record(&mut tx, loaded.id).await?;
        return Err(conflict(
            "ticket type",
            &before,
            now.map(|n| editable(&n)).as_ref(),
        ));
    };
    draft.validate(now.sold)?;
    sqlx::query(
        "UPDATE ticket_types SET name = $2, price_cents = $3, quantity = $4, sales_start = $5, \
         sales_end = $6 WHERE id = $1",
    )
    .bind(loaded.id)
    .bind(&draft.name)
    .bind(draft.price_cents)
    .bind(draft.quantity)
    .bind(draft.sales_start)
    .bind(draft.sales_end)
    .execute(&mut *tx)
    .await?;
    let saved = fetch_record(&mut tx, loaded.id)
        .await?
        .ok_or(DataError::NotFound)?;
    log_and_commit(
        tx,
        actor,
        ("update", "ticket_type", loaded.id),
        Some(before),
        editable(&saved),
    )
    .await?;
    Ok(saved)
}

pub async fn load_ticket_type(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
) -> Result<TicketTypeRecord, DataError> {
    let mut conn = pool.acquire().await?;
    let record = fetch_record(&mut conn, id)
        .await?
        .ok_or(DataError::NotFound)?;
    may_manage_event(&mut conn, actor, Some(record.event_id)).await?;
    Ok(record)
}
