//! Managing users (admins only; DESIGN.md "Roles"): find, create, edit name, email and role,
//! and reset a password.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::db::auth::{Actor, MAX_PASSWORD_BYTES, Role, hash_password};
use crate::db::edits::{clean_email, clean_text, log_and_commit, updated_or_conflict};
use crate::db::permissions::Write;
use crate::db::ssh_keys::{self, ChangedBy, SshKey};
use crate::error::{DataError, FieldErrors};

const SEARCH_LIMIT: i64 = 12;
const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Whether the account has a password (one without cannot sign in).
    pub can_sign_in: bool,
    /// Their zone for times that are no event's (None: the configured default).
    pub time_zone: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// The SSH keys that sign this user in to `boxoffice serve` (loaded for the form only).
    #[sqlx(skip)]
    #[serde(skip)]
    pub keys: Vec<SshKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDraft {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// A new password; None keeps the current one (or none, for a new user).
    pub password: Option<String>,
    /// A public key line to add for `boxoffice serve`.
    pub add_key: Option<String>,
    /// Fingerprints of this user's keys to revoke.
    pub revoke_keys: Vec<String>,
    /// An IANA zone as typed (any case, or a part naming one zone); empty: the default.
    pub time_zone: String,
}

impl UserDraft {
    pub fn validate(&self) -> Result<UserDraft, DataError> {
        let mut errors = FieldErrors::default();
        let email = clean_email(&mut errors, "email", &self.email);
        let name = clean_text(&mut errors, "name", "the name", &self.name, 1, 200);
        if let Some(password) = &self.password {
            if password.chars().count() < MIN_PASSWORD_CHARS {
                errors.add(
                    "password",
                    format!("a password needs at least {MIN_PASSWORD_CHARS} characters"),
                );
            } else if password.len() > MAX_PASSWORD_BYTES {
                errors.add("password", "that password is too long");
            }
        }
        if let Some(line) = &self.add_key
            && let Err(error) = ssh_keys::parse_public_key(line)
        {
            errors.add("new_key", error.to_string());
        }
        let time_zone = match self.time_zone.trim() {
            "" => String::new(),
            typed => match crate::zone::parse_zone(typed) {
                Ok(zone) => zone.name().to_string(),
                Err(message) => {
                    errors.add("time_zone", message);
                    String::new()
                }
            },
        };
        errors.into_result(UserDraft {
            email,
            name,
            time_zone,
            ..self.clone()
        })
    }
}

fn admins_only(actor: &Actor) -> Result<(), DataError> {
    Write::ManageUsers.check(actor)
}

const SELECT_USER: &str = "SELECT id, email, name, role, password_hash IS NOT NULL AS can_sign_in, time_zone, updated_at \
     FROM users";

/// Users whose email starts with, or (from 3 characters on) whose name contains, `text`
/// (case-insensitive); the first few by email.
pub async fn search_users(
    pool: &PgPool,
    actor: &Actor,
    text: &str,
) -> Result<Vec<UserRecord>, DataError> {
    admins_only(actor)?;
    let text: String = text.trim().to_lowercase().chars().take(200).collect();
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    // Ordered by the C collation so that the planner ranges over the pattern index (0006)
    // instead of walking the whole unique index in its own order and filtering.
    const ORDER: &str = " ORDER BY lower(email) COLLATE \"C\", id LIMIT ";
    let mut query = sqlx::QueryBuilder::new("SELECT * FROM ((");
    query
        .push(SELECT_USER)
        .push(" WHERE deleted_at IS NULL AND lower(email) LIKE ")
        .push_bind(format!("{escaped}%"))
        .push(ORDER)
        .push_bind(SEARCH_LIMIT)
        .push(")");
    // One or two letters are in too many names to search them (trigrams need three).
    if text.chars().count() >= 3 {
        query
            .push(" UNION (")
            .push(SELECT_USER)
            .push(" WHERE deleted_at IS NULL AND lower(name) LIKE ")
            .push_bind(format!("%{escaped}%"))
            .push(ORDER)
            .push_bind(SEARCH_LIMIT)
            .push(")");
    }
    query.push(") AS found").push(ORDER).push_bind(SEARCH_LIMIT);
    Ok(query.build_query_as().fetch_all(pool).await?)
}

async fn fetch_record(conn: &mut PgConnection, id: i64) -> Result<Option<UserRecord>, DataError> {
    let mut query = sqlx::QueryBuilder::new(SELECT_USER);
    query
        .push(" WHERE deleted_at IS NULL AND id = ")
        .push_bind(id);
    Ok(query.build_query_as().fetch_optional(conn).await?)
}

async fn hash(password: Option<String>) -> Result<Option<String>, DataError> {
    let Some(password) = password else {
        return Ok(None);
    };
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| DataError::Database(format!("hashing the password: {e}")))?
        .map(Some)
        .map_err(|e| DataError::Database(e.to_string()))
}

/// Refuses an email another live user already has, next to the field.
async fn email_free(
    conn: &mut PgConnection,
    email: &str,
    except: Option<i64>,
) -> Result<(), DataError> {
    let taken: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL \
         AND id IS DISTINCT FROM $2)",
    )
    .bind(email)
    .bind(except)
    .fetch_one(conn)
    .await?;
    if taken {
        Err(DataError::Fields(FieldErrors::one(
            "email",
            "another user already has this email",
        )))
    } else {
        Ok(())
    }
}

pub async fn create_user(
    pool: &PgPool,
    actor: &Actor,
    draft: &UserDraft,
) -> Result<UserRecord, DataError> {
    admins_only(actor)?;
    let draft = draft.validate()?;
    let password_hash = hash(draft.password.clone()).await?;
    let mut tx = pool.begin().await?;
    email_free(&mut tx, &draft.email, None).await?;
    super::zone_known_to_server(&mut tx, &draft.time_zone).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, name, role, password_hash, time_zone) \
         VALUES ($1, $2, $3, $4, NULLIF($5, '')) RETURNING id",
    )
    .bind(&draft.email)
    .bind(&draft.name)
    .bind(draft.role)
    .bind(password_hash)
    .bind(&draft.time_zone)
    .fetch_one(&mut *tx)
    .await?;
    change_keys(&mut tx, actor, id, &draft).await?;
    let saved = fetch_record(&mut tx, id)
        .await?
        .ok_or(DataError::NotFound)?;
    log_and_commit(
        tx,
        actor,
        ("create", "user", id),
        None,
        serde_json::to_value(&saved).unwrap_or_default(),
    )
    .await?;
    Ok(saved)
}

/// Saves `draft` over the version `loaded`; refused, writing nothing, if the user changed
/// meanwhile. An admin cannot take away their own admin role (nobody could give it back).
pub async fn update_user(
    pool: &PgPool,
    actor: &Actor,
    loaded: &UserRecord,
    draft: &UserDraft,
) -> Result<UserRecord, DataError> {
    admins_only(actor)?;
    let draft = draft.validate()?;
    if loaded.id == actor.id && draft.role != Role::Admin {
        return Err(DataError::Fields(FieldErrors::one(
            "role",
            "you cannot take away your own admin role",
        )));
    }
    let password_hash = hash(draft.password.clone()).await?;
    let mut tx = pool.begin().await?;
    email_free(&mut tx, &draft.email, Some(loaded.id)).await?;
    super::zone_known_to_server(&mut tx, &draft.time_zone).await?;
    let updated = sqlx::query(
        "UPDATE users SET email = $3, name = $4, role = $5, \
         password_hash = coalesce($6, password_hash), time_zone = NULLIF($7, '') \
         WHERE id = $1 AND updated_at = $2 AND deleted_at IS NULL",
    )
    .bind(loaded.id)
    .bind(loaded.updated_at)
    .bind(&draft.email)
    .bind(&draft.name)
    .bind(draft.role)
    .bind(password_hash)
    .bind(&draft.time_zone)
    .execute(&mut *tx)
    .await?;
    let now = fetch_record(&mut tx, loaded.id).await?;
    let before = serde_json::to_value(loaded).unwrap_or_default();
    let saved = updated_or_conflict("user", &before, updated.rows_affected() > 0, now)?;
    change_keys(&mut tx, actor, loaded.id, &draft).await?;
    let mut after = serde_json::to_value(&saved).unwrap_or_default();
    if draft.password.is_some()
        && let Some(fields) = after.as_object_mut()
    {
        // The log says a password was set, never anything derived from it.
        fields.insert("password".into(), "reset".into());
    }
    log_and_commit(
        tx,
        actor,
        ("update", "user", loaded.id),
        Some(before),
        after,
    )
    .await?;
    Ok(saved)
}

pub async fn load_user(pool: &PgPool, actor: &Actor, id: i64) -> Result<UserRecord, DataError> {
    admins_only(actor)?;
    let mut conn = pool.acquire().await?;
    let mut user = fetch_record(&mut conn, id)
        .await?
        .ok_or(DataError::NotFound)?;
    user.keys = ssh_keys::of_user(&mut conn, id).await?;
    Ok(user)
}

/// Revokes and adds the user's SSH keys as the form asks, in the save's transaction (each
/// change audited); a key that cannot be added is explained next to its field.
async fn change_keys(
    conn: &mut PgConnection,
    actor: &Actor,
    user_id: i64,
    draft: &UserDraft,
) -> Result<(), DataError> {
    for fingerprint in &draft.revoke_keys {
        ssh_keys::revoke_in(conn, ChangedBy::User(actor), fingerprint, Some(user_id)).await?;
    }
    if let Some(line) = &draft.add_key {
        ssh_keys::add_in(conn, ChangedBy::User(actor), user_id, line, "")
            .await
            .map_err(|error| match error {
                DataError::Invalid(reason) => {
                    DataError::Fields(FieldErrors::one("new_key", reason))
                }
                other => other,
            })?;
    }
    Ok(())
}
