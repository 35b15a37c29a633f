//! Event times on the event's own clock: typed and shown in the event's zone with its
//! abbreviation whatever the viewer's or the process's zone, daylight saving decided by the tz
//! database, the skipped and the repeated hour explained, local dates in filters.

use crate::common::{Harness, TestDb};
use boxoffice::db::filter::parse;
use boxoffice::db::listing::{ListQuery, Position, Sort, fetch_page};
use boxoffice::db::model::{EntityKind, Row};
use boxoffice::zone::Tz;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyModifiers};

fn zone(name: &str) -> Tz {
    name.parse().expect("a zone")
}

async fn signed_in(db: &TestDb) -> Harness {
    let mut harness = Harness::new(db.pool.clone(), 130, 34);
    harness.sign_in("admin@boxoffice.test").await;
    harness
}

async fn ctrl(harness: &mut Harness, c: char) {
    harness
        .press_with(KeyCode::Char(c), KeyModifiers::CONTROL)
        .await;
}

async fn clear_field(harness: &mut Harness) {
    for _ in 0..40 {
        harness.press(KeyCode::Backspace).await;
    }
}

/// `n` on Events, with the fields typed: title, venue, start, end, zone (not saved).
async fn event_typed(harness: &mut Harness, title: &str, starts: &str, ends: &str, zone: &str) {
    harness.press(KeyCode::Char('n')).await;
    harness.type_text(title).await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("Spree Ufer").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text(starts).await;
    harness.press(KeyCode::Tab).await;
    harness.type_text(ends).await;
    harness.press(KeyCode::Tab).await;
    clear_field(harness).await;
    harness.type_text(zone).await;
}

async fn stored(db: &TestDb, title: &str) -> Option<(DateTime<Utc>, DateTime<Utc>, String)> {
    sqlx::query_as("SELECT starts_at, ends_at, time_zone FROM events WHERE title = $1")
        .bind(title)
        .fetch_optional(&db.pool)
        .await
        .expect("query")
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an instant")
}

#[tokio::test]
async fn a_berlin_summer_evening_is_typed_and_shown_on_berlin_s_clock_whoever_looks() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db).await;
    // The viewer is in New York; the venue in Berlin; "berlin" completes to the zone.
    harness.app.viewer_zone = zone("America/New_York");
    event_typed(
        &mut harness,
        "Sommernacht",
        "2027-07-01 19:00",
        "2027-07-01 23:00",
        "berlin",
    )
    .await;
    ctrl(&mut harness, 's').await;
    assert_eq!(
        stored(&db, "Sommernacht").await,
        Some((
            utc("2027-07-01T17:00:00Z"),
            utc("2027-07-01T21:00:00Z"),
            "Europe/Berlin".into()
        )),
        "{}",
        harness.render()
    );
    for viewer in ["UTC", "America/New_York", "Europe/Berlin"] {
        harness.app.viewer_zone = zone(viewer);
        harness.press(KeyCode::Char('/')).await;
        clear_field(&mut harness).await;
        harness.type_text("Sommernacht").await;
        harness.press(KeyCode::Enter).await;
        let screen = harness.render();
        assert!(
            screen.contains("2027-07-01 19:00 CEST  Sommernacht"),
            "viewer in {viewer}: {screen}"
        );
        assert!(
            screen.contains("Ends      2027-07-01 23:00 CEST"),
            "{screen}"
        );
        assert!(screen.contains("19:00 CEST (Europe/Berlin)"), "{screen}");
    }
    // Opened for editing, the times are on the event's clock too.
    harness.press(KeyCode::Char('e')).await;
    let form = harness.render();
    assert!(form.contains("2027-07-01 19:00"), "{form}");
    assert!(form.contains("Europe/Berlin"), "{form}");
}

#[tokio::test]
async fn the_process_s_own_zone_changes_nothing_for_an_event() {
    let db = TestDb::with_demo().await;
    sqlx::query(
        "INSERT INTO events (organizer_id, title, venue, starts_at, ends_at, time_zone) \
         SELECT id, 'Zonenfest', 'Spree Ufer', '2027-07-01 17:00+00', '2027-07-01 21:00+00', \
                'Europe/Berlin' FROM users WHERE email = 'ada@boxoffice.test'",
    )
    .execute(&db.pool)
    .await
    .expect("event");
    let options = &db.options;
    let url = format!(
        "postgres://{}@localhost:{}/{}?host={}",
        options.get_username(),
        options.get_port(),
        options.get_database().expect("a database"),
        options
            .get_socket()
            .map(|dir| dir.display().to_string())
            .unwrap_or_else(|| options.get_host().to_string())
    );
    for process_zone in ["UTC", "America/New_York", "Europe/Berlin"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_boxoffice"))
            .args([
                "export",
                "events",
                "--filter",
                "Zonenfest",
                "--as",
                "admin@boxoffice.test",
            ])
            .env("DATABASE_URL", &url)
            .env("TZ", process_zone)
            .env("BOXOFFICE_PASSWORD", boxoffice::db::seed::DEMO_PASSWORD)
            .env("BOXOFFICE_DATA_DIR", std::env::temp_dir())
            .output()
            .expect("boxoffice runs");
        let csv = String::from_utf8_lossy(&output.stdout);
        assert!(
            csv.contains("2027-07-01T19:00:00+02:00,2027-07-01T23:00:00+02:00,Zonenfest"),
            "TZ={process_zone}: {csv}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(csv.contains("Europe/Berlin"), "{csv}");
    }
}

#[tokio::test]
async fn the_skipped_and_the_repeated_hour_are_explained_and_nothing_is_saved() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db).await;
    let cases = [
        (
            "Europe/Berlin",
            "2027-03-28 02:30",
            "02:30 does not exist on 2027-03-28 in Europe/Berlin: the clocks go forward from 02:00 to 03:00",
        ),
        (
            "Europe/Berlin",
            "2026-10-25 02:30",
            "02:30 happens twice on 2026-10-25 in Europe/Berlin (the clocks go back): type 2026-10-25 02:30 CEST for the first (UTC+02:00) or 2026-10-25 02:30 CET for the second (UTC+01:00)",
        ),
        (
            "America/New_York",
            "2027-03-14 02:15",
            "02:15 does not exist on 2027-03-14 in America/New_York: the clocks go forward from 02:00 to 03:00",
        ),
        (
            "America/New_York",
            "2026-11-01 01:30",
            "type 2026-11-01 01:30 EDT for the first (UTC-04:00) or 2026-11-01 01:30 EST for the second (UTC-05:00)",
        ),
    ];
    for (event_zone, starts, explained) in cases {
        event_typed(
            &mut harness,
            "Uhrwechsel",
            starts,
            "2027-12-31 23:00",
            event_zone,
        )
        .await;
        ctrl(&mut harness, 's').await;
        let screen = harness.render();
        let message = harness
            .app
            .overlays
            .form()
            .and_then(|form| form.fields.iter().find(|field| field.key == "starts_at"))
            .and_then(|field| field.error.clone())
            .unwrap_or_default();
        assert!(message.contains(explained), "{message}\n{screen}");
        assert_eq!(stored(&db, "Uhrwechsel").await, None, "nothing saved");
        // Esc, and Esc again to discard what was typed.
        harness.press(KeyCode::Esc).await;
        harness.press(KeyCode::Esc).await;
    }
    // Naming the second 02:30 saves it: an hour after the first.
    event_typed(
        &mut harness,
        "Uhrwechsel",
        "2026-10-25 02:30 CET",
        "2026-10-25 05:00",
        "Europe/Berlin",
    )
    .await;
    ctrl(&mut harness, 's').await;
    let saved = stored(&db, "Uhrwechsel")
        .await
        .unwrap_or_else(|| panic!("saved: {}", harness.render()));
    assert_eq!(saved.0, utc("2026-10-25T01:30:00Z"), "{}", harness.render());
}

#[tokio::test]
async fn a_sales_window_across_the_autumn_change_keeps_its_local_ends() {
    let db = TestDb::with_demo().await;
    let mut harness = signed_in(&db).await;
    event_typed(
        &mut harness,
        "Herbstball",
        "2026-11-07 20:00",
        "2026-11-07 23:30",
        "Europe/Berlin",
    )
    .await;
    ctrl(&mut harness, 's').await;
    harness.press(KeyCode::Char('/')).await;
    harness.type_text("Herbstball").await;
    harness.press(KeyCode::Enter).await;
    harness.press(KeyCode::Char('t')).await;
    harness.press(KeyCode::Char('n')).await;
    harness.type_text("Standard").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("30").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("100").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("2026-10-24 12:00").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("2026-10-26 12:00").await;
    let form = harness.render();
    assert!(
        form.contains("Europe/Berlin time"),
        "the hint names the clock: {form}"
    );
    ctrl(&mut harness, 's').await;
    let (start, end): (DateTime<Utc>, DateTime<Utc>) = sqlx::query_as(
        "SELECT sales_start, sales_end FROM ticket_types tt JOIN events e ON e.id = tt.event_id \
         WHERE e.title = 'Herbstball'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap_or_else(|error| panic!("{error}: {}", harness.render()));
    assert_eq!(start, utc("2026-10-24T10:00:00Z"), "noon CEST");
    assert_eq!(end, utc("2026-10-26T11:00:00Z"), "noon CET");
    assert_eq!(
        (end - start).num_hours(),
        49,
        "the night the clocks went back"
    );
}

async fn titles(db: &TestDb, kind: EntityKind, filter: &str, viewer: Tz) -> Vec<String> {
    let admin = db.actor("admin@boxoffice.test").await;
    let mut filter = parse(kind, filter).expect("a valid filter");
    filter.offset = Some(viewer);
    let page = fetch_page(
        &db.pool,
        &admin,
        &ListQuery {
            kind,
            parent: None,
            filter,
            sort: Sort::default_for(kind),
            position: Position::First,
            page_size: 50,
        },
    )
    .await
    .expect("page");
    page.rows
        .iter()
        .map(|row| match row {
            Row::Event(event) => event.title.clone(),
            Row::Order(order) => order.code.clone(),
            Row::Ticket(ticket) => ticket.code.clone(),
        })
        .collect()
}

#[tokio::test]
async fn dates_in_filters_are_the_event_s_local_dates_and_the_viewer_s_for_orders() {
    let db = TestDb::with_demo().await;
    // Just after midnight in Berlin (still June 30 in UTC), and just before midnight in New
    // York (already July 2 in UTC): both are July 1 events.
    sqlx::query(
        "INSERT INTO events (organizer_id, title, venue, starts_at, ends_at, time_zone) \
         SELECT u.id, x.title, 'Edge', x.starts::timestamptz, x.starts::timestamptz + interval '2 hours', x.zone \
         FROM users u, (VALUES ('Kante Berlin', '2027-06-30 22:30+00', 'Europe/Berlin'), \
                               ('Edge New York', '2027-07-02 03:30+00', 'America/New_York')) \
              AS x (title, starts, zone) \
         WHERE u.email = 'ada@boxoffice.test'",
    )
    .execute(&db.pool)
    .await
    .expect("events");
    let mut july_first = titles(
        &db,
        EntityKind::Event,
        "venue:Edge from:2027-07-01 to:2027-07-01",
        Tz::UTC,
    )
    .await;
    july_first.sort();
    assert_eq!(july_first, vec!["Edge New York", "Kante Berlin"]);
    for outside in ["venue:Edge to:2027-06-30", "venue:Edge from:2027-07-02"] {
        assert_eq!(
            titles(&db, EntityKind::Event, outside, Tz::UTC).await,
            Vec::<String>::new(),
            "{outside}"
        );
    }
    // An order made at 23:30 UTC on July 1 is a July 2 order for a viewer in Berlin.
    sqlx::query(
        "INSERT INTO orders (code, user_id, event_id, status, total_cents, created_at) \
         SELECT 'EDGE-0701', (SELECT id FROM users WHERE email = 'chris@example.com'), e.id, \
                'paid', 1000, '2027-07-01 23:30+00' FROM events e WHERE e.title = 'Kante Berlin'",
    )
    .execute(&db.pool)
    .await
    .expect("order");
    let berlin = zone("Europe/Berlin");
    assert_eq!(
        titles(
            &db,
            EntityKind::Order,
            "from:2027-07-02 to:2027-07-02",
            berlin
        )
        .await,
        vec!["EDGE-0701"]
    );
    assert_eq!(
        titles(
            &db,
            EntityKind::Order,
            "from:2027-07-02 to:2027-07-02",
            Tz::UTC
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        titles(
            &db,
            EntityKind::Order,
            "from:2027-07-01 to:2027-07-01",
            Tz::UTC
        )
        .await,
        vec!["EDGE-0701"]
    );
}

#[tokio::test]
async fn a_person_s_own_zone_shows_the_times_that_are_no_event_s() {
    use boxoffice::db::auth::Role;
    use boxoffice::db::edits::users::UserDraft;
    let db = TestDb::with_demo().await;
    // The users form takes a zone from typed letters, and refuses one that is not.
    let draft = |zone: &str| UserDraft {
        email: "zoned@example.com".into(),
        name: "Zoned".into(),
        role: Role::Support,
        password: None,
        add_key: None,
        revoke_keys: Vec::new(),
        time_zone: zone.into(),
    };
    assert_eq!(
        draft("new_york").validate().expect("valid").time_zone,
        "America/New_York"
    );
    assert_eq!(draft("").validate().expect("valid").time_zone, "");
    assert!(draft("Mars/Olympus").validate().is_err());

    sqlx::query(
        "UPDATE users SET time_zone = 'America/New_York' WHERE email = 'support@boxoffice.test'",
    )
    .execute(&db.pool)
    .await
    .expect("zone");
    let mut harness = Harness::new(db.pool.clone(), 130, 34);
    harness.sign_in("support@boxoffice.test").await;
    assert_eq!(harness.app.viewer_zone.name(), "America/New_York");
    harness.press(KeyCode::Char('2')).await;
    let screen = harness.render();
    assert!(
        screen.contains("(America/New_York)"),
        "the detail pane names the viewer's zone beside the order's time: {screen}"
    );
    assert!(
        screen.contains(" UTC"),
        "the event's start on its own clock: {screen}"
    );
}
