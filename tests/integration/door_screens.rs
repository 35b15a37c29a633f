//! The Check-in screen and the kiosk, driven by keys and answered by the real data layer.

use crate::common::{Harness, TestDb};
use boxoffice::app::tab::Tab;
use boxoffice::app::{Kiosk, Screen};
use crossterm::event::{KeyCode, KeyModifiers};

/// Scans happen now: their clock times are masked so the snapshots hold tomorrow.
fn snapshot(name: &str, screen: String) {
    insta::with_settings!({ filters => vec![(r"\b\d\d:\d\d\b", "hh:mm")] }, {
        insta::assert_snapshot!(name, screen);
    });
}

async fn code(db: &TestDb, sql: &'static str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(&db.pool)
        .await
        .expect("a ticket code")
}

async fn scan(harness: &mut Harness, code: &str) -> String {
    harness.type_text(code).await;
    harness.press(KeyCode::Enter).await;
    harness.render()
}

#[tokio::test]
async fn every_result_is_big_and_in_words() {
    let db = TestDb::with_demo().await;
    let valid = code(
        &db,
        "SELECT t.code FROM tickets t JOIN orders o ON o.id = t.order_id \
         WHERE t.status = 'valid' AND o.status = 'paid' ORDER BY t.id LIMIT 1",
    )
    .await;
    let cancelled = code(
        &db,
        "SELECT code FROM tickets WHERE status = 'cancelled' ORDER BY id LIMIT 1",
    )
    .await;
    let unpaid = code(
        &db,
        "SELECT t.code FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.status = 'pending' ORDER BY t.id LIMIT 1",
    )
    .await;
    let mut harness = Harness::new(db.pool.clone(), 100, 32);
    harness.sign_in("door@boxoffice.test").await;
    assert_eq!(harness.app.tab, Tab::CheckIn, "staff land on Check-in");
    snapshot("check_in_ready", harness.render());

    let admitted = scan(&mut harness, &valid.to_lowercase()).await;
    assert!(admitted.contains("✓ "), "{admitted}");
    assert!(
        admitted.contains("ADMIT · ready for the next code"),
        "{admitted}"
    );
    assert_eq!(
        harness.app.check_in.input.value(),
        "",
        "the field is ready at once"
    );
    snapshot("check_in_admit", admitted);

    let used = scan(&mut harness, &valid).await;
    assert!(
        used.contains("✗ already used at") && used.contains("by test-door"),
        "{used}"
    );
    snapshot("check_in_already_used", used);

    let screen = scan(&mut harness, &cancelled).await;
    assert!(
        screen.contains("CANCELLED · ready") && screen.contains("this ticket was cancelled"),
        "{screen}"
    );
    let screen = scan(&mut harness, &unpaid).await;
    assert!(
        screen.contains("NOT PAID · ready") && screen.contains("the order is not paid"),
        "{screen}"
    );
    let screen = scan(&mut harness, "ZZZZZ-ZZZZZ").await;
    assert!(
        screen.contains("UNKNOWN CODE · ready")
            && screen.contains("no ticket has the code ZZZZZ-ZZZZZ"),
        "{screen}"
    );
    snapshot("check_in_unknown", screen.clone());
    // The counters and the last scans follow.
    assert!(screen.contains("1 checked in"), "{screen}");
    assert!(screen.contains("Last scans here"));

    // Undo by staff is refused with a plain message; the ticket stays in.
    scan(&mut harness, &valid).await;
    harness
        .press_with(KeyCode::Char('u'), KeyModifiers::CONTROL)
        .await;
    let refused = harness.render();
    assert!(
        refused.contains("the last scan was not an admission"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_locked_door_names_the_wrong_event() {
    let db = TestDb::with_demo().await;
    let (valid, event_id): (String, i64) = sqlx::query_as(
        "SELECT t.code, o.event_id FROM tickets t JOIN orders o ON o.id = t.order_id \
         WHERE t.status = 'valid' AND o.status = 'paid' ORDER BY t.id LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("a ticket");
    let other_event: i64 = sqlx::query_scalar("SELECT min(id) FROM events WHERE id <> $1")
        .bind(event_id)
        .fetch_one(&db.pool)
        .await
        .expect("another event");
    let mut harness = Harness::with_options(
        db.pool.clone(),
        100,
        32,
        "door-3",
        Some(Kiosk {
            event_id: Some(other_event),
            password_to_leave: true,
        }),
    );
    harness.sign_in("door@boxoffice.test").await;
    let screen = scan(&mut harness, &valid).await;
    assert!(
        screen.contains("WRONG EVENT · ready") && screen.contains("this ticket is for"),
        "{screen}"
    );
    snapshot("check_in_wrong_event", screen);
}

#[tokio::test]
async fn a_kiosk_is_locked_to_check_in_until_the_password_is_given() {
    let db = TestDb::with_demo().await;
    let mut harness = Harness::with_options(
        db.pool.clone(),
        100,
        32,
        "door-1",
        Some(Kiosk {
            event_id: None,
            password_to_leave: true,
        }),
    );
    // Support may not check in, so may not run a kiosk.
    harness.sign_in("support@boxoffice.test").await;
    assert_eq!(harness.app.screen, Screen::SignIn);
    assert!(
        harness.render().contains("cannot check tickets in"),
        "{}",
        harness.render()
    );
    harness.press(KeyCode::Esc).await;
    for _ in 0..40 {
        harness.press(KeyCode::Backspace).await;
    }
    harness.press(KeyCode::Tab).await;
    for _ in 0..40 {
        harness.press(KeyCode::Backspace).await;
    }
    harness.sign_in("door@boxoffice.test").await;
    assert_eq!(harness.app.screen, Screen::Main);
    let screen = harness.render();
    assert!(
        screen.contains("Check-in · kiosk") && !screen.contains("Orders"),
        "{screen}"
    );
    // No other tab, and q is just a letter of a code.
    harness.press(KeyCode::Tab).await;
    harness.press(KeyCode::Char('q')).await;
    assert_eq!(harness.app.tab, Tab::CheckIn);
    assert!(!harness.app.should_quit);
    assert_eq!(harness.app.check_in.input.value(), "q");
    // Ctrl-c asks for the password; a wrong one keeps the kiosk locked.
    harness
        .press_with(KeyCode::Char('c'), KeyModifiers::CONTROL)
        .await;
    harness.type_text("wrong").await;
    harness.press(KeyCode::Enter).await;
    assert!(!harness.app.should_quit);
    let screen = harness.render();
    assert!(screen.contains("wrong password"), "{screen}");
    snapshot("kiosk_unlock_refused", screen);
    harness.type_text("demo").await;
    harness.press(KeyCode::Enter).await;
    assert!(
        harness.app.should_quit,
        "the right password lets the kiosk close"
    );
}

#[tokio::test]
async fn admins_and_organizers_have_the_check_in_tab_support_does_not() {
    let db = TestDb::with_demo().await;
    for (email, has) in [
        ("admin@boxoffice.test", true),
        ("ada@boxoffice.test", true),
        ("support@boxoffice.test", false),
        ("chris@example.com", false),
    ] {
        let mut harness = Harness::new(db.pool.clone(), 100, 30);
        harness.sign_in(email).await;
        assert_eq!(harness.render().contains("4 Check-in"), has, "{email}");
        harness.press(KeyCode::Char('4')).await;
        assert_eq!(harness.app.tab == Tab::CheckIn, has, "{email}");
    }
}
