//! Delete, the trash, restore and order actions as a user drives them: every change asks
//! first, says what it will do, and a refusal is a plain message.

use crate::common::{Harness, TestDb};
use boxoffice::app::tab::Tab;
use crossterm::event::KeyCode;

async fn live_events(db: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events WHERE deleted_at IS NULL")
        .fetch_one(&db.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn delete_an_event_find_it_in_the_trash_and_restore_it() {
    let db = TestDb::with_demo().await;
    let mut harness = Harness::new(db.pool.clone(), 110, 30);
    harness.sign_in("admin@boxoffice.test").await;
    let before = live_events(&db).await;
    harness.press(KeyCode::Char('d')).await;
    let question = harness.render();
    assert!(
        question.contains("Move event “Science Pub Quiz” with 2 ticket types"),
        "{question}"
    );
    insta::assert_snapshot!("delete_confirmation", question);
    // No: nothing changes.
    harness.press(KeyCode::Char('n')).await;
    assert_eq!(live_events(&db).await, before);
    harness.press(KeyCode::Char('d')).await;
    harness.press(KeyCode::Char('y')).await;
    assert_eq!(live_events(&db).await, before - 1);
    assert!(harness.render().contains("moved event “Science Pub Quiz”"));
    assert!(
        !harness.render().contains("Science Pub Quiz  "),
        "gone from the list"
    );

    harness.press(KeyCode::Char('5')).await;
    assert_eq!(harness.app.tab, Tab::Trash);
    let trash = harness.render();
    assert!(
        trash.contains("event “Science Pub Quiz”") && trash.contains("Alex Admin"),
        "{trash}"
    );
    // The trash filters by kind; a bad kind is explained and nothing is sent.
    harness.press(KeyCode::Char('/')).await;
    harness.type_text("kind:concert").await;
    harness.press(KeyCode::Enter).await;
    assert!(harness.render().contains("unknown kind `concert`"));
    harness.press(KeyCode::Esc).await;
    // Purge names everything that would go; No keeps it.
    harness.press(KeyCode::Char('P')).await;
    let purge = harness.render();
    assert!(purge.contains("Purge event “Science Pub Quiz”"), "{purge}");
    // The batch's time is now: masked.
    let now_masked = vec![(r"\d{4}-\d\d-\d\d \d\d:\d\d", "[deleted at]")];
    insta::with_settings!({ filters => now_masked.clone() }, {
        insta::assert_snapshot!("purge_question", purge);
    });
    harness.press(KeyCode::Char('n')).await;
    harness.press(KeyCode::Char('r')).await;
    let restore = harness.render();
    assert!(
        restore.contains("Restore event “Science Pub Quiz”"),
        "{restore}"
    );
    insta::with_settings!({ filters => now_masked }, {
        insta::assert_snapshot!("restore_question", restore);
    });
    harness.press(KeyCode::Enter).await;
    assert_eq!(
        live_events(&db).await,
        before,
        "the event and its batch are back"
    );
    assert!(harness.render().contains("the trash is empty"));
    harness.press(KeyCode::Char('1')).await;
    assert!(harness.render().contains("Science Pub Quiz"));
    // The log has the row before and after each step, and what went with it.
    let log: Vec<(String, serde_json::Value, serde_json::Value)> = sqlx::query_as(
        "SELECT a.action, a.before, a.after FROM audit_log a JOIN events e ON e.id = a.entity_id \
         WHERE a.entity = 'event' AND e.title = 'Science Pub Quiz' ORDER BY a.id",
    )
    .fetch_all(&db.pool)
    .await
    .expect("log");
    let actions: Vec<&str> = log.iter().map(|(action, ..)| action.as_str()).collect();
    assert_eq!(actions, ["delete", "restore"]);
    let (_, before, after) = &log[0];
    assert!(before["deleted_at"].is_null());
    assert!(after["deleted_at"].is_string());
    assert_eq!(after["with"]["ticket_types"], 2);
    assert!(log[1].2["deleted_at"].is_null(), "restored");
}

#[tokio::test]
async fn a_refused_delete_is_a_plain_message_and_changes_nothing() {
    let db = TestDb::with_demo().await;
    let mut harness = Harness::new(db.pool.clone(), 110, 30);
    harness.sign_in("support@boxoffice.test").await;
    let before = live_events(&db).await;
    harness.press(KeyCode::Char('d')).await;
    let screen = harness.render();
    assert!(
        screen.contains("a support account cannot create, change or delete events"),
        "{screen}"
    );
    assert!(harness.app.overlays.confirm().is_none());
    assert_eq!(live_events(&db).await, before);
}

#[tokio::test]
async fn order_actions_say_what_they_will_do() {
    let db = TestDb::with_demo().await;
    let mut harness = Harness::new(db.pool.clone(), 110, 30);
    harness.sign_in("support@boxoffice.test").await;
    harness.press(KeyCode::Char('2')).await;
    // The newest order is paid in the demo: refunding it voids its tickets.
    harness.press(KeyCode::Char('f')).await;
    let question = harness.render();
    assert!(
        question.contains("Refund order SWRG-6HEQ (105.00 EUR): 3 tickets void, 3 seats")
            && question.contains("back on sale?"),
        "{question}"
    );
    insta::assert_snapshot!("refund_question", question);
    harness.press(KeyCode::Char('y')).await;
    let status: String =
        sqlx::query_scalar("SELECT status::text FROM orders WHERE code = 'SWRG-6HEQ'")
            .fetch_one(&db.pool)
            .await
            .expect("status");
    assert_eq!(status, "refunded");
    assert!(harness.render().contains("order SWRG-6HEQ is refunded"));
    // Refunding again is refused at once, with the reason, without asking.
    harness.press(KeyCode::Char('f')).await;
    assert!(harness.app.overlays.confirm().is_none());
    let flash = harness
        .app
        .flash
        .as_ref()
        .map(|flash| flash.text.clone())
        .unwrap_or_default();
    assert!(
        flash.contains("only a paid order can be refunded"),
        "{flash}"
    );
    // The data layer refuses it too, whatever the screen shows.
    let order_id: i64 = sqlx::query_scalar("SELECT id FROM orders WHERE code = 'SWRG-6HEQ'")
        .fetch_one(&db.pool)
        .await
        .expect("order");
    let refused = harness
        .request(boxoffice::data_task::Request::OrderAction {
            order_id,
            action: boxoffice::db::sales::OrderAction::Refund,
        })
        .await;
    assert!(
        matches!(&refused, boxoffice::data_task::Reply::Action(Err(e)) if e.message.contains("only a paid order")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_detail_pane_shows_the_history_of_the_row() {
    let db = TestDb::with_demo().await;
    let mut harness = Harness::new(db.pool.clone(), 110, 60);
    harness.sign_in("support@boxoffice.test").await;
    harness.press(KeyCode::Char('2')).await;
    harness.press(KeyCode::Char('f')).await;
    harness.press(KeyCode::Char('y')).await;
    let screen = harness.render();
    assert!(screen.contains("History"), "{screen}");
    assert!(screen.contains("refund · Sam Support"), "{screen}");
}
