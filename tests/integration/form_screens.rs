//! Every form as a user drives it, on the demo data: the form and its validation messages
//! (snapshots), what a save does to the lists, a refused save kept open with its reason, a
//! conflict reloaded with what was typed kept, and roles refused before anything is typed.

use crate::common::{Harness, TestDb};
use boxoffice::app::list_view::Loadable;
use boxoffice::db::detail::Detail;
use crossterm::event::{KeyCode, KeyModifiers};

async fn signed_in(db: &TestDb, email: &str) -> Harness {
    let mut harness = Harness::new(db.pool.clone(), 110, 32);
    harness.sign_in(email).await;
    harness
}

async fn ctrl(harness: &mut Harness, c: char) {
    harness
        .press_with(KeyCode::Char(c), KeyModifiers::CONTROL)
        .await;
}

fn flash(harness: &Harness) -> String {
    harness
        .app
        .flash
        .as_ref()
        .map(|flash| flash.text.clone())
        .unwrap_or_default()
}

/// `n` on Events, and a valid new event typed in (not saved).
async fn new_event_typed(harness: &mut Harness, title: &str) {
    harness.press(KeyCode::Char('n')).await;
    harness.type_text(title).await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("Cellar").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("2026-12-05 20:00").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("2026-12-05 23:00").await;
}

/// Selects the event with this title in the Events tab (by searching for it).
async fn select_event(harness: &mut Harness, title: &str) {
    harness.press(KeyCode::Char('1')).await;
    harness.press(KeyCode::Char('/')).await;
    harness.type_text(&format!("\"{title}\"")).await;
    harness.press(KeyCode::Enter).await;
}

#[tokio::test]
async fn a_new_event_says_what_is_wrong_next_to_each_field_then_saves() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "ada@boxoffice.test").await;
    harness.press(KeyCode::Char('n')).await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("Blue Note").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("2026-12-01 19:30").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("1 December").await;
    ctrl(&mut harness, 's').await;
    let screen = harness.render();
    assert!(screen.contains("✗ the title cannot be empty"), "{screen}");
    assert!(
        screen.contains("✗ a time like 2026-12-31 19:30"),
        "{screen}"
    );
    insta::assert_snapshot!("event_form_invalid", screen);

    // Esc with something typed asks first.
    harness.press(KeyCode::Esc).await;
    let question = harness.render();
    assert!(question.contains("discard your changes?"), "{question}");
    insta::assert_snapshot!("event_form_discard_question", question);
    // Fix both; the focus went to the first wrong field.
    harness.type_text("Jazz Night").await;
    harness.press(KeyCode::Tab).await;
    harness.press(KeyCode::Tab).await;
    harness.press(KeyCode::Tab).await;
    for _ in 0..20 {
        harness.press(KeyCode::Backspace).await;
    }
    harness.type_text("2026-12-01 23:00").await;
    harness.press(KeyCode::Tab).await; // the time zone: the default is kept
    harness.press(KeyCode::Tab).await; // the currency: the default is kept
    harness.press(KeyCode::Tab).await;
    harness.press(KeyCode::Enter).await; // the last field: saves
    assert!(
        harness.app.overlays.form().is_none(),
        "{}",
        harness.render()
    );
    assert!(flash(&harness).contains("created event “Jazz Night”"));
    let (organizer, venue): (String, String) = sqlx::query_as(
        "SELECT u.email, e.venue FROM events e JOIN users u ON u.id = e.organizer_id WHERE e.title = 'Jazz Night'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("saved");
    assert_eq!(
        (organizer.as_str(), venue.as_str()),
        ("ada@boxoffice.test", "Blue Note")
    );
}

#[tokio::test]
async fn an_event_changed_elsewhere_is_refused_then_reloaded_keeping_what_was_typed() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "admin@boxoffice.test").await;
    select_event(&mut harness, "Poetry Slam").await;
    harness.press(KeyCode::Char('e')).await;
    assert!(harness.render().contains("Edit event “Poetry Slam”"));
    sqlx::query("UPDATE events SET venue = 'The Attic' WHERE title = 'Poetry Slam'")
        .execute(&db.pool)
        .await
        .expect("a change from another terminal");
    harness.type_text(" (late show)").await;
    ctrl(&mut harness, 's').await;
    let screen = harness.render();
    assert!(
        screen.contains("someone changed this event since you opened it"),
        "{screen}"
    );
    insta::assert_snapshot!("event_form_conflict", screen);
    ctrl(&mut harness, 'r').await;
    let form = harness.app.overlays.form().expect("still open");
    assert_eq!(
        form.value("title"),
        "Poetry Slam (late show)",
        "typed, kept"
    );
    assert_eq!(form.value("venue"), "The Attic", "untouched, reloaded");
    ctrl(&mut harness, 's').await;
    assert!(harness.app.overlays.form().is_none());
    let (title, venue): (String, String) =
        sqlx::query_as("SELECT title, venue FROM events WHERE title LIKE 'Poetry Slam%'")
            .fetch_one(&db.pool)
            .await
            .expect("event");
    assert_eq!(title, "Poetry Slam (late show)");
    assert_eq!(venue, "The Attic", "the other change is not lost");
    // The detail pane shows the change in the row's history, with who made it.
    let Loadable::Ready(Detail::Event(detail)) =
        &harness.app.current_list().expect("a list tab").detail
    else {
        panic!("the event's detail");
    };
    assert!(
        detail.history.iter().any(|line| line.action == "update"
            && line.actor.as_deref() == Some("Alex Admin")
            && line.changed.as_deref() == Some("title")),
        "{:?}",
        detail.history
    );
}

#[tokio::test]
async fn ticket_types_are_listed_and_capacity_cannot_go_below_sold() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "ada@boxoffice.test").await;
    select_event(&mut harness, "New Year Gala").await;
    harness.press(KeyCode::Char('t')).await;
    let picker = harness.render();
    assert!(picker.contains("+ new ticket type"), "{picker}");
    insta::assert_snapshot!("ticket_type_picker", picker);
    harness.press(KeyCode::Enter).await; // the first type
    let form = harness.app.overlays.form().expect("the type's form");
    let sold: i32 = form
        .field("quantity")
        .map(|f| f.hint.split(' ').next().unwrap_or("0").parse().unwrap_or(0))
        .expect("capacity field");
    assert!(sold > 0, "the demo has sold some");
    harness.press(KeyCode::Tab).await;
    harness.press(KeyCode::Tab).await;
    for _ in 0..10 {
        harness.press(KeyCode::Backspace).await;
    }
    harness.type_text(&(sold - 1).to_string()).await;
    ctrl(&mut harness, 's').await;
    let screen = harness.render();
    assert!(
        screen.contains(&format!(
            "the capacity cannot be below the {sold} already sold"
        )),
        "{screen}"
    );
    insta::assert_snapshot!("ticket_type_form_below_sold", screen);
    harness.press(KeyCode::Esc).await;
    harness.press(KeyCode::Esc).await;
    assert!(harness.app.overlays.form().is_none());

    // A new type from the picker's last row.
    harness.press(KeyCode::Char('t')).await;
    harness.press(KeyCode::Char('n')).await;
    harness.type_text("Balcony").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("12.50").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("40").await;
    ctrl(&mut harness, 's').await;
    assert!(flash(&harness).contains("created ticket type “Balcony”"));
    let price: i64 =
        sqlx::query_scalar("SELECT price_cents FROM ticket_types WHERE name = 'Balcony'")
            .fetch_one(&db.pool)
            .await
            .expect("saved");
    assert_eq!(price, 1250);
    // The event's history has its ticket types' changes too.
    let Loadable::Ready(Detail::Event(detail)) =
        &harness.app.current_list().expect("a list tab").detail
    else {
        panic!("the event's detail");
    };
    assert!(
        detail
            .history
            .iter()
            .any(|line| line.action == "ticket type create"
                && line.actor.as_deref() == Some("Ada Lovelace")),
        "{:?}",
        detail.history
    );

    // d on a type in the picker asks first, then moves it to the trash.
    harness.press(KeyCode::Char('t')).await;
    harness.press(KeyCode::Char('j')).await;
    harness.press(KeyCode::Char('j')).await;
    harness.press(KeyCode::Char('d')).await;
    let question = harness.render();
    assert!(
        question.contains("Move ticket type “Balcony” of “New Year Gala” to the trash?"),
        "{question}"
    );
    harness.press(KeyCode::Char('y')).await;
    assert!(
        flash(&harness).contains("moved ticket type “Balcony”"),
        "{}",
        flash(&harness)
    );
    // A type with tickets sold is refused, in plain words.
    harness.press(KeyCode::Char('t')).await;
    harness.press(KeyCode::Char('d')).await;
    assert!(
        flash(&harness).contains("tickets of this type were sold"),
        "{}",
        flash(&harness)
    );
}

#[tokio::test]
async fn a_box_office_sale_computes_the_total_and_refuses_more_than_is_left() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "support@boxoffice.test").await;
    harness.press(KeyCode::Char('2')).await;
    harness.press(KeyCode::Char('n')).await;
    assert!(
        flash(&harness).contains("to sell: Enter on an event"),
        "an order list not under an event says how to sell"
    );
    select_event(&mut harness, "Science Pub Quiz").await;
    harness.press(KeyCode::Enter).await; // its orders
    harness.press(KeyCode::Char('n')).await;
    assert!(
        harness.app.overlays.form().is_some(),
        "{}",
        harness.render()
    );
    harness.type_text("walk.in@example.com").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("Walk In").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("2").await; // General, 35.00
    harness.press(KeyCode::Tab).await;
    harness.type_text("1").await; // Student: sold out in the demo
    ctrl(&mut harness, 's').await;
    let screen = harness.render();
    assert!(screen.contains("Total 82.00 EUR · 3 tickets"), "{screen}");
    assert!(screen.contains("✗ only 0 left"), "{screen}");
    insta::assert_snapshot!("sale_form_sold_out", screen);
    harness.press(KeyCode::Backspace).await;
    ctrl(&mut harness, 's').await;
    assert!(
        harness.app.overlays.form().is_none(),
        "{}",
        harness.render()
    );
    let message = flash(&harness);
    assert!(
        message.contains(": 2 tickets, 70.00 EUR to Walk In (new buyer)"),
        "{message}"
    );
    let screen = harness.render();
    assert!(
        screen.contains("walk.in@example.com"),
        "the order is listed: {screen}"
    );
}

#[tokio::test]
async fn an_admin_finds_and_edits_users_and_others_are_refused() {
    let db = TestDb::with_demo().await;
    let mut support = signed_in(&db, "support@boxoffice.test").await;
    support.press(KeyCode::Char('u')).await;
    assert!(support.app.overlays.picker().is_none());
    assert_eq!(flash(&support), "a support account cannot manage users");
    support.press(KeyCode::Char('n')).await;
    assert!(support.app.overlays.form().is_none());
    assert_eq!(
        flash(&support),
        "a support account cannot create, change or delete events"
    );

    let mut harness = signed_in(&db, "admin@boxoffice.test").await;
    harness.press(KeyCode::Char('u')).await;
    harness.type_text("boxoffice.test").await;
    // Nobody's email starts with that; names neither: only the new-user row.
    assert_eq!(harness.app.overlays.picker().map(|p| p.len()), Some(0));
    harness.press(KeyCode::Esc).await;
    harness.press(KeyCode::Char('u')).await;
    harness.type_text("ada@").await;
    let picker = harness.render();
    assert!(picker.contains("ada@boxoffice.test"), "{picker}");
    insta::assert_snapshot!("user_picker", picker);
    harness.press(KeyCode::Enter).await;
    // Name: cleared; password: too short.
    harness.press(KeyCode::Tab).await;
    for _ in 0..30 {
        harness.press(KeyCode::Backspace).await;
    }
    harness.press(KeyCode::Tab).await;
    harness.press(KeyCode::Right).await; // organizer → support
    harness.press(KeyCode::Tab).await;
    harness.type_text("short").await;
    harness
        .press_with(KeyCode::Char('s'), KeyModifiers::CONTROL)
        .await;
    let screen = harness.render();
    assert!(screen.contains("✗ the name cannot be empty"), "{screen}");
    assert!(
        screen.contains("✗ a password needs at least 8 characters"),
        "{screen}"
    );
    insta::assert_snapshot!("user_form_invalid", screen);
    // The focus is on the first wrong field, the name.
    harness.type_text("Ada King").await;
    harness.press(KeyCode::Tab).await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("word").await;
    harness.save_form().await;
    assert_eq!(flash(&harness), "saved user ada@boxoffice.test");
    let (name, role): (String, String) =
        sqlx::query_as("SELECT name, role::text FROM users WHERE email = 'ada@boxoffice.test'")
            .fetch_one(&db.pool)
            .await
            .expect("ada");
    assert_eq!((name.as_str(), role.as_str()), ("Ada King", "support"));
    boxoffice::db::auth::sign_in(&db.pool, "ada@boxoffice.test", "shortword", "test")
        .await
        .expect("the reset password works");
}

#[tokio::test]
async fn a_save_that_cannot_reach_the_database_is_kept_and_sent_when_it_is_back() {
    use boxoffice::data_task::{DataErrorText, DataEvent, Reply, Slot};
    use boxoffice::event::AppEvent;
    use crossterm::event::KeyEvent;

    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "ada@boxoffice.test").await;
    new_event_typed(&mut harness, "Offline Night").await;
    // Ctrl-s, and the database is away: the save comes back unavailable.
    harness.app.handle_event(AppEvent::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    let save = harness.app.take_requests().remove(0);
    assert_eq!(save.request.slot(), Slot::Save);
    harness.app.handle_event(AppEvent::Data(DataEvent::Reply {
        generation: save.generation,
        reply: Reply::Save(Err(DataErrorText::unavailable(
            "the database is not reachable: connection refused",
        ))),
    }));
    let screen = harness.render();
    assert!(screen.contains("what you typed is kept"), "{screen}");
    assert!(harness.app.wants_ticks(), "ticks keep coming to retry");
    // Nothing goes out while the database is away ...
    harness.app.handle_event(AppEvent::Tick);
    assert!(
        harness
            .app
            .take_requests()
            .iter()
            .all(|envelope| envelope.request.slot() != Slot::Save),
        "the save waits for the database"
    );
    // ... and once it answers (the list's retry), the save goes out by itself.
    harness.app.unreachable_since = None;
    harness.app.handle_event(AppEvent::Tick);
    harness.settle().await;
    assert!(
        harness.app.overlays.form().is_none(),
        "{}",
        harness.render()
    );
    assert!(flash(&harness).contains("created event “Offline Night”"));
}

#[tokio::test]
async fn esc_closes_a_form_that_waits_and_the_save_still_reports() {
    use boxoffice::data_task::DataEvent;
    use boxoffice::event::AppEvent;
    use crossterm::event::KeyEvent;

    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "ada@boxoffice.test").await;
    new_event_typed(&mut harness, "Slow Night").await;
    let key = |code, modifiers| AppEvent::Key(KeyEvent::new(code, modifiers));
    harness
        .app
        .handle_event(key(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let save = harness.app.take_requests().remove(0);
    // Typing while the save is under way changes nothing; Esc closes the form.
    harness
        .app
        .handle_event(key(KeyCode::Char('x'), KeyModifiers::NONE));
    assert_eq!(
        harness
            .app
            .overlays
            .form()
            .map(|f| f.value("ends_at").to_string()),
        Some("2026-12-05 23:00".to_string())
    );
    harness
        .app
        .handle_event(key(KeyCode::Esc, KeyModifiers::NONE));
    assert!(harness.app.overlays.form().is_none());
    assert!(flash(&harness).contains("the save goes on"));
    // Another form opened meanwhile stays open when the first save's answer comes back to
    // say how it went.
    harness
        .app
        .handle_event(key(KeyCode::Char('n'), KeyModifiers::NONE));
    assert!(harness.app.overlays.form().is_some());
    let reply = harness.request(save.request).await;
    harness.app.handle_event(AppEvent::Data(DataEvent::Reply {
        generation: save.generation,
        reply,
    }));
    assert!(
        flash(&harness).contains("created event “Slow Night”"),
        "{}",
        flash(&harness)
    );
    assert!(
        harness
            .app
            .overlays
            .form()
            .is_some_and(|f| f.title == "New event"),
        "the new form is not closed by the old answer"
    );
}
