//! Creating and editing rows through the forms. Every save checks the role matrix, validates
//! what the database's constraints would refuse (saying which field is wrong), writes the
//! audit log in the same transaction, and — for edits — names the version it was based on
//! (`updated_at` as loaded): if the row moved on meanwhile the save is refused, saying what
//! changed, and nothing is written (no lost updates).

pub mod events;
pub mod holder;
pub mod orders;
pub mod ticket_types;
pub mod users;

pub use holder::{HolderName, load_holder_name, save_holder_name, validate_holder_name};

use serde_json::Value;
use sqlx::{Postgres, Transaction};

use crate::error::{DataError, FieldErrors};

/// Writes the audit row of a form's save (the values before and after) and commits both.
pub(crate) async fn log_and_commit(
    mut tx: Transaction<'_, Postgres>,
    actor: &crate::db::auth::Actor,
    (action, entity, id): (&str, &str, i64),
    before: Option<Value>,
    after: Value,
) -> Result<(), DataError> {
    crate::db::audit::record(&mut tx, actor, action, entity, id, before, Some(after)).await?;
    commit(tx).await
}

/// The row as a version-checked UPDATE left it; when the UPDATE matched nothing, the
/// refusal that says what changed since `loaded` (or that the row is gone).
pub(crate) fn updated_or_conflict<T: serde::Serialize>(
    what: &str,
    loaded: &Value,
    updated: bool,
    now: Option<T>,
) -> Result<T, DataError> {
    match now {
        Some(now) if updated => Ok(now),
        Some(now) => Err(conflict(
            what,
            loaded,
            Some(&serde_json::to_value(now).unwrap_or_default()),
        )),
        None => Err(conflict(what, loaded, None)),
    }
}

/// Commits a form's save. A connection lost before the commit means nothing was written (the
/// form may safely send it again when the database is back); lost during the commit, nobody
/// knows, and the form must not send it again by itself.
pub(crate) async fn commit(tx: Transaction<'_, Postgres>) -> Result<(), DataError> {
    tx.commit()
        .await
        .map_err(|error| match DataError::from(error) {
            DataError::Unavailable(_) => DataError::Unconfirmed,
            other => other,
        })
}

/// Trims `value` and checks it is between `min` and `max` characters on one line with no
/// control characters; the reason goes to `field` in `errors`.
pub(crate) fn clean_text(
    errors: &mut FieldErrors,
    field: &'static str,
    what: &str,
    value: &str,
    min: usize,
    max: usize,
) -> String {
    clean(errors, field, what, value, (min, max), false)
}

/// As `clean_text`, but line breaks are allowed (a description).
pub(crate) fn clean_multiline_text(
    errors: &mut FieldErrors,
    field: &'static str,
    what: &str,
    value: &str,
    max: usize,
) -> String {
    clean(errors, field, what, value, (0, max), true)
}

fn clean(
    errors: &mut FieldErrors,
    field: &'static str,
    what: &str,
    value: &str,
    (min, max): (usize, usize),
    line_breaks: bool,
) -> String {
    let value = value.trim();
    let length = value.chars().count();
    if length < min {
        errors.add(field, format!("{what} cannot be empty"));
    } else if length > max {
        errors.add(field, format!("{what}: at most {max} characters"));
    } else if value
        .chars()
        .any(|c| c.is_control() && !(line_breaks && c == '\n'))
    {
        errors.add(field, format!("{what}: no control characters, please"));
    }
    value.to_string()
}

/// Checks an email's shape as the users table does (something@something, no spaces).
/// A zone the tz database of our Rust side knows may be newer than the server's: the server
/// must know it too, since filters and dashboards ask it for local days in that zone.
pub(crate) async fn zone_known_to_server(
    conn: &mut sqlx::PgConnection,
    zone: &str,
) -> Result<(), DataError> {
    if zone.is_empty() {
        return Ok(());
    }
    let known: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)")
            .bind(zone)
            .fetch_one(conn)
            .await?;
    if known {
        Ok(())
    } else {
        Err(DataError::Fields(FieldErrors::one(
            "time_zone",
            format!("{zone} is newer than the database server's time zone data: pick another"),
        )))
    }
}

pub(crate) fn clean_email(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    let email = value.trim();
    let shaped = email.split('@').count() == 2
        && email.split('@').all(|part| {
            !part.is_empty() && !part.chars().any(|c| c.is_whitespace() || c.is_control())
        });
    if email.is_empty() {
        errors.add(field, "an email is needed");
    } else if email.len() > 254 {
        errors.add(field, "an email has at most 254 characters");
    } else if !shaped {
        errors.add(field, "an email looks like name@example.com");
    }
    email.to_string()
}

/// "title now “B”, was “A”; venue now …" for the fields that differ between two versions of
/// a row (JSON objects of the same record type).
pub(crate) fn describe_changes(loaded: &Value, now: &Value) -> String {
    let (Some(loaded), Some(now)) = (loaded.as_object(), now.as_object()) else {
        return String::new();
    };
    now.iter()
        .filter(|(key, _)| key.as_str() != "updated_at" && key.as_str() != "id")
        .filter_map(|(key, value)| {
            let before = loaded.get(key).unwrap_or(&Value::Null);
            (before != value).then(|| {
                format!(
                    "{} now “{}”, was “{}”",
                    key.replace('_', " "),
                    plain(value),
                    plain(before)
                )
            })
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn plain(value: &Value) -> String {
    match value {
        // Times are stored as RFC 3339 in UTC; say so rather than show the raw text.
        Value::String(text) => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(at) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
            Err(_) => text.clone(),
        },
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The refusal of a save based on an old version.
pub(crate) fn conflict(what: &str, loaded: &Value, now: Option<&Value>) -> DataError {
    match now {
        None => DataError::Refused(format!(
            "this {what} was deleted meanwhile; nothing was saved"
        )),
        Some(now) => {
            let changes = describe_changes(loaded, now);
            let changes = if changes.is_empty() {
                String::new()
            } else {
                format!(" ({changes})")
            };
            DataError::Conflict(format!(
                "someone changed this {what} since you opened it{changes}; nothing was saved: \
                 press Ctrl-r to reload it and apply your change again"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_are_described_field_by_field() {
        let loaded = json!({"id": 1, "title": "A", "venue": "Hall", "updated_at": "x"});
        let now = json!({"id": 1, "title": "B", "venue": "Hall", "updated_at": "y"});
        assert_eq!(describe_changes(&loaded, &now), "title now “B”, was “A”");
    }

    #[test]
    fn emails_are_shaped_like_the_database_wants() {
        for good in ["a@b", "ada@boxoffice.test", "Zoë@例え.jp"] {
            let mut errors = FieldErrors::default();
            clean_email(&mut errors, "email", good);
            assert!(errors.is_empty(), "{good}");
        }
        for bad in ["", "ada", "a@b@c", "@b", "a@", "a b@c", "a@b\u{7}"] {
            let mut errors = FieldErrors::default();
            clean_email(&mut errors, "email", bad);
            assert!(!errors.is_empty(), "{bad:?}");
        }
    }
}
