//! Creating and editing events (admins any, organizers their own; DESIGN.md "Roles").

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::db::auth::{Actor, Role};
use crate::db::edits::{
    clean_email, clean_multiline_text, clean_text, log_and_commit, updated_or_conflict,
    zone_known_to_server,
};
use crate::db::permissions::may_manage_event;
use crate::error::{DataError, FieldErrors};

/// An event as loaded for editing, with the version it was read at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EventRecord {
    pub id: i64,
    pub title: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub description: String,
    pub organizer_email: String,
    /// The event's own clock (IANA name).
    pub time_zone: String,
    /// What its tickets are sold in (ISO 4217).
    pub currency: String,
    pub updated_at: DateTime<Utc>,
}

/// What the event form saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    pub title: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub description: String,
    /// Admins say whose event it is; an organizer's events are always their own.
    pub organizer_email: Option<String>,
    /// An IANA zone, as typed (any case, or a part naming one zone: `berlin`).
    pub time_zone: String,
    /// An ISO 4217 code, as typed (any case).
    pub currency: String,
}

impl EventDraft {
    /// Checks what the events table's constraints would refuse, field by field.
    pub fn validate(&self) -> Result<EventDraft, DataError> {
        let mut errors = FieldErrors::default();
        let title = clean_text(&mut errors, "title", "the title", &self.title, 1, 200);
        let venue = clean_text(&mut errors, "venue", "the venue", &self.venue, 1, 200);
        let description = clean_multiline_text(
            &mut errors,
            "description",
            "the description",
            &self.description,
            10_000,
        );
        let time_zone = match crate::zone::parse_zone(&self.time_zone) {
            Ok(zone) => zone.name().to_string(),
            Err(message) => {
                errors.add("time_zone", message);
                String::new()
            }
        };
        let currency = crate::money::parse_currency(&self.currency).unwrap_or_else(|message| {
            errors.add("currency", message);
            String::new()
        });
        if self.ends_at <= self.starts_at {
            errors.add("ends_at", "an event must end after it starts");
        }
        let organizer_email = self
            .organizer_email
            .as_deref()
            .map(|email| clean_email(&mut errors, "organizer", email));
        errors.into_result(EventDraft {
            title,
            venue,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            description,
            organizer_email,
            time_zone,
            currency,
        })
    }
}

const SELECT_RECORD: &str = "SELECT e.id, e.title, e.venue, e.starts_at, e.ends_at, e.description, \
     u.email AS organizer_email, e.time_zone, e.currency, e.updated_at FROM events e JOIN users u ON u.id = e.organizer_id \
     WHERE e.id = $1 AND e.deleted_at IS NULL";

async fn fetch_record(conn: &mut PgConnection, id: i64) -> Result<Option<EventRecord>, DataError> {
    Ok(sqlx::query_as(SELECT_RECORD)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

pub async fn load_event(pool: &PgPool, actor: &Actor, id: i64) -> Result<EventRecord, DataError> {
    let mut conn = pool.acquire().await?;
    may_manage_event(&mut conn, actor, Some(id)).await?;
    fetch_record(&mut conn, id)
        .await?
        .ok_or(DataError::NotFound)
}

/// The organizer an event is saved under: an organizer's own id; for an admin, the organizer
/// or admin account with the email given (themselves when none is given).
async fn organizer_id(
    conn: &mut PgConnection,
    actor: &Actor,
    draft: &EventDraft,
) -> Result<i64, DataError> {
    let email = match (actor.role, draft.organizer_email.as_deref()) {
        (Role::Admin, Some(email)) => email,
        _ => return Ok(actor.id),
    };
    let found: Option<(i64, Role)> = sqlx::query_as(
        "SELECT id, role FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL",
    )
    .bind(email)
    .fetch_optional(conn)
    .await?;
    match found {
        Some((id, Role::Organizer | Role::Admin)) => Ok(id),
        Some((_, role)) => Err(DataError::Fields(FieldErrors::one(
            "organizer",
            format!("{email} is a {} account, not an organizer", role.label()),
        ))),
        None => Err(DataError::Fields(FieldErrors::one(
            "organizer",
            format!("no user has the email {email}"),
        ))),
    }
}

/// Creates an event; returns it as saved.
pub async fn create_event(
    pool: &PgPool,
    actor: &Actor,
    draft: &EventDraft,
) -> Result<EventRecord, DataError> {
    let draft = draft.validate()?;
    let mut tx = pool.begin().await?;
    may_manage_event(&mut tx, actor, None).await?;
    let organizer = organizer_id(&mut tx, actor, &draft).await?;
    zone_known_to_server(&mut tx, &draft.time_zone).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (organizer_id, title, venue, starts_at, ends_at, description, time_zone, \
                             currency) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(organizer)
    .bind(&draft.title)
    .bind(&draft.venue)
    .bind(draft.starts_at)
    .bind(draft.ends_at)
    .bind(&draft.description)
    .bind(&draft.time_zone)
    .bind(&draft.currency)
    .fetch_one(&mut *tx)
    .await?;
    let saved = fetch_record(&mut tx, id)
        .await?
        .ok_or(DataError::NotFound)?;
    log_and_commit(
        tx,
        actor,
        ("create", "event", id),
        None,
        serde_json::to_value(&saved).unwrap_or_default(),
    )
    .await?;
    Ok(saved)
}

/// Saves `draft` over the version `loaded`; refused, writing nothing, if the event changed
/// since it was loaded.
pub async fn update_event(
    pool: &PgPool,
    actor: &Actor,
    loaded: &EventRecord,
    draft: &EventDraft,
) -> Result<EventRecord, DataError> {
    let draft = draft.validate()?;
    let mut tx = pool.begin().await?;
    may_manage_event(&mut tx, actor, Some(loaded.id)).await?;
    let organizer = organizer_id(&mut tx, actor, &draft).await?;
    zone_known_to_server(&mut tx, &draft.time_zone).await?;
    if draft.currency != loaded.currency {
        currency_still_open(&mut tx, loaded.id, &loaded.currency).await?;
    }
    let updated = sqlx::query(
        "UPDATE events SET title = $3, venue = $4, starts_at = $5, ends_at = $6, description = $7, \
         organizer_id = CASE WHEN $8 THEN $9 ELSE organizer_id END, time_zone = $10, \
         currency = $11 \
         WHERE id = $1 AND updated_at = $2 AND deleted_at IS NULL",
    )
    .bind(loaded.id)
    .bind(loaded.updated_at)
    .bind(&draft.title)
    .bind(&draft.venue)
    .bind(draft.starts_at)
    .bind(draft.ends_at)
    .bind(&draft.description)
    // Only an admin moves an event to another organizer, and only when they name one.
    .bind(actor.role == Role::Admin && draft.organizer_email.is_some())
    .bind(organizer)
    .bind(&draft.time_zone)
    .bind(&draft.currency)
    .execute(&mut *tx)
    .await?;
    let now = fetch_record(&mut tx, loaded.id).await?;
    let before = serde_json::to_value(loaded).unwrap_or_default();
    let saved = updated_or_conflict("event", &before, updated.rows_affected() > 0, now)?;
    log_and_commit(
        tx,
        actor,
        ("update", "event", loaded.id),
        Some(before),
        serde_json::to_value(&saved).unwrap_or_default(),
    )
    .await?;
    Ok(saved)
}

/// An event's currency changes only while nothing has been sold in it: its orders' totals
/// (trashed ones too, which can be restored) are amounts in the old one.
async fn currency_still_open(
    conn: &mut PgConnection,
    event_id: i64,
    currency: &str,
) -> Result<(), DataError> {
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE event_id = $1")
        .bind(event_id)
        .fetch_one(conn)
        .await?;
    if orders > 0 {
        return Err(DataError::Fields(FieldErrors::one(
            "currency",
            format!(
                "stays {currency}: this event has {} in it",
                crate::db::model::count_of(orders, "order", "orders")
            ),
        )));
    }
    Ok(())
}
