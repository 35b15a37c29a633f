//! Whole-app snapshots: the real app state, driven by keys, answered by the real data layer
//! on the demo data, drawn on a `TestBackend`.

use crate::common::{Harness, TestDb};
use boxoffice::app::Screen;
use crossterm::event::{KeyCode, KeyModifiers};

async fn signed_in(db: &TestDb, email: &str, width: u16, height: u16) -> Harness {
    let mut harness = Harness::new(db.pool.clone(), width, height);
    harness.sign_in(email).await;
    assert_eq!(harness.app.screen, Screen::Main, "{email} signs in");
    harness
}

#[tokio::test]
async fn sign_in_screen() {
    let db = TestDb::with_demo().await;
    let mut harness = Harness::new(db.pool.clone(), 80, 24);
    insta::assert_snapshot!("sign_in_empty", harness.render());
    harness.type_text("admin@boxoffice.test").await;
    harness.press(KeyCode::Enter).await;
    harness.type_text("wrong").await;
    harness.press(KeyCode::Enter).await;
    assert_eq!(harness.app.screen, Screen::SignIn);
    insta::assert_snapshot!("sign_in_refused", harness.render());
}

#[tokio::test]
async fn events_tab_as_admin() {
    let db = TestDb::with_demo().await;
    let harness = signed_in(&db, "admin@boxoffice.test", 120, 36).await;
    insta::assert_snapshot!("events_admin_120x36", harness.render());
}

#[tokio::test]
async fn events_tab_as_organizer_shows_only_their_events() {
    let db = TestDb::with_demo().await;
    let harness = signed_in(&db, "ada@boxoffice.test", 100, 30).await;
    let screen = harness.render();
    assert!(
        !screen.contains("Grace Hopper"),
        "another organizer's event is shown"
    );
    insta::assert_snapshot!("events_organizer_100x30", screen);
}

#[tokio::test]
async fn orders_and_tickets_tabs_at_80x24() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "support@boxoffice.test", 80, 24).await;
    harness.press(KeyCode::Char('2')).await;
    insta::assert_snapshot!("orders_support_80x24", harness.render());
    harness.press(KeyCode::Tab).await;
    harness.press(KeyCode::Char('j')).await;
    insta::assert_snapshot!("tickets_support_80x24", harness.render());
}

#[tokio::test]
async fn paging_and_sorting_update_the_table_and_the_status_bar() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "admin@boxoffice.test", 100, 30).await;
    harness.press(KeyCode::Char('2')).await;
    let page = usize::from(harness.app.size.page_rows);
    harness.press(KeyCode::PageDown).await;
    harness
        .press_with(KeyCode::Char('f'), KeyModifiers::CONTROL)
        .await;
    let screen = harness.render();
    assert!(
        screen.contains(&format!("rows {}-{} of 3,000", 2 * page + 1, 3 * page)),
        "{screen}"
    );
    harness.press(KeyCode::PageUp).await;
    assert!(
        harness
            .render()
            .contains(&format!("rows {}-{} of 3,000", page + 1, 2 * page))
    );
    harness.press(KeyCode::Char('G')).await;
    assert!(
        harness
            .render()
            .contains(&format!("rows {}-3000 of 3,000", 3000 - page + 1))
    );
    harness.press(KeyCode::Char('s')).await;
    harness.press(KeyCode::Char('S')).await;
    let screen = harness.render();
    assert!(screen.contains("sorted by Status ↓"), "{screen}");
    insta::assert_snapshot!("orders_sorted_by_status_desc", screen);
    // Down past the last row of the page turns the page.
    for _ in 0..page {
        harness.press(KeyCode::Down).await;
    }
    assert!(
        harness
            .render()
            .contains(&format!("rows {}-{} of 3,000", page + 1, 2 * page))
    );
}

#[tokio::test]
async fn enter_drills_down_and_esc_comes_back() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "admin@boxoffice.test", 120, 36).await;
    harness.press(KeyCode::Enter).await;
    let orders = harness.render();
    assert!(orders.contains("Orders of event"), "{orders}");
    insta::assert_snapshot!("drill_event_orders", orders);
    harness.press(KeyCode::Enter).await;
    let tickets = harness.render();
    assert!(tickets.contains("Tickets of order"), "{tickets}");
    insta::assert_snapshot!("drill_order_tickets", tickets);
    harness.press(KeyCode::Enter).await;
    insta::assert_snapshot!("ticket_detail_zoomed", harness.render());
    harness.press(KeyCode::Esc).await;
    harness.press(KeyCode::Esc).await;
    assert!(harness.render().contains("Orders of event"));
    harness.press(KeyCode::Esc).await;
    let back = harness.render();
    assert!(back.contains(" Events · sorted by Starts ↓"), "{back}");
    // The Orders tab is whole again.
    harness.press(KeyCode::Char('2')).await;
    assert!(harness.render().contains(" Orders · sorted by Created ↓"));
}

#[tokio::test]
async fn help_lists_the_keys_from_the_key_map() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "admin@boxoffice.test", 100, 30).await;
    harness.press(KeyCode::Char('?')).await;
    let screen = harness.render();
    insta::assert_snapshot!("help_overlay", screen);
    // The keys of the screen come first; the dialogs' follow when scrolled to.
    let lines = harness
        .app
        .keymap
        .help_lines(boxoffice::app::commands::Context::List);
    for (keys, help) in lines.iter().take(20) {
        assert!(screen.contains(keys.as_str()), "help lacks {keys}");
        assert!(screen.contains(help), "help lacks {help}");
    }
    harness.press(KeyCode::Esc).await;
    assert!(!harness.render().contains("Keys · Esc"));
}

#[tokio::test]
async fn a_small_terminal_says_how_big_it_must_be() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "admin@boxoffice.test", 100, 30).await;
    harness.app.resize(boxoffice::ui::layout::size(50, 12));
    harness.settle().await;
    insta::assert_snapshot!("too_small", harness.render());
    harness.app.resize(boxoffice::ui::layout::size(80, 24));
    harness.settle().await;
    assert!(harness.render().contains("Events"));
}

#[tokio::test]
async fn a_customer_sees_only_their_orders() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "chris@example.com", 100, 30).await;
    harness.press(KeyCode::Char('2')).await;
    let screen = harness.render();
    assert!(screen.contains("no rows"), "{screen}");
}

#[tokio::test]
async fn a_lost_database_is_shown_and_retried_until_it_answers() {
    use boxoffice::data_task::{DataErrorText, DataEvent, Reply, Slot};
    use boxoffice::db::model::EntityKind;
    use boxoffice::event::AppEvent;

    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "admin@boxoffice.test", 100, 30).await;
    // Refresh, and the server has gone away: the page query fails as unavailable.
    harness
        .app
        .handle_event(AppEvent::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('R'),
            KeyModifiers::NONE,
        )));
    let page = harness
        .app
        .take_requests()
        .into_iter()
        .find(|envelope| envelope.request.slot() == Slot::Page(EntityKind::Event))
        .expect("a page request");
    harness.app.handle_event(AppEvent::Data(DataEvent::Reply {
        generation: page.generation,
        reply: Reply::Page(
            EntityKind::Event,
            Err(DataErrorText::unavailable(
                "the database is not reachable: connection refused",
            )),
        ),
    }));
    harness.app.flash = None;
    let screen = harness.render();
    assert!(
        screen.contains("database unreachable, retrying"),
        "{screen}"
    );
    assert!(
        screen.contains("Science Pub Quiz"),
        "the rows shown stay: {screen}"
    );
    // The next tick retries; the real database answers and the state clears.
    harness.app.handle_event(AppEvent::Tick);
    harness.settle().await;
    let screen = harness.render();
    assert!(screen.contains("the database is back"), "{screen}");
    assert!(harness.app.unreachable_since.is_none());
}

#[tokio::test]
async fn the_status_bar_says_in_words_when_lists_leave_the_replica_and_come_back() {
    use boxoffice::data_task::DataEvent;
    use boxoffice::db::replica::ReplicaHealth;
    use boxoffice::event::AppEvent;
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "admin@boxoffice.test", 140, 30).await;
    harness
        .app
        .handle_event(AppEvent::Data(DataEvent::Replica(ReplicaHealth::InUse)));
    let screen = harness.render();
    assert!(screen.contains("+ replica"), "{screen}");
    harness
        .app
        .handle_event(AppEvent::Data(DataEvent::Replica(ReplicaHealth::Away(
            "the read replica is not answering".into(),
        ))));
    let screen = harness.render();
    assert!(
        screen.contains(
            "the read replica is not answering: lists are read from the primary until it \
             recovers (by itself)"
        ),
        "said once, as a message: {screen}"
    );
    harness.app.flash = None;
    let screen = harness.render();
    assert!(
        screen.contains("replica away: reading the primary"),
        "and kept in the status bar: {screen}"
    );
    harness
        .app
        .handle_event(AppEvent::Data(DataEvent::Replica(ReplicaHealth::InUse)));
    let screen = harness.render();
    assert!(
        screen.contains("the read replica answers again"),
        "{screen}"
    );
    assert!(!screen.contains("replica away"), "{screen}");
}

#[tokio::test]
async fn the_filter_prompt_filters_explains_errors_and_clears() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "support@boxoffice.test", 100, 30).await;
    harness.press(KeyCode::Char('2')).await;
    let before = harness.render();
    // A bad value: the error shows under the prompt, nothing is sent, the rows stay.
    harness.press(KeyCode::Char('/')).await;
    harness.type_text("status:lost").await;
    harness.press(KeyCode::Enter).await;
    assert!(
        harness.app.take_requests().is_empty(),
        "no query for a bad filter"
    );
    let screen = harness.render();
    assert!(screen.contains("✗ unknown status `lost`"), "{screen}");
    insta::assert_snapshot!("filter_prompt_error", screen);
    // Fix it and apply: the title shows the filter and every row matches.
    for _ in 0.."lost".len() {
        harness.press(KeyCode::Backspace).await;
    }
    harness.type_text("refunded").await;
    harness.press(KeyCode::Enter).await;
    let screen = harness.render();
    assert!(
        screen.contains("Orders · /status:refunded · sorted by Created ↓"),
        "{screen}"
    );
    let table: Vec<&str> = screen
        .lines()
        .skip(3)
        .take(usize::from(harness.app.size.page_rows))
        .collect();
    assert!(
        table.iter().all(|line| line.contains("refunded")),
        "{screen}"
    );
    insta::assert_snapshot!("filter_applied", screen);
    // Up recalls it in a new prompt; Esc closes the prompt; Esc in the table clears the filter.
    harness.press(KeyCode::Char('/')).await;
    harness.press(KeyCode::Esc).await;
    harness.press(KeyCode::Esc).await;
    let without_status = |screen: &str| screen.lines().take(28).collect::<Vec<_>>().join("\n");
    assert_eq!(
        without_status(&harness.render()),
        without_status(&before),
        "back to every order"
    );
    harness.press(KeyCode::Char('/')).await;
    harness.press(KeyCode::Up).await;
    assert_eq!(
        harness
            .app
            .overlays
            .prompt()
            .map(|p| p.input.value().to_string()),
        Some("status:refunded".into())
    );
}

#[tokio::test]
async fn a_pasted_code_jumps_to_its_row() {
    let db = TestDb::with_demo().await;
    let code: String = sqlx::query_scalar("SELECT code FROM tickets ORDER BY id DESC LIMIT 1")
        .fetch_one(&db.pool)
        .await
        .expect("a ticket code");
    let mut harness = signed_in(&db, "support@boxoffice.test", 100, 30).await;
    harness.press(KeyCode::Char('3')).await;
    harness.press(KeyCode::Char('/')).await;
    harness.type_text(&code.to_lowercase()).await;
    harness.press(KeyCode::Enter).await;
    let screen = harness.render();
    assert!(screen.contains("rows 1-1 of 1"), "{screen}");
    assert!(
        screen.contains(&format!("Ticket {code}")),
        "the detail shows it: {screen}"
    );
}

#[tokio::test]
async fn page_keys_pressed_while_loading_walk_on_from_the_coming_page() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "support@boxoffice.test", 100, 30).await;
    harness.press(KeyCode::Char('2')).await;
    let page = usize::from(harness.app.size.page_rows);
    // Three PgDn before any answer arrives (a held-down key on a slow link).
    for _ in 0..3 {
        harness.app.handle_event(boxoffice::event::AppEvent::Key(
            crossterm::event::KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
        ));
    }
    harness.settle().await;
    let screen = harness.render();
    assert!(
        screen.contains(&format!("rows {}-{} of 3,000", 3 * page + 1, 4 * page)),
        "{screen}"
    );
}

#[tokio::test]
async fn help_fits_every_key_into_80x24() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db, "admin@boxoffice.test", 80, 24).await;
    harness.press(KeyCode::Char('?')).await;
    insta::assert_snapshot!("help_overlay_80x24", harness.render());
    // One column that scrolls: every key and its words are on one of the screens, whole.
    let mut seen = String::new();
    for _ in 0..60 {
        seen.push_str(&harness.render());
        harness.press(KeyCode::Char('j')).await;
    }
    for (keys, words) in harness
        .app
        .keymap
        .help_lines(boxoffice::app::commands::Context::List)
    {
        let line = format!("{keys:<19}{words}");
        assert!(seen.contains(&line), "help at 80x24 lacks {line}");
    }
}
