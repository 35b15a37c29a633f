//! Wrong passwords slow an account down: after [`FREE_FAILURES`] failures each further attempt
//! waits twice as long as the one before (capped at [`LONGEST_WAIT`]), for that account, on
//! every terminal and in every process (the count is kept in the database). A correct
//! password clears the count; a day without failures starts it afresh.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::DataError;

/// Failures allowed before attempts have to wait.
pub const FREE_FAILURES: i32 = 5;
/// The longest wait between attempts, in seconds.
pub const LONGEST_WAIT: i64 = 15 * 60;

/// The key an account is counted under: the email as typed, trimmed and lower-cased.
pub fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whole seconds `account` must still wait before an attempt is checked (0: none).
pub async fn wait_left(pool: &PgPool, account: &str) -> Result<i64, DataError> {
    let seconds: Option<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM wait_until - now())::float8 FROM sign_in_failures \
         WHERE account = $1 AND wait_until > now()",
    )
    .bind(account)
    .fetch_optional(pool)
    .await?
    .flatten();
    // Rounded up: "wait 0 s" must never be shown while a wait is still on.
    Ok(seconds.map_or(0, |s| s.ceil().max(1.0) as i64))
}

/// What a failure left: how many in a row, and until when the next attempt waits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Failures {
    pub count: i32,
    pub wait_until: Option<DateTime<Utc>>,
}

/// Counts a wrong password for `account`, logging it with the terminal it came from.
pub async fn record_failure(
    pool: &PgPool,
    account: &str,
    terminal: &str,
) -> Result<Failures, DataError> {
    // One statement, so that two terminals failing at once both count (the update reads the
    // row as the other left it). A first failure never waits: FREE_FAILURES is above 1.
    let (count, wait_until): (i32, Option<DateTime<Utc>>) = sqlx::query_as(
        "INSERT INTO sign_in_failures AS f (account, failures, last_failed_at) \
         VALUES ($1, 1, now()) \
         ON CONFLICT (account) DO UPDATE SET \
           failures = CASE WHEN f.last_failed_at < now() - interval '1 day' THEN 1 \
                           ELSE f.failures + 1 END, \
           last_failed_at = now(), \
           wait_until = CASE WHEN f.last_failed_at >= now() - interval '1 day' \
                                  AND f.failures + 1 >= $2 \
                             THEN now() + make_interval(secs => \
                                  least(power(2, least(f.failures + 1 - $2, 20)), $3)) END \
         RETURNING failures, wait_until",
    )
    .bind(account)
    .bind(FREE_FAILURES)
    .bind(LONGEST_WAIT as f64)
    .fetch_one(pool)
    .await?;
    tracing::warn!(
        account,
        terminal,
        failures = count,
        wait_until = ?wait_until,
        "sign-in refused: wrong email or password"
    );
    Ok(Failures { count, wait_until })
}

/// A correct password: the account starts afresh.
pub async fn clear(pool: &PgPool, account: &str) -> Result<(), DataError> {
    sqlx::query("DELETE FROM sign_in_failures WHERE account = $1")
        .bind(account)
        .execute(pool)
        .await?;
    Ok(())
}

/// The words for an attempt that has to wait.
pub fn wait_words(seconds: i64) -> String {
    let wait = if seconds >= 120 {
        format!("{} min", (seconds + 59) / 60)
    } else {
        format!("{seconds} s")
    };
    format!("too many wrong passwords for this account: wait {wait} before trying again")
}
