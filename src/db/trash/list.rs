//! The trash as a user may see it, newest first, and its filter (`kind: from: to:`).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::db::auth::Actor;
use crate::db::permissions::{TrashScope, trash_scope};
use crate::db::trash::TrashEntry;
use crate::error::DataError;

/// What the trash is narrowed to (`kind:order from:2026-06-01 to:2026-06-30`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrashFilter {
    pub text: String,
    pub kind: Option<String>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive: the start of the day after the `to:` day.
    pub until: Option<DateTime<Utc>>,
}

/// The kinds a trash batch can be of (users are managed, not deleted).
const KINDS: [&str; 4] = ["event", "ticket_type", "order", "ticket"];

/// Parses the trash's filter prompt. Dates are days in `offset`.
pub fn parse_filter(
    text: &str,
    offset: crate::zone::Tz,
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
    let start = |date: chrono::NaiveDate| crate::zone::start_of_day(date, offset);
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
    let (all, organizer, orders_and_tickets) = match trash_scope(actor.role) {
        Some(TrashScope::Everything) => (true, None, false),
        Some(TrashScope::OwnEvents) => (false, Some(actor.id), false),
        Some(TrashScope::OrdersAndTickets) => (false, None, true),
        None => {
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
