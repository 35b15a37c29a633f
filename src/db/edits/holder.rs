//! A ticket's holder name: the one field of a ticket people edit. A save names the name it
//! was based on, and is refused, saying what changed, if someone renamed the holder meanwhile.
//! (Not `updated_at`: a check-in, or renaming the ticket's type, which the ticket keeps a copy
//! of, changes that without touching the name.)

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::db::auth::{Actor, Role};
use crate::db::edits::clean_text;
use crate::error::{DataError, FieldErrors};

const MAX_HOLDER_CHARS: usize = 200;

/// A ticket's holder name as loaded for editing.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HolderName {
    pub ticket_id: i64,
    pub holder_name: String,
    pub updated_at: DateTime<Utc>,
}

/// Checks a holder name as the form would, next to the field.
pub fn validate_holder_name(name: &str) -> Result<String, DataError> {
    let mut errors = FieldErrors::default();
    let name = clean_text(
        &mut errors,
        "holder_name",
        "a ticket's holder name",
        name,
        1,
        MAX_HOLDER_CHARS,
    );
    errors.into_result(name)
}

/// Who may rename a ticket's holder (DESIGN.md "Roles": admins and support all, organizers
/// of their events, customers their own tickets).
async fn may_edit_holder(
    conn: &mut PgConnection,
    actor: &Actor,
    ticket_id: i64,
) -> Result<(), DataError> {
    let owners: Option<(i64, i64)> = sqlx::query_as(
        "SELECT e.organizer_id, o.user_id FROM tickets t JOIN orders o ON o.id = t.order_id \
         JOIN events e ON e.id = o.event_id WHERE t.id = $1 AND t.deleted_at IS NULL",
    )
    .bind(ticket_id)
    .fetch_optional(conn)
    .await?;
    let Some((organizer, buyer)) = owners else {
        return Err(DataError::NotFound);
    };
    let allowed = match actor.role {
        Role::Admin | Role::Support => true,
        Role::Organizer => organizer == actor.id,
        Role::Customer => buyer == actor.id,
        Role::Staff => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(DataError::Refused(
            "you cannot change the holder of this ticket".into(),
        ))
    }
}

pub async fn load_holder_name(
    pool: &PgPool,
    actor: &Actor,
    ticket_id: i64,
) -> Result<HolderName, DataError> {
    let mut conn = pool.acquire().await?;
    may_edit_holder(&mut conn, actor, ticket_id).await?;
    sqlx::query_as("SELECT id AS ticket_id, holder_name, updated_at FROM tickets WHERE id = $1 AND deleted_at IS NULL")
        .bind(ticket_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(DataError::NotFound)
}

/// Saves a new holder name over the version `loaded`. Refused, changing nothing, when the
/// ticket changed since it was loaded; the message says what it is now.
pub async fn save_holder_name(
    pool: &PgPool,
    actor: &Actor,
    loaded: &HolderName,
    name: &str,
) -> Result<HolderName, DataError> {
    let name = validate_holder_name(name)?;
    let mut tx = pool.begin().await?;
    may_edit_holder(&mut tx, actor, loaded.ticket_id).await?;
    let saved: Option<HolderName> = sqlx::query_as(
        "UPDATE tickets SET holder_name = $2 \
         WHERE id = $1 AND holder_name = $3 AND deleted_at IS NULL \
         RETURNING id AS ticket_id, holder_name, updated_at",
    )
    .bind(loaded.ticket_id)
    .bind(&name)
    .bind(&loaded.holder_name)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(saved) = saved else {
        let now: Option<(String, String)> = sqlx::query_as(
            "SELECT holder_name, status::text FROM tickets WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(loaded.ticket_id)
        .fetch_optional(&mut *tx)
        .await?;
        return Err(match now {
            None => {
                DataError::Refused("this ticket was deleted meanwhile; nothing was saved".into())
            }
            Some((holder, status)) => DataError::Conflict(format!(
                "someone changed this ticket since you opened it (holder now “{holder}”, was “{}”; status {status}); \
                 nothing was saved: press Ctrl-r to reload it and apply your change again",
                loaded.holder_name
            )),
        });
    };
    crate::db::edits::log_and_commit(
        tx,
        actor,
        ("update", "ticket", loaded.ticket_id),
        Some(serde_json::json!({ "holder_name": loaded.holder_name })),
        serde_json::json!({ "holder_name": saved.holder_name }),
    )
    .await?;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_names_are_checked_before_anything_is_sent() {
        assert_eq!(
            validate_holder_name("  Ada Lovelace ").expect("valid"),
            "Ada Lovelace"
        );
        assert!(validate_holder_name("   ").is_err());
        assert!(validate_holder_name(&"x".repeat(201)).is_err());
        assert!(validate_holder_name("Ada\u{1b}[2J").is_err());
        assert_eq!(
            validate_holder_name("Zoë 🎷 שלום").expect("unicode is fine"),
            "Zoë 🎷 שלום"
        );
    }
}
