use super::*;
use crate::app::form::submit::{parse_count, parse_money, parse_time};
use crate::zone::Tz;
use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn utc() -> Tz {
    Tz::UTC
}

fn press(form: &mut Form, code: KeyCode) -> FormAction {
    form.handle_key(
        &KeyEvent::new(code, KeyModifiers::NONE),
        &crate::app::commands::KeyMap::defaults(),
        utc(),
    )
}

fn type_text(form: &mut Form, text: &str) {
    for c in text.chars() {
        press(form, KeyCode::Char(c));
    }
}

fn admin() -> crate::db::auth::Actor {
    crate::db::auth::Actor {
        id: 1,
        email: "admin@boxoffice.test".into(),
        name: "Admin".into(),
        role: crate::db::auth::Role::Admin,
        time_zone: None,
    }
}

#[test]
fn money_is_parsed_to_exact_cents() {
    assert_eq!(parse_money("25"), Ok(2500));
    assert_eq!(parse_money("25.5"), Ok(2550));
    assert_eq!(parse_money(" 0,05 "), Ok(5));
    assert_eq!(parse_money("-3"), Ok(-300));
    for bad in [
        "",
        "abc",
        "1.234",
        "1e3",
        "--1",
        ".5",
        "99999999999999999999",
    ] {
        assert!(parse_money(bad).is_err(), "{bad}");
    }
}

#[test]
fn counts_and_times_are_parsed_or_explained() {
    assert_eq!(parse_count("", Some(0)), Ok(0));
    assert!(parse_count("", None).is_err());
    assert!(parse_count("1.5", None).is_err());
    let offset: Tz = "Europe/Berlin".parse().expect("zone");
    assert_eq!(
        parse_time("2026-12-31 19:30", offset),
        Ok(Utc.with_ymd_and_hms(2026, 12, 31, 18, 30, 0).unwrap())
    );
    assert_eq!(
        parse_time("2026-12-31", offset),
        Ok(Utc.with_ymd_and_hms(2026, 12, 30, 23, 0, 0).unwrap())
    );
    assert!(parse_time("31/12/2026", offset).is_err());
    assert!(parse_time("2026-02-30 10:00", offset).is_err());
}

#[test]
fn tab_moves_between_fields_and_enter_on_the_last_saves() {
    let mut form = Form::event(&admin(), None);
    type_text(&mut form, "Jazz Night");
    press(&mut form, KeyCode::Tab);
    type_text(&mut form, "Blue Note");
    press(&mut form, KeyCode::Tab);
    type_text(&mut form, "2026-12-01 19:30");
    press(&mut form, KeyCode::Enter);
    type_text(&mut form, "2026-12-01 23:00");
    press(&mut form, KeyCode::BackTab);
    assert_eq!(form.focus, 2, "Shift-Tab goes back");
    form.focus = form.fields.len() - 1;
    let FormAction::Send(request) = press(&mut form, KeyCode::Enter) else {
        panic!("Enter on the last field saves");
    };
    let Request::SaveEvent { loaded, draft } = *request else {
        panic!("Enter on the last field saves");
    };
    assert!(loaded.is_none());
    assert_eq!(draft.title, "Jazz Night");
    assert_eq!(
        draft.organizer_email.as_deref(),
        Some("admin@boxoffice.test")
    );
    assert_eq!(
        draft.ends_at - draft.starts_at,
        chrono::Duration::minutes(210)
    );
}

#[test]
fn invalid_values_say_why_next_to_their_field_and_nothing_is_sent() {
    let mut form = Form::event(&admin(), None);
    press(&mut form, KeyCode::Tab);
    type_text(&mut form, "Hall");
    press(&mut form, KeyCode::Tab);
    type_text(&mut form, "2026-12-01 19:30");
    press(&mut form, KeyCode::Tab);
    type_text(&mut form, "2026-12-01 18:00");
    let action = form.handle_key(
        &KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
        &crate::app::commands::KeyMap::defaults(),
        utc(),
    );
    assert_eq!(action, FormAction::None);
    let error = |key: &str| form.field(key).and_then(|f| f.error.clone());
    assert_eq!(error("title").as_deref(), Some("the title cannot be empty"));
    assert_eq!(
        error("ends_at").as_deref(),
        Some("an event must end after it starts")
    );
    assert_eq!(error("venue"), None);
    assert_eq!(form.focus, 0, "the first wrong field gets the focus");
}

#[test]
fn esc_asks_before_discarding_changes() {
    let mut form = Form::user(None, "");
    assert_eq!(
        press(&mut form, KeyCode::Esc),
        FormAction::Close,
        "nothing typed"
    );
    let mut form = Form::user(None, "");
    type_text(&mut form, "x");
    assert_eq!(press(&mut form, KeyCode::Esc), FormAction::None);
    assert!(form.confirm_discard);
    assert_eq!(press(&mut form, KeyCode::Esc), FormAction::Close);
}

#[test]
fn a_choice_cycles_and_ignores_typing() {
    let mut form = Form::user(None, "new@example.com");
    form.focus = 2;
    press(&mut form, KeyCode::Char('x'));
    assert_eq!(form.value("role"), "customer");
    press(&mut form, KeyCode::Right);
    assert_eq!(form.value("role"), "organizer");
    press(&mut form, KeyCode::Left);
    press(&mut form, KeyCode::Left);
    assert_eq!(form.value("role"), "admin");
}

#[test]
fn a_reload_keeps_what_was_typed_and_takes_the_rest_from_the_new_version() {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 19, 0, 0).unwrap();
    let record = crate::db::edits::events::EventRecord {
        id: 7,
        title: "Old title".into(),
        venue: "Old venue".into(),
        starts_at: at,
        ends_at: at + chrono::Duration::hours(2),
        description: String::new(),
        organizer_email: "ada@boxoffice.test".into(),
        time_zone: "UTC".into(),
        currency: "EUR".into(),
        updated_at: at,
    };
    let mut form = Form::event(&admin(), Some(record.clone()));
    form.fields[0].input = tui_input::Input::new("My title".into());
    let newer = crate::db::edits::events::EventRecord {
        venue: "New venue".into(),
        updated_at: at + chrono::Duration::seconds(1),
        ..record
    };
    form.rebase(Form::event(&admin(), Some(newer.clone())));
    assert_eq!(form.value("title"), "My title");
    assert_eq!(form.value("venue"), "New venue");
    assert_eq!(form.purpose, Purpose::Event(Some(newer)));
}
