//! No lost updates: two people edit the same ticket from two connections; the second save
//! is refused with what changed, and the first one's value stays.

use crate::common::TestDb;
use boxoffice::db::edits::{load_holder_name, save_holder_name};
use boxoffice::error::DataError;

#[tokio::test]
async fn the_second_of_two_concurrent_edits_is_refused_and_says_what_changed() {
    let db = TestDb::with_demo().await;
    let other_terminal = db.other_terminal().await;
    let support = db.actor("support@boxoffice.test").await;
    let admin = db.actor("admin@boxoffice.test").await;
    let ticket: i64 = sqlx::query_scalar("SELECT min(id) FROM tickets")
        .fetch_one(&db.pool)
        .await
        .expect("a ticket");

    let mine = load_holder_name(&db.pool, &support, ticket)
        .await
        .expect("support opens it");
    let theirs = load_holder_name(&other_terminal, &admin, ticket)
        .await
        .expect("admin opens it");
    assert_eq!(mine, theirs);

    save_holder_name(&other_terminal, &admin, &theirs, "Grace Hopper")
        .await
        .expect("the first save wins");
    let refused = save_holder_name(&db.pool, &support, &mine, "Alan Turing").await;
    let Err(DataError::Conflict(message)) = refused else {
        panic!("the second save must be refused: {refused:?}");
    };
    assert!(message.contains("holder now “Grace Hopper”"), "{message}");
    assert!(
        message.contains(&format!("was “{}”", mine.holder_name)),
        "{message}"
    );
    let stored: String = sqlx::query_scalar("SELECT holder_name FROM tickets WHERE id = $1")
        .bind(ticket)
        .fetch_one(&db.pool)
        .await
        .expect("holder");
    assert_eq!(stored, "Grace Hopper", "no lost update");

    // Reload and apply again: now it goes through, and both changes are in the history.
    let reloaded = load_holder_name(&db.pool, &support, ticket)
        .await
        .expect("reload");
    save_holder_name(&db.pool, &support, &reloaded, "Alan Turing")
        .await
        .expect("saves on the new version");
    let changes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity = 'ticket' AND entity_id = $1 AND action = 'update'",
    )
    .bind(ticket)
    .fetch_one(&db.pool)
    .await
    .expect("audit");
    assert_eq!(changes, 2);
}

#[tokio::test]
async fn holder_names_follow_the_role_matrix() {
    let db = TestDb::with_demo().await;
    let (ticket, buyer_email, organizer_email): (i64, String, String) = sqlx::query_as(
        "SELECT t.id, b.email, g.email FROM tickets t JOIN orders o ON o.id = t.order_id \
         JOIN users b ON b.id = o.user_id JOIN events e ON e.id = o.event_id \
         JOIN users g ON g.id = e.organizer_id ORDER BY t.id LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("a ticket");
    // The demo's buyers cannot sign in; make chris the buyer of this ticket's order.
    let chris = db.actor("chris@example.com").await;
    sqlx::query(
        "UPDATE orders SET user_id = $1 WHERE id = (SELECT order_id FROM tickets WHERE id = $2)",
    )
    .bind(chris.id)
    .bind(ticket)
    .execute(&db.pool)
    .await
    .expect("hand the order to chris");
    assert!(!buyer_email.is_empty());
    for (email, allowed) in [
        ("admin@boxoffice.test", true),
        ("support@boxoffice.test", true),
        (organizer_email.as_str(), true),
        ("chris@example.com", true),
        ("door@boxoffice.test", false),
    ] {
        let actor = db.actor(email).await;
        let result = load_holder_name(&db.pool, &actor, ticket).await;
        assert_eq!(result.is_ok(), allowed, "{email}: {result:?}");
    }
    let other_organizer = if organizer_email == "ada@boxoffice.test" {
        "grace@boxoffice.test"
    } else {
        "ada@boxoffice.test"
    };
    let actor = db.actor(other_organizer).await;
    assert!(matches!(
        load_holder_name(&db.pool, &actor, ticket).await,
        Err(DataError::Refused(_))
    ));
    let admin = db.actor("admin@boxoffice.test").await;
    let loaded = load_holder_name(&db.pool, &admin, ticket)
        .await
        .expect("load");
    assert!(matches!(
        save_holder_name(&db.pool, &admin, &loaded, "  ").await,
        Err(DataError::Fields(_))
    ));
}

mod form {
    use crate::common::{Harness, TestDb};
    use boxoffice::app::form::Purpose;
    use crossterm::event::{KeyCode, KeyModifiers};

    async fn on_first_ticket(db: &TestDb) -> Harness {
        let mut harness = Harness::new(db.pool.clone(), 100, 30);
        harness.sign_in("support@boxoffice.test").await;
        harness.press(KeyCode::Char('3')).await;
        harness.press(KeyCode::Char('e')).await;
        assert!(
            harness.app.overlays.form().is_some(),
            "e opens the form on a ticket"
        );
        harness
    }

    async fn clear_field(harness: &mut Harness) {
        for _ in 0..60 {
            harness.press(KeyCode::Backspace).await;
        }
    }

    #[tokio::test]
    async fn editing_a_holder_name_validates_saves_and_refuses_a_stale_save() {
        let db = TestDb::with_demo().await;
        let mut harness = on_first_ticket(&db).await;
        // A form of one field, as it opens: its field and its keys are drawn (the form's box
        // once came out empty, one row short of what it drew in).
        let opened = harness.render();
        assert!(
            opened.contains("▸ Holder name") && opened.contains("Ken Perlman"),
            "{opened}"
        );
        assert!(opened.contains("Esc cancels"), "{opened}");
        // Empty: the reason shows under the field and nothing is sent.
        clear_field(&mut harness).await;
        harness.press(KeyCode::Enter).await;
        let screen = harness.render();
        assert!(
            screen.contains("✗ a ticket's holder name cannot be empty"),
            "{screen}"
        );
        insta::assert_snapshot!("holder_form_invalid", screen);
        harness.type_text("Grace Hopper").await;
        harness
            .press_with(KeyCode::Char('s'), KeyModifiers::CONTROL)
            .await;
        assert!(harness.app.overlays.form().is_none(), "saved and closed");
        assert!(
            harness.render().contains("Grace Hopper"),
            "the table shows the new name"
        );

        // Someone else changes the ticket while the form is open: the save is refused.
        harness.press(KeyCode::Char('e')).await;
        let ticket = harness
            .app
            .overlays
            .form()
            .and_then(|form| match &form.purpose {
                Purpose::Holder(loaded) => Some(loaded.ticket_id),
                _ => None,
            })
            .expect("the holder form");
        sqlx::query("UPDATE tickets SET holder_name = 'Someone Else' WHERE id = $1")
            .bind(ticket)
            .execute(&db.pool)
            .await
            .expect("a change from another terminal");
        clear_field(&mut harness).await;
        harness.type_text("Alan Turing").await;
        harness.press(KeyCode::Enter).await;
        let screen = harness.render();
        assert!(
            harness.app.overlays.form().is_some(),
            "the form stays open with what was typed"
        );
        assert!(screen.contains("someone changed this ticket"), "{screen}");
        let stored: String = sqlx::query_scalar("SELECT holder_name FROM tickets WHERE id = $1")
            .bind(ticket)
            .fetch_one(&db.pool)
            .await
            .expect("holder");
        assert_eq!(stored, "Someone Else", "no lost update");
        // Ctrl-r reloads the new version and keeps what was typed; the save then goes through.
        harness
            .press_with(KeyCode::Char('r'), KeyModifiers::CONTROL)
            .await;
        let form = harness.app.overlays.form().expect("still open");
        assert_eq!(form.value("holder_name"), "Alan Turing");
        assert!(
            matches!(&form.purpose, Purpose::Holder(loaded) if loaded.holder_name == "Someone Else")
        );
        harness
            .press_with(KeyCode::Char('s'), KeyModifiers::CONTROL)
            .await;
        assert!(
            harness.app.overlays.form().is_none(),
            "saved over the reloaded version"
        );
        let stored: String = sqlx::query_scalar("SELECT holder_name FROM tickets WHERE id = $1")
            .bind(ticket)
            .fetch_one(&db.pool)
            .await
            .expect("holder");
        assert_eq!(stored, "Alan Turing");
        // Esc with changes asks first; a second Esc discards.
        harness.press(KeyCode::Char('e')).await;
        harness.type_text("x").await;
        harness.press(KeyCode::Esc).await;
        assert!(harness.render().contains("discard your changes?"));
        harness.press(KeyCode::Esc).await;
        assert!(harness.app.overlays.form().is_none());
    }

    #[tokio::test]
    async fn e_on_an_order_edits_its_note_and_a_stale_save_is_refused() {
        let db = TestDb::with_demo().await;
        let mut harness = Harness::new(db.pool.clone(), 100, 30);
        harness.sign_in("support@boxoffice.test").await;
        harness.press(KeyCode::Char('2')).await;
        harness.press(KeyCode::Char('e')).await;
        let (order, code) = match harness.app.overlays.form().map(|form| &form.purpose) {
            Some(Purpose::OrderNote(loaded)) => (loaded.id, loaded.code.clone()),
            other => panic!("e on an order opens its note: {other:?}"),
        };
        assert!(harness.render().contains(&format!("Note of order {code}")));
        harness.type_text(" Called back.").await;
        harness.save_form().await;
        let note: String = sqlx::query_scalar("SELECT note FROM orders WHERE id = $1")
            .bind(order)
            .fetch_one(&db.pool)
            .await
            .expect("note");
        assert!(note.ends_with("Called back."), "{note}");
        // Changed at another terminal meanwhile: the next save is refused, saying so.
        harness.press(KeyCode::Char('e')).await;
        sqlx::query("UPDATE orders SET note = 'theirs' WHERE id = $1")
            .bind(order)
            .execute(&db.pool)
            .await
            .expect("a change from another terminal");
        harness.type_text("!").await;
        harness
            .press_with(KeyCode::Char('s'), KeyModifiers::CONTROL)
            .await;
        assert!(
            harness.render().contains("someone changed this order"),
            "{}",
            harness.render()
        );
        let note: String = sqlx::query_scalar("SELECT note FROM orders WHERE id = $1")
            .bind(order)
            .fetch_one(&db.pool)
            .await
            .expect("note");
        assert_eq!(note, "theirs", "no lost update");
    }
}
