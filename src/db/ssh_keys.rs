//! SSH public keys that sign users in to `boxoffice serve`: added and revoked by admins (in
//! the users form, or by an operator with `boxoffice keys`), every change audited; the keys in
//! force, with their users, for the server's sign-in.

use chrono::{DateTime, Utc};
use russh::keys::{HashAlg, PublicKey};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::db::auth::{Actor, Role};
use crate::db::permissions::Write;
use crate::error::DataError;

/// Who changes keys: a signed-in admin, or the operator at the server's command line.
#[derive(Debug, Clone, Copy)]
pub enum ChangedBy<'a> {
    User(&'a Actor),
    /// `boxoffice keys …`: the operator is whoever may run the binary against the database.
    CommandLine(&'a str),
}

impl ChangedBy<'_> {
    fn check(&self) -> Result<(), DataError> {
        match self {
            ChangedBy::User(actor) => Write::ManageUsers.check(actor),
            ChangedBy::CommandLine(_) => Ok(()),
        }
    }

    fn actor_id(&self) -> Option<i64> {
        match self {
            ChangedBy::User(actor) => Some(actor.id),
            ChangedBy::CommandLine(_) => None,
        }
    }

    fn via(&self) -> serde_json::Value {
        match self {
            ChangedBy::User(_) => serde_json::Value::Null,
            ChangedBy::CommandLine(os_user) => {
                serde_json::json!(format!("boxoffice keys (command line, OS user {os_user})"))
            }
        }
    }
}

/// A key as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SshKey {
    pub id: i64,
    pub user_id: i64,
    pub email: String,
    pub fingerprint: String,
    pub label: String,
    pub public_key: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key that signs someone in now: not revoked, its user live and able to use the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInForce {
    pub fingerprint: String,
    pub actor: Actor,
}

/// A public key line as pasted: `ssh-ed25519 AAAA… comment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedKey {
    /// The key in OpenSSH form, without its comment.
    pub openssh: String,
    /// `SHA256:…`, as `ssh-keygen -l` and `ssh -v` show it.
    pub fingerprint: String,
    pub comment: String,
}

const MAX_KEY_CHARS: usize = 16_384;

pub fn parse_public_key(line: &str) -> Result<ParsedKey, DataError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(DataError::Invalid("paste a public key line".into()));
    }
    if line.contains("PRIVATE KEY") {
        return Err(DataError::Invalid(
            "that is a private key: paste the public one (the .pub file), and keep the private \
             key secret"
                .into(),
        ));
    }
    if line.len() > MAX_KEY_CHARS || line.contains(['\n', '\r']) {
        return Err(DataError::Invalid(
            "one public key line, as in ~/.ssh/id_ed25519.pub".into(),
        ));
    }
    let key = PublicKey::from_openssh(line).map_err(|_| {
        DataError::Invalid(
            "not an OpenSSH public key: expected a line like `ssh-ed25519 AAAA… you@laptop` \
             (the .pub file)"
                .into(),
        )
    })?;
    let comment = key.comment().to_string();
    let mut bare = key.clone();
    bare.set_comment("");
    let openssh = bare
        .to_openssh()
        .map_err(|_| DataError::Invalid("this public key cannot be stored".into()))?;
    Ok(ParsedKey {
        openssh: openssh.trim().to_string(),
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        comment,
    })
}

/// The fingerprint of a key as russh hands it over after checking its signature.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

const SELECT_KEYS: &str = "SELECT k.id, k.user_id, u.email, k.fingerprint, k.label, k.public_key, \
     k.created_at, k.last_used_at, k.revoked_at \
     FROM user_keys k JOIN users u ON u.id = k.user_id WHERE k.deleted_at IS NULL";

/// Adds `line` as a key of user `user_id`, inside the caller's transaction, with its audit row.
pub async fn add_in(
    conn: &mut PgConnection,
    by: ChangedBy<'_>,
    user_id: i64,
    line: &str,
    label: &str,
) -> Result<SshKey, DataError> {
    by.check()?;
    let parsed = parse_public_key(line)?;
    let label = match label.trim() {
        "" => parsed.comment.trim(),
        given => given,
    };
    let label: String = label
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let holder: Option<String> = sqlx::query_scalar(
        "SELECT u.email FROM user_keys k JOIN users u ON u.id = k.user_id \
         WHERE k.fingerprint = $1 AND k.revoked_at IS NULL AND k.deleted_at IS NULL",
    )
    .bind(&parsed.fingerprint)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(holder) = holder {
        return Err(DataError::Invalid(format!(
            "this key ({}) already signs in {holder}: each key belongs to one person",
            parsed.fingerprint
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO user_keys (user_id, fingerprint, public_key, label) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(&parsed.fingerprint)
    .bind(&parsed.openssh)
    .bind(&label)
    .fetch_one(&mut *conn)
    .await?;
    let key = fetch(&mut *conn, id).await?;
    record(conn, by, "add", &key, None).await?;
    Ok(key)
}

/// Revokes the key in force with `fingerprint`, inside the caller's transaction. `of_user`
/// narrows it to one user's keys (the users form).
pub async fn revoke_in(
    conn: &mut PgConnection,
    by: ChangedBy<'_>,
    fingerprint: &str,
    of_user: Option<i64>,
) -> Result<SshKey, DataError> {
    by.check()?;
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE user_keys SET revoked_at = now() \
         WHERE fingerprint = $1 AND revoked_at IS NULL AND deleted_at IS NULL \
           AND ($2::bigint IS NULL OR user_id = $2) RETURNING id",
    )
    .bind(fingerprint.trim())
    .bind(of_user)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        return Err(DataError::Invalid(format!(
            "no key in force has the fingerprint {} (see `boxoffice keys list`)",
            fingerprint.trim()
        )));
    };
    let key = fetch(&mut *conn, id).await?;
    let before = serde_json::json!({ "fingerprint": key.fingerprint, "revoked_at": null });
    record(conn, by, "revoke", &key, Some(before)).await?;
    Ok(key)
}

async fn fetch(conn: &mut PgConnection, id: i64) -> Result<SshKey, DataError> {
    let mut query = sqlx::QueryBuilder::new(SELECT_KEYS);
    query.push(" AND k.id = ").push_bind(id);
    Ok(query.build_query_as().fetch_one(conn).await?)
}

async fn record(
    conn: &mut PgConnection,
    by: ChangedBy<'_>,
    action: &str,
    key: &SshKey,
    before: Option<serde_json::Value>,
) -> Result<(), DataError> {
    let after = serde_json::json!({
        "user": key.email,
        "fingerprint": key.fingerprint,
        "label": key.label,
        "revoked_at": key.revoked_at,
        "via": by.via(),
    });
    crate::db::audit::record_by(
        conn,
        by.actor_id(),
        action,
        "user_key",
        key.id,
        before,
        Some(after),
    )
    .await
}

/// `boxoffice keys add EMAIL FILE`: adds a key to the live user with `email`.
pub async fn add(
    pool: &PgPool,
    by: ChangedBy<'_>,
    email: &str,
    line: &str,
    label: &str,
) -> Result<SshKey, DataError> {
    let mut tx = pool.begin().await?;
    let user_id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL",
    )
    .bind(email.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let user_id = user_id
        .ok_or_else(|| DataError::Invalid(format!("no user has the email {}", email.trim())))?;
    let key = add_in(&mut tx, by, user_id, line, label).await?;
    crate::db::edits::commit(tx).await?;
    Ok(key)
}

/// `boxoffice keys revoke FINGERPRINT`.
pub async fn revoke(
    pool: &PgPool,
    by: ChangedBy<'_>,
    fingerprint: &str,
) -> Result<SshKey, DataError> {
    let mut tx = pool.begin().await?;
    let key = revoke_in(&mut tx, by, fingerprint, None).await?;
    crate::db::edits::commit(tx).await?;
    Ok(key)
}

/// Every key (of one user's email, if given), newest first, revoked ones included.
pub async fn list(pool: &PgPool, email: Option<&str>) -> Result<Vec<SshKey>, DataError> {
    let mut query = sqlx::QueryBuilder::new(SELECT_KEYS);
    if let Some(email) = email {
        query
            .push(" AND lower(u.email) = lower(")
            .push_bind(email.trim().to_string())
            .push(")");
    }
    query.push(" ORDER BY k.created_at DESC, k.id DESC");
    Ok(query.build_query_as().fetch_all(pool).await?)
}

/// A user's keys in force, for the users form.
pub async fn of_user(conn: &mut PgConnection, user_id: i64) -> Result<Vec<SshKey>, DataError> {
    let mut query = sqlx::QueryBuilder::new(SELECT_KEYS);
    query
        .push(" AND k.revoked_at IS NULL AND k.user_id = ")
        .push_bind(user_id)
        .push(" ORDER BY k.created_at, k.id");
    Ok(query.build_query_as().fetch_all(conn).await?)
}

/// Every key that signs someone in now, with its user as the database knows them.
pub async fn in_force(pool: &PgPool) -> Result<Vec<KeyInForce>, DataError> {
    let rows: Vec<(String, i64, String, String, Role, Option<String>)> = sqlx::query_as(
        "SELECT k.fingerprint, u.id, u.email, u.name, u.role, u.time_zone \
         FROM user_keys k JOIN users u ON u.id = k.user_id \
         WHERE k.revoked_at IS NULL AND k.deleted_at IS NULL AND u.deleted_at IS NULL \
          ",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(fingerprint, id, email, name, role, time_zone)| KeyInForce {
                fingerprint,
                actor: Actor {
                    id,
                    email,
                    name,
                    role,
                    time_zone,
                },
            },
        )
        .collect())
}

/// The user a key signs in now (None: revoked, or its user gone), noting the key as used.
pub async fn sign_in_with(pool: &PgPool, fingerprint: &str) -> Result<Option<Actor>, DataError> {
    let row: Option<(i64, String, String, Role, Option<String>)> = sqlx::query_as(
        "UPDATE user_keys k SET last_used_at = now() FROM users u \
         WHERE u.id = k.user_id AND k.fingerprint = $1 AND k.revoked_at IS NULL \
           AND k.deleted_at IS NULL AND u.deleted_at IS NULL \
         RETURNING u.id, u.email, u.name, u.role, u.time_zone",
    )
    .bind(fingerprint)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(id, email, name, role, time_zone)| Actor {
        id,
        email,
        name,
        role,
        time_zone,
    }))
}
