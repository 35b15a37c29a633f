//! The app's update logic without a database: keys in, requests out, canned answers back,
//! on a clock that moves only when told. These run in milliseconds and need no PostgreSQL.

use crate::common::event_row;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use boxoffice::app::clock::ManualClock;
use boxoffice::app::commands::KeyMap;
use boxoffice::app::overlay::Overlay;
use boxoffice::app::tab::Tab;
use boxoffice::app::{App, AppEvent, AppOptions, Kiosk, Screen};
use boxoffice::data_task::{DataErrorText, DataEvent, Envelope, Reply, Request, Slot};
use boxoffice::db::auth::{Actor, Role};
use boxoffice::db::count::RowCount;
use boxoffice::db::listing::{Page, Position};
use boxoffice::db::model::{EntityKind, Row};
use boxoffice::db::trash::TrashEntry;
use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

struct Driven {
    app: App,
    clock: Arc<ManualClock>,
}

fn app_with(keymap: KeyMap, kiosk: Option<Kiosk>, width: u16, height: u16) -> Driven {
    let clock = Arc::new(ManualClock::default());
    let mut app = App::new(AppOptions {
        keymap,
        terminal: "door-1".into(),
        kiosk,
        viewer_zone: boxoffice::zone::Tz::UTC,
        no_color: true,
        clock: clock.clone(),
        export_folder: std::env::temp_dir(),
    });
    app.resize(boxoffice::ui::layout::size(width, height));
    app.handle_event(AppEvent::Data(DataEvent::Connected {
        label: "canned".into(),
        built_in: false,
    }));
    Driven { app, clock }
}

fn actor(role: Role) -> Actor {
    Actor {
        id: 1,
        email: format!("{}@boxoffice.test", role.label()),
        name: "Tess Tester".into(),
        role,
        time_zone: None,
    }
}

fn page(first: i64, rows: i64, has_after: bool, position: Position) -> Page {
    Page {
        rows: (first..first + rows).map(event_row).collect(),
        has_before: first > 1,
        has_after,
        position,
    }
}

fn unavailable() -> DataErrorText {
    DataErrorText::unavailable("the database is not reachable: connection refused")
}

impl Driven {
    fn key(&mut self, code: KeyCode) {
        self.key_with(code, KeyModifiers::NONE);
    }

    fn key_with(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.app
            .handle_event(AppEvent::Key(KeyEvent::new(code, modifiers)));
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn answer(&mut self, envelope: &Envelope, reply: Reply) {
        self.app.handle_event(AppEvent::Data(DataEvent::Reply {
            generation: envelope.generation,
            reply,
        }));
    }

    /// The one request on `slot` among those sent.
    fn sent(requests: &[Envelope], slot: Slot) -> Envelope {
        let matching: Vec<&Envelope> = requests
            .iter()
            .filter(|envelope| envelope.request.slot() == slot)
            .collect();
        assert_eq!(matching.len(), 1, "one request on {slot:?}: {requests:?}");
        matching[0].clone()
    }

    /// Signs in with a canned answer; returns the requests the first screen makes.
    fn signed_in(&mut self, role: Role) -> Vec<Envelope> {
        self.type_text("someone@boxoffice.test");
        self.key(KeyCode::Enter);
        self.type_text("demo");
        self.key(KeyCode::Enter);
        let requests = self.app.take_requests();
        let sign_in = Self::sent(&requests, Slot::SignIn);
        self.answer(&sign_in, Reply::SignIn(Ok(actor(role))));
        assert_eq!(self.app.screen, Screen::Main);
        self.app.take_requests()
    }

    /// Signed in as an admin with the first page of events on screen.
    fn with_events(&mut self, rows: i64) {
        let requests = self.signed_in(Role::Admin);
        let first = Self::sent(&requests, Slot::Page(EntityKind::Event));
        let count = Self::sent(&requests, Slot::Count(EntityKind::Event));
        let page_rows = i64::from(self.app.size.page_rows);
        self.answer(
            &first,
            Reply::Page(
                EntityKind::Event,
                Ok(page(
                    1,
                    page_rows.min(rows),
                    rows > page_rows,
                    Position::First,
                )),
            ),
        );
        self.answer(
            &count,
            Reply::Count(EntityKind::Event, Ok(RowCount { rows, exact: true })),
        );
        self.app.take_requests();
    }

    fn render(&self) -> String {
        crate::common::screen_text(&self.app)
    }
}

fn driven() -> Driven {
    app_with(KeyMap::defaults(), None, 100, 30)
}

#[test]
fn paging_asks_for_the_page_after_the_last_row_and_numbers_the_rows() {
    let mut driven = driven();
    driven.with_events(100);
    let page_rows = i64::from(driven.app.size.page_rows);
    driven.key(KeyCode::PageDown);
    let requests = driven.app.take_requests();
    let next = Driven::sent(&requests, Slot::Page(EntityKind::Event));
    let Request::Page(query) = &next.request else {
        panic!("a page request: {next:?}");
    };
    assert_eq!(
        query.position,
        Position::After(event_row(page_rows).cursor()),
        "the next page starts after the last row shown"
    );
    driven.answer(
        &next,
        Reply::Page(
            EntityKind::Event,
            Ok(page(page_rows + 1, page_rows, true, query.position.clone())),
        ),
    );
    let list = driven.app.current_list().expect("a list tab");
    assert_eq!(
        list.range_label(),
        format!("rows {}-{} of 100", page_rows + 1, 2 * page_rows)
    );
    // The new page's first row is selected, and its detail asked for.
    let requests = driven.app.take_requests();
    Driven::sent(&requests, Slot::Detail(EntityKind::Event));
}

#[test]
fn an_answer_to_a_superseded_request_is_dropped() {
    let mut driven = driven();
    driven.with_events(100);
    driven.key(KeyCode::Char('s'));
    let first_sort = Driven::sent(&driven.app.take_requests(), Slot::Page(EntityKind::Event));
    driven.key(KeyCode::Char('S'));
    let second_sort = Driven::sent(&driven.app.take_requests(), Slot::Page(EntityKind::Event));
    assert!(second_sort.generation > first_sort.generation);
    // The newer answer arrives first, then the stale one: the stale one changes nothing.
    driven.answer(
        &second_sort,
        Reply::Page(EntityKind::Event, Ok(page(50, 3, false, Position::First))),
    );
    driven.answer(
        &first_sort,
        Reply::Page(EntityKind::Event, Ok(page(7, 3, false, Position::First))),
    );
    let list = driven.app.current_list().expect("a list tab");
    assert_eq!(list.rows.first().map(Row::id), Some(50));
    assert!(!driven.app.is_waiting(Slot::Page(EntityKind::Event)));
    // An answer nobody asked for is dropped too.
    driven.answer(
        &Envelope {
            generation: 999_999,
            request: Request::Trash(Default::default()),
        },
        Reply::Trash(Ok(Vec::new())),
    );
    assert!(driven.app.trash.entries.is_empty() && !driven.app.trash.loading);
}

#[test]
fn overlays_take_the_keys_from_the_top_down() {
    let mut driven = driven();
    driven.with_events(10);
    driven.key(KeyCode::Char('/'));
    assert!(matches!(
        driven.app.overlays.top(),
        Some(Overlay::Prompt(_))
    ));
    // In the prompt, letters type (q does not quit, ? does not open the help).
    driven.type_text("q?");
    assert!(!driven.app.should_quit);
    assert_eq!(
        driven
            .app
            .overlays
            .prompt()
            .map(|p| p.input.value().to_string()),
        Some("q?".into())
    );
    driven.key(KeyCode::Esc);
    assert!(driven.app.overlays.is_empty());
    driven.key(KeyCode::Char('?'));
    assert!(matches!(driven.app.overlays.top(), Some(Overlay::Help(_))));
    // j scrolls the help, not the table.
    let selected = driven.app.current_list().map(|list| list.selected);
    driven.key(KeyCode::Char('j'));
    assert_eq!(
        driven.app.current_list().map(|list| list.selected),
        selected
    );
    assert_eq!(driven.app.overlays.help().map(|help| help.scroll), Some(1));
    driven.key(KeyCode::Esc);
    assert!(driven.app.overlays.is_empty());
    // d asks the data layer what would go; the answer opens the question on top.
    driven.key(KeyCode::Char('d'));
    let preview = Driven::sent(&driven.app.take_requests(), Slot::Action);
    driven.answer(
        &preview,
        Reply::Action(Ok(boxoffice::data_task::ActionDone::DeletePreview {
            target: boxoffice::db::trash::Target::Event(1),
            preview: boxoffice::db::trash::Preview {
                label: "event “Night 1”".into(),
                ticket_types: 2,
                orders: 0,
                tickets: 0,
            },
        })),
    );
    assert!(matches!(
        driven.app.overlays.top(),
        Some(Overlay::Confirm(_))
    ));
    // Any key that is not yes says no, and nothing is sent.
    driven.key(KeyCode::Char('x'));
    assert!(driven.app.overlays.is_empty());
    assert!(driven.app.take_requests().is_empty());
}

#[test]
fn a_lost_database_is_retried_every_few_seconds_on_the_tab_shown() {
    let mut driven = driven();
    driven.with_events(10);
    driven.key(KeyCode::Char('5'));
    assert_eq!(driven.app.tab, Tab::Trash);
    let trash = Driven::sent(&driven.app.take_requests(), Slot::Trash);
    driven.answer(&trash, Reply::Trash(Err(unavailable())));
    assert!(driven.app.unreachable_since.is_some());
    // The first tick after the outage retries the trash (not a list), and then only every
    // three seconds.
    driven.app.handle_event(AppEvent::Tick);
    let retry = Driven::sent(&driven.app.take_requests(), Slot::Trash);
    driven.answer(&retry, Reply::Trash(Err(unavailable())));
    driven.clock.advance(Duration::from_secs(1));
    driven.app.handle_event(AppEvent::Tick);
    assert!(driven.app.take_requests().is_empty(), "not yet");
    driven.clock.advance(Duration::from_secs(2));
    driven.app.handle_event(AppEvent::Tick);
    let retry = Driven::sent(&driven.app.take_requests(), Slot::Trash);
    driven.answer(&retry, Reply::Trash(Ok(vec![trash_entry()])));
    assert!(driven.app.unreachable_since.is_none());
    assert_eq!(driven.app.trash.entries.len(), 1);
    let flash = driven.app.flash.as_ref().map(|flash| flash.text.clone());
    assert_eq!(flash.as_deref(), Some("the database is back"));
    // The message goes after five seconds of the injected clock.
    driven.clock.advance(Duration::from_secs(5));
    driven.app.handle_event(AppEvent::Tick);
    assert!(driven.app.flash.is_none());
}

#[test]
fn a_message_asks_for_a_frame_only_when_it_goes() {
    let mut driven = driven();
    driven.with_events(10);
    assert!(driven.app.flash.is_some(), "the sign-in's message");
    assert!(!driven.app.is_loading());
    assert!(
        !driven.app.wants_ticks(),
        "a message standing still needs no frame per tick"
    );
    driven.clock.advance(Duration::from_secs(5));
    assert!(
        driven.app.wants_ticks(),
        "the tick that takes it away redraws"
    );
    driven.app.handle_event(AppEvent::Tick);
    assert!(driven.app.flash.is_none());
    assert!(!driven.app.wants_ticks());
}

fn trash_entry() -> TrashEntry {
    TrashEntry {
        id: 7,
        kind: "order".into(),
        entity_id: 42,
        label: "order ABCD-EFGH".into(),
        children: serde_json::json!({"tickets": 2}),
        deleted_at: Utc
            .with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
            .single()
            .expect("a date"),
        deleted_by: Some("Tess Tester".into()),
    }
}

#[test]
fn the_in_flight_table_follows_every_request_until_its_answer() {
    let mut driven = driven();
    driven.with_events(10);
    assert!(!driven.app.is_loading());
    driven.key(KeyCode::Char('R'));
    let requests = driven.app.take_requests();
    let page_request = Driven::sent(&requests, Slot::Page(EntityKind::Event));
    Driven::sent(&requests, Slot::Count(EntityKind::Event));
    assert!(driven.app.is_waiting(Slot::Page(EntityKind::Event)));
    assert!(driven.app.is_loading());
    driven.answer(
        &page_request,
        Reply::Page(EntityKind::Event, Ok(page(1, 10, false, Position::First))),
    );
    assert!(!driven.app.is_waiting(Slot::Page(EntityKind::Event)));
    assert!(driven.app.is_waiting(Slot::Count(EntityKind::Event)));
    // A picker closed while its list is coming stops waiting for it: the late list is
    // dropped, and no picker comes back.
    driven.key(KeyCode::Char('u'));
    let search = Driven::sent(&driven.app.take_requests(), Slot::Picker);
    assert!(driven.app.is_waiting(Slot::Picker));
    driven.key(KeyCode::Esc);
    assert!(!driven.app.is_waiting(Slot::Picker));
    driven.answer(
        &search,
        Reply::Picker(Ok(boxoffice::data_task::PickList::Users(Vec::new()))),
    );
    assert!(driven.app.overlays.is_empty());
}

#[test]
fn form_and_dialog_keys_can_be_rebound_and_show_in_the_help() {
    let overrides = BTreeMap::from([
        ("save".to_string(), vec!["ctrl-w".to_string()]),
        ("yes".to_string(), vec!["j".to_string()]),
    ]);
    let keymap = KeyMap::load(&overrides).expect("a valid key map");
    let mut driven = app_with(keymap, None, 100, 30);
    driven.with_events(10);
    driven.key(KeyCode::Char('n'));
    assert!(driven.app.overlays.form().is_some());
    driven.type_text("Rebound Night");
    driven.key_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        driven.app.take_requests().is_empty(),
        "Ctrl-s no longer saves"
    );
    driven.key_with(KeyCode::Char('w'), KeyModifiers::CONTROL);
    let form = driven.app.overlays.form().expect("the form stays");
    assert!(
        form.fields.iter().any(|field| field.error.is_some()),
        "Ctrl-w saves: the empty fields are explained"
    );
    assert!(
        driven.render().contains("Ctrl-w saves"),
        "the footer says so"
    );
    driven.key(KeyCode::Esc);
    driven.key(KeyCode::Esc);
    driven.key(KeyCode::Char('?'));
    let help = boxoffice::app::keymap::HelpLine::Keys("Ctrl-w".into(), "save");
    assert!(
        driven
            .app
            .keymap
            .help_text(boxoffice::app::commands::Context::List, false)
            .contains(&help)
    );
}

#[test]
fn a_kiosk_quits_only_with_the_password_even_from_the_help() {
    let mut driven = app_with(
        KeyMap::defaults(),
        Some(Kiosk {
            event_id: None,
            password_to_leave: true,
        }),
        80,
        24,
    );
    driven.signed_in(Role::Staff);
    assert_eq!(driven.app.tab, Tab::CheckIn);
    driven.key(KeyCode::Char('?'));
    driven.key(KeyCode::Char('q'));
    assert!(!driven.app.should_quit);
    assert!(matches!(
        driven.app.overlays.top(),
        Some(Overlay::Unlock(_))
    ));
    driven.type_text("secret");
    driven.key(KeyCode::Enter);
    let unlock = Driven::sent(&driven.app.take_requests(), Slot::Unlock);
    driven.answer(
        &unlock,
        Reply::Unlock(Err(DataErrorText::from(
            boxoffice::error::DataError::Refused("wrong".into()),
        ))),
    );
    assert!(!driven.app.should_quit);
    assert!(driven.render().contains("wrong password"));
    driven.type_text("demo");
    driven.key(KeyCode::Enter);
    let unlock = Driven::sent(&driven.app.take_requests(), Slot::Unlock);
    driven.answer(&unlock, Reply::Unlock(Ok(())));
    assert!(driven.app.should_quit);
}

#[test]
fn the_trash_prompt_explains_the_trash_filter() {
    let mut driven = app_with(KeyMap::defaults(), None, 100, 30);
    driven.with_events(10);
    driven.key(KeyCode::Char('5'));
    let trash = Driven::sent(&driven.app.take_requests(), Slot::Trash);
    driven.answer(&trash, Reply::Trash(Ok(vec![trash_entry()])));
    driven.key(KeyCode::Char('/'));
    insta::assert_snapshot!("trash_prompt_hint", driven.render());
    driven.type_text("kind:user");
    driven.key(KeyCode::Enter);
    let screen = driven.render();
    assert!(screen.contains("unknown kind `user`"), "{screen}");
    assert!(driven.app.take_requests().is_empty(), "nothing sent");
}

#[test]
fn the_retry_on_the_trash_tab_shows_while_the_rows_stay() {
    let mut driven = app_with(KeyMap::defaults(), None, 100, 30);
    driven.with_events(10);
    driven.key(KeyCode::Char('5'));
    let trash = Driven::sent(&driven.app.take_requests(), Slot::Trash);
    driven.answer(&trash, Reply::Trash(Ok(vec![trash_entry()])));
    driven.key(KeyCode::Char('R'));
    let reload = Driven::sent(&driven.app.take_requests(), Slot::Trash);
    driven.answer(&reload, Reply::Trash(Err(unavailable())));
    driven.clock.advance(Duration::from_secs(6));
    driven.app.handle_event(AppEvent::Tick);
    Driven::sent(&driven.app.take_requests(), Slot::Trash);
    insta::assert_snapshot!("trash_retrying", driven.render());
}

#[test]
fn help_reads_whole_at_80x24_and_scrolls() {
    let mut driven = app_with(KeyMap::defaults(), None, 80, 24);
    driven.with_events(10);
    driven.key(KeyCode::Char('?'));
    let top = driven.render();
    insta::assert_snapshot!("help_80x24_top", top);
    for _ in 0..200 {
        driven.key(KeyCode::Char('j'));
    }
    let bottom = driven.render();
    insta::assert_snapshot!("help_80x24_bottom", bottom);
    // Every help text of the screen and its dialogs is on one of the scrolled screens whole.
    let all: String = {
        let mut seen = String::new();
        driven.key(KeyCode::Char('g'));
        for _ in 0..60 {
            seen.push_str(&driven.render());
            driven.key(KeyCode::Char('j'));
        }
        seen
    };
    for line in driven
        .app
        .keymap
        .help_text(boxoffice::app::commands::Context::List, false)
    {
        if let boxoffice::app::keymap::HelpLine::Keys(_, words) = line {
            assert!(all.contains(words), "cut at 80x24: {words}");
        }
    }
}
