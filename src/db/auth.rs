//! Who is signed in: roles, password hashing (argon2id) and sign-in.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sqlx::PgPool;

use crate::db::sign_in_throttle as throttle;
use crate::error::{DataError, SetupError};

/// The roles of DESIGN.md "Roles".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, serde::Serialize)]
#[sqlx(type_name = "user_role", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Organizer,
    Support,
    Staff,
    Customer,
}

impl Role {
    /// Every role, in the order forms offer them.
    pub const ALL: [Role; 5] = [
        Role::Customer,
        Role::Organizer,
        Role::Support,
        Role::Staff,
        Role::Admin,
    ];

    pub fn from_label(label: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.label() == label)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Organizer => "organizer",
            Role::Support => "support",
            Role::Staff => "staff",
            Role::Customer => "customer",
        }
    }
}

/// The signed-in user. Every data-layer call takes one and scopes what it reads by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Their own zone for times that are no event's (None: the configured default).
    pub time_zone: Option<String>,
}

/// Longest password we hash; longer input is refused before any work is done.
pub(crate) const MAX_PASSWORD_BYTES: usize = 1024;
const MAX_EMAIL_BYTES: usize = 254;

pub fn hash_password(password: &str) -> Result<String, SetupError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| SetupError::Invalid(format!("making a salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| SetupError::Invalid(format!("hashing a password: {e}")))
}

fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of nothing in particular, checked when the email is unknown so that a wrong email
/// and a wrong password take the same time.
fn decoy_hash() -> String {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY
        .get_or_init(|| hash_password("decoy").unwrap_or_default())
        .clone()
}

/// Checks an email and password typed at `terminal` (named in the log of failures). The same
/// plain refusal covers an unknown email, a wrong password and an account that cannot sign
/// in; after a few failures the account's attempts are slowed down (`sign_in_throttle`).
pub async fn sign_in(
    pool: &PgPool,
    email: &str,
    password: &str,
    terminal: &str,
) -> Result<Actor, DataError> {
    let refused = || DataError::Refused("wrong email or password".into());
    let email = email.trim();
    if email.is_empty() || password.is_empty() {
        return Err(DataError::Invalid("enter an email and a password".into()));
    }
    if email.len() > MAX_EMAIL_BYTES {
        return Err(refused());
    }
    let account = throttle::account_key(email);
    let wait = throttle::wait_left(pool, &account).await?;
    if wait > 0 {
        return Err(DataError::Refused(throttle::wait_words(wait)));
    }
    let outcome = check_password(pool, email, password).await?;
    match outcome {
        Some(actor) => {
            throttle::clear(pool, &account).await?;
            Ok(actor)
        }
        None => {
            throttle::record_failure(pool, &account, terminal).await?;
            Err(refused())
        }
    }
}

/// The user `email` names when `password` is theirs.
async fn check_password(
    pool: &PgPool,
    email: &str,
    password: &str,
) -> Result<Option<Actor>, DataError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(None);
    }
    type Found = (i64, String, String, Role, Option<String>, Option<String>);
    let row: Option<Found> = sqlx::query_as(
        "SELECT id, email, name, role, time_zone, password_hash FROM users \
         WHERE lower(email) = lower($1) AND deleted_at IS NULL",
    )
    .bind(email)
    .fetch_optional(pool)
    .await?;
    let stored = row.as_ref().and_then(|(.., hash)| hash.clone());
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || {
        verify_password(&password, &stored.unwrap_or_else(decoy_hash))
    })
    .await
    .unwrap_or(false);
    Ok(match row {
        Some((id, email, name, role, time_zone, Some(_))) if matches => Some(Actor {
            id,
            email,
            name,
            role,
            time_zone,
        }),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse").expect("hashing works");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }
}
