//! The door: scanning a ticket (exactly once, whatever the number of kiosks), the counters of
//! an event, the last scans of a terminal, and undoing a check-in.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::db::audit;
use crate::db::auth::{Actor, Role};
use crate::db::model::ScanResult;
use crate::db::permissions::{CheckInScope, check_in_scope};
use crate::error::DataError;

/// Longest code worth looking up; anything longer is logged (cut) and reported unknown.
const MAX_CODE_CHARS: usize = 64;
pub const MAX_TERMINAL_CHARS: usize = 100;

/// One scan at the door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// As typed or scanned.
    pub code: String,
    pub terminal: String,
    /// The event this door admits to; None admits to any.
    pub event_id: Option<i64>,
    /// Names this physical scan; a retry after a lost reply sends the same key.
    pub scan_key: String,
}

/// What the door shows for a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOutcome {
    pub result: ScanResult,
    pub code: String,
    pub ticket_id: Option<i64>,
    pub event_id: Option<i64>,
    /// Admitted: now; already used: when it was first admitted.
    pub at: Option<DateTime<Utc>>,
    /// Already used: the terminal that admitted it.
    pub terminal: Option<String>,
    pub holder_name: Option<String>,
    pub type_name: Option<String>,
    pub event_title: Option<String>,
    /// True when this was a retry answered from the first attempt.
    pub replayed: bool,
}

/// Normalises what a scanner or a person typed: trimmed, upper case, inner spaces dropped,
/// and the dash put back into a 10-character ticket code typed without it.
pub fn normalize_code(raw: &str) -> String {
    let mut code: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .take(MAX_CODE_CHARS + 1)
        .collect();
    if code.len() == 10 && code.chars().all(|c| c.is_ascii_alphanumeric()) {
        code.insert(5, '-');
    }
    code
}

/// None: any event's tickets; Some(organizer): only that organizer's events'.
fn may_check_in(actor: &Actor) -> Result<Option<i64>, DataError> {
    match check_in_scope(actor.role) {
        Some(CheckInScope::AnyEvent) => Ok(None),
        Some(CheckInScope::OwnEvents) => Ok(Some(actor.id)),
        None => Err(DataError::Refused(format!(
            "a {} account cannot check tickets in",
            actor.role.label()
        ))),
    }
}

/// The OUT parameters of `check_in_ticket` (migration 0003).
#[derive(sqlx::FromRow)]
struct CheckIn {
    o_result: ScanResult,
    o_ticket: Option<i64>,
    o_event: Option<i64>,
    o_at: Option<DateTime<Utc>>,
    o_terminal: Option<String>,
    o_replayed: bool,
    holder_name: Option<String>,
    type_name: Option<String>,
    event_title: Option<String>,
}

/// Scans a ticket: one atomic statement in the database (`check_in_ticket`), which also logs
/// the attempt in `scans`, good or bad.
pub async fn scan(pool: &PgPool, actor: &Actor, scan: &Scan) -> Result<ScanOutcome, DataError> {
    let organizer = may_check_in(actor)?;
    let code = normalize_code(&scan.code);
    if code.is_empty() {
        return Err(DataError::Invalid("scan or type a ticket code".into()));
    }
    let terminal: String = scan.terminal.chars().take(MAX_TERMINAL_CHARS).collect();
    let scan_key: String = scan.scan_key.chars().take(64).collect();
    let looked_up: String = code.chars().take(MAX_CODE_CHARS).collect();
    let CheckIn {
        o_result: result,
        o_ticket: ticket_id,
        o_event: event_id,
        o_at: at,
        o_terminal: admitted_by,
        o_replayed: replayed,
        holder_name,
        type_name,
        event_title,
    } = sqlx::query_as(
        // One round trip: the check-in and what the door shows about the ticket.
        "SELECT c.*, t.holder_name, t.type_name, e.title AS event_title \
         FROM check_in_ticket($1, $2, $3, $4, $5, $6) AS c \
         LEFT JOIN tickets t ON t.id = c.o_ticket \
         LEFT JOIN events e ON e.id = c.o_event",
    )
    .bind(&looked_up)
    .bind(&terminal)
    .bind(actor.id)
    .bind(scan.event_id)
    .bind(organizer)
    .bind(&scan_key)
    .fetch_one(pool)
    .await?;
    Ok(ScanOutcome {
        result,
        code: looked_up,
        ticket_id,
        event_id,
        at,
        terminal: admitted_by,
        holder_name,
        type_name,
        event_title,
        replayed,
    })
}

/// The door's counters for an event.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventCounters {
    pub event_id: i64,
    pub title: String,
    pub checked_in: i64,
    /// Tickets of paid orders that are not cancelled: who may come.
    pub expected: i64,
}

pub async fn counters(
    pool: &PgPool,
    actor: &Actor,
    event_id: i64,
) -> Result<EventCounters, DataError> {
    may_check_in(actor)?;
    sqlx::query_as(
        "SELECT e.id AS event_id, e.title, \
                count(*) FILTER (WHERE t.status = 'checked_in') AS checked_in, \
                count(t.id) FILTER (WHERE t.status <> 'cancelled' AND o.status = 'paid') AS expected \
         FROM events e \
         LEFT JOIN orders o ON o.event_id = e.id AND o.deleted_at IS NULL \
         LEFT JOIN tickets t ON t.order_id = o.id AND t.deleted_at IS NULL \
         WHERE e.id = $1 AND e.deleted_at IS NULL GROUP BY e.id, e.title",
    )
    .bind(event_id)
    .fetch_optional(pool)
    .await?
    .ok_or(DataError::NotFound)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecentScan {
    pub at: DateTime<Utc>,
    pub code: String,
    pub result: ScanResult,
    pub holder_name: Option<String>,
}

/// A terminal's ($1) last scans, newest first, at most $2: read in that order from the
/// terminal's index (migration 0033).
pub const RECENT_SCANS: &str = "SELECT s.at, s.code, s.result, t.holder_name FROM scans s \
     LEFT JOIN tickets t ON t.id = s.ticket_id \
     WHERE s.terminal = $1 ORDER BY s.at DESC, s.id DESC LIMIT $2";

/// The last scans at this terminal, newest first.
pub async fn recent_scans(
    pool: &PgPool,
    actor: &Actor,
    terminal: &str,
    limit: i64,
) -> Result<Vec<RecentScan>, DataError> {
    may_check_in(actor)?;
    Ok(sqlx::query_as(RECENT_SCANS)
        .bind(terminal)
        .bind(limit.clamp(1, 50))
        .fetch_all(pool)
        .await?)
}

/// Undoes a check-in (admins, and the organizer of the ticket's event), logged in the audit
/// log with the check-in it removed.
pub async fn undo_check_in(pool: &PgPool, actor: &Actor, ticket_id: i64) -> Result<(), DataError> {
    let mut tx = pool.begin().await?;
    let row: Option<(String, Option<DateTime<Utc>>, i64)> = sqlx::query_as(
        "SELECT t.status::text, t.checked_in_at, e.organizer_id FROM tickets t \
         JOIN orders o ON o.id = t.order_id JOIN events e ON e.id = o.event_id \
         WHERE t.id = $1 AND t.deleted_at IS NULL FOR UPDATE OF t",
    )
    .bind(ticket_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((status, checked_in_at, organizer)) = row else {
        return Err(DataError::NotFound);
    };
    let allowed =
        actor.role == Role::Admin || (actor.role == Role::Organizer && organizer == actor.id);
    if !allowed {
        return Err(DataError::Refused(
            "only an admin or the event's organizer can undo a check-in".into(),
        ));
    }
    if status != "checked_in" {
        return Err(DataError::Refused("this ticket is not checked in".into()));
    }
    sqlx::query("UPDATE tickets SET status = 'valid', checked_in_at = NULL, checked_in_by = NULL WHERE id = $1")
        .bind(ticket_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        "undo_check_in",
        "ticket",
        ticket_id,
        Some(serde_json::json!({ "status": "checked_in", "checked_in_at": checked_in_at })),
        Some(serde_json::json!({ "status": "valid" })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_normalised_as_scanners_and_hands_type_them() {
        assert_eq!(normalize_code(" q25nt-jmqsx\r"), "Q25NT-JMQSX");
        assert_eq!(normalize_code("Q25NTJMQSX"), "Q25NT-JMQSX");
        assert_eq!(normalize_code("Q25N TJMQ SX"), "Q25NT-JMQSX");
        assert_eq!(normalize_code("ß"), "SS");
        assert!(normalize_code(&"x".repeat(10_000)).len() <= MAX_CODE_CHARS + 1);
    }
}
