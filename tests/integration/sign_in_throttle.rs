//! Wrong passwords slow an account down, for that account only, across connections (other
//! terminals and processes), and a correct password starts it afresh.

use crate::common::TestDb;
use boxoffice::db::auth::sign_in;
use boxoffice::db::seed::DEMO_PASSWORD;
use boxoffice::db::sign_in_throttle::{FREE_FAILURES, LONGEST_WAIT};
use boxoffice::error::DataError;
use sqlx::PgPool;

const ADA: &str = "ada@boxoffice.test";

async fn refusal(pool: &PgPool, email: &str, password: &str) -> String {
    match sign_in(pool, email, password, "test door").await {
        Err(DataError::Refused(words)) => words,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The wait the last failure set, in whole seconds.
async fn wait_set(pool: &PgPool, email: &str) -> Option<i64> {
    sqlx::query_scalar(
        "SELECT round(extract(epoch FROM wait_until - last_failed_at))::bigint \
         FROM sign_in_failures WHERE account = lower($1)",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .expect("a row of failures")
}

/// Lets the current wait run out without sleeping.
async fn let_wait_pass(pool: &PgPool, email: &str) {
    sqlx::query(
        "UPDATE sign_in_failures SET wait_until = now() - interval '1 second' \
         WHERE account = lower($1)",
    )
    .bind(email)
    .execute(pool)
    .await
    .expect("wait cleared");
}

#[tokio::test]
async fn after_five_failures_each_attempt_waits_twice_as_long_on_every_terminal() {
    let db = TestDb::with_demo().await;
    let other_terminal = db.other_terminal().await;
    for attempt in 1..=FREE_FAILURES {
        // Alternating connections: the count is the account's, not the terminal's.
        let pool = if attempt % 2 == 0 {
            &other_terminal
        } else {
            &db.pool
        };
        assert_eq!(refusal(pool, ADA, "wrong").await, "wrong email or password");
    }
    assert_eq!(wait_set(&db.pool, ADA).await, Some(1));
    // During the wait even the right password is not checked, from any terminal, and the
    // wait is said in words.
    let words = refusal(&other_terminal, "  ADA@boxoffice.test ", DEMO_PASSWORD).await;
    assert!(
        words.starts_with("too many wrong passwords for this account: wait "),
        "{words}"
    );
    // Each further failure doubles the wait.
    for expected in [2, 4, 8, 16] {
        let_wait_pass(&db.pool, ADA).await;
        refusal(&db.pool, ADA, "wrong again").await;
        assert_eq!(wait_set(&db.pool, ADA).await, Some(expected));
    }
    // Another account is not slowed down by Ada's failures.
    db.actor("admin@boxoffice.test").await;
    // Once the wait has passed, the right password signs in and clears the count.
    let_wait_pass(&db.pool, ADA).await;
    let ada = sign_in(&db.pool, ADA, DEMO_PASSWORD, "test door")
        .await
        .expect("the right password after the wait");
    assert_eq!(ada.email, ADA);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sign_in_failures")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(left, 0);
}

#[tokio::test]
async fn the_wait_is_capped_and_unknown_emails_are_counted_alike() {
    let db = TestDb::with_demo().await;
    let stranger = "nobody@nowhere.example";
    for _ in 0..FREE_FAILURES {
        assert_eq!(
            refusal(&db.pool, stranger, "guess").await,
            "wrong email or password"
        );
    }
    // Unknown emails are slowed down exactly like real ones (no hint which exist).
    assert_eq!(wait_set(&db.pool, stranger).await, Some(1));
    sqlx::query("UPDATE sign_in_failures SET failures = 40, wait_until = NULL")
        .execute(&db.pool)
        .await
        .expect("many failures");
    refusal(&db.pool, stranger, "guess").await;
    assert_eq!(wait_set(&db.pool, stranger).await, Some(LONGEST_WAIT));
    let words = refusal(&db.pool, stranger, "guess").await;
    assert!(words.contains("wait 15 min"), "{words}");
}

#[tokio::test]
async fn a_day_without_failures_starts_the_count_afresh() {
    let db = TestDb::with_demo().await;
    for _ in 0..FREE_FAILURES {
        refusal(&db.pool, ADA, "wrong").await;
    }
    sqlx::query(
        "UPDATE sign_in_failures SET last_failed_at = now() - interval '2 days', \
         wait_until = NULL",
    )
    .execute(&db.pool)
    .await
    .expect("a day later");
    refusal(&db.pool, ADA, "wrong").await;
    let failures: i32 = sqlx::query_scalar("SELECT failures FROM sign_in_failures")
        .fetch_one(&db.pool)
        .await
        .expect("failures");
    assert_eq!(failures, 1);
    assert_eq!(wait_set(&db.pool, ADA).await, None);
}
