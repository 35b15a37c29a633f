//! Each event's currency: defaulted, checked and fixed once something is sold; every amount
//! on every screen says it; totals over events of several currencies are kept apart.

use crate::common::{Harness, TestDb, anchor};
use boxoffice::db::dashboard;
use boxoffice::db::edits::events::{EventDraft, create_event, load_event, update_event};
use boxoffice::error::DataError;
use chrono::{Duration, NaiveDate};
use crossterm::event::{KeyCode, KeyModifiers};

/// Grace's "Science Pub Quiz" (it has orders) sells in dollars; everything else in euros.
async fn quiz_in_dollars(db: &TestDb) -> i64 {
    sqlx::query_scalar(
        "UPDATE events SET currency = 'USD' WHERE title = 'Science Pub Quiz' RETURNING id",
    )
    .fetch_one(&db.pool)
    .await
    .expect("the quiz in dollars")
}

fn draft(title: &str, currency: &str) -> EventDraft {
    let starts = anchor() + Duration::days(30);
    EventDraft {
        title: title.into(),
        venue: "Cellar".into(),
        starts_at: starts,
        ends_at: starts + Duration::hours(2),
        description: String::new(),
        organizer_email: None,
        time_zone: "Europe/Berlin".into(),
        currency: currency.into(),
    }
}

fn field_error(result: Result<impl std::fmt::Debug, DataError>, key: &str) -> String {
    match result {
        Err(DataError::Fields(errors)) => errors
            .0
            .iter()
            .find(|(field, _)| field == key)
            .map(|(_, message)| message.clone())
            .unwrap_or_else(|| panic!("no error for {key}: {errors:?}")),
        other => panic!("expected a field error for {key}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_currency_is_defaulted_checked_and_fixed_once_something_is_sold() {
    let db = TestDb::with_demo().await;
    let ada = db.actor("ada@boxoffice.test").await;
    // The demo's events (inserted without one) have the default.
    let currencies: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT currency FROM events ORDER BY 1")
            .fetch_all(&db.pool)
            .await
            .expect("currencies");
    assert_eq!(currencies, ["EUR"]);
    // A connection configured for another default gives new events that one.
    let mut conn = db.pool.acquire().await.expect("connection");
    sqlx::query("SET boxoffice.default_currency = 'CHF'")
        .execute(&mut *conn)
        .await
        .expect("set");
    let swiss: String = sqlx::query_scalar(
        "INSERT INTO events (organizer_id, title, venue, starts_at, ends_at) \
         SELECT id, 'Alpine Horns', 'Hall', now(), now() + interval '1 hour' FROM users \
         WHERE email = 'ada@boxoffice.test' RETURNING currency",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("insert");
    assert_eq!(swiss, "CHF");
    // The table refuses what is not a code, whoever writes.
    let lower = sqlx::query("UPDATE events SET currency = 'eur' WHERE title = 'Alpine Horns'")
        .execute(&mut *conn)
        .await;
    assert!(lower.is_err(), "a lower-case code is refused by the table");
    drop(conn);

    // Typed any case; not a currency, a replaced one or a metal: said next to the field.
    let saved = create_event(&db.pool, &ada, &draft("Dollar Night", " usd "))
        .await
        .expect("saved");
    assert_eq!(saved.currency, "USD");
    for (typed, wanted) in [
        ("EURO", "not an ISO 4217"),
        ("", "type a currency"),
        ("HRK", "replaced by EUR"),
        ("XAU", "not a currency tickets are sold in"),
    ] {
        let message = field_error(
            create_event(&db.pool, &ada, &draft("Refused", typed)).await,
            "currency",
        );
        assert!(message.contains(wanted), "{typed}: {message}");
    }
    let refused: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE title = 'Refused'")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(refused, 0, "nothing saved");

    // Nothing sold yet: the currency may change.
    let changed = update_event(&db.pool, &ada, &saved, &draft("Dollar Night", "gbp"))
        .await
        .expect("changed");
    assert_eq!(changed.currency, "GBP");
    // Once an event has orders, its totals are in its currency: it stays.
    let (jazz, orders): (i64, i64) = sqlx::query_as(
        "SELECT e.id, count(o.id) FROM events e JOIN orders o ON o.event_id = e.id \
         WHERE e.title = 'Jazz at the Lighthouse' GROUP BY e.id",
    )
    .fetch_one(&db.pool)
    .await
    .expect("jazz");
    assert!(orders > 0);
    let loaded = load_event(&db.pool, &ada, jazz).await.expect("loaded");
    let mut change = draft(&loaded.title, "USD");
    change.starts_at = loaded.starts_at;
    change.ends_at = loaded.ends_at;
    change.venue = loaded.venue.clone();
    let message = field_error(
        update_event(&db.pool, &ada, &loaded, &change).await,
        "currency",
    );
    assert!(
        message.contains("stays EUR") && message.contains("orders"),
        "{message}"
    );
    let after = load_event(&db.pool, &ada, jazz).await.expect("reloaded");
    assert_eq!(after, loaded, "nothing changed");
}

#[tokio::test]
async fn the_dashboard_keeps_currencies_apart_and_matches_plain_sql() {
    let db = TestDb::with_demo().await;
    quiz_in_dollars(&db).await;
    // A paid order of the quiz today, so that both currencies have money in the chart.
    sqlx::query(
        "UPDATE orders SET status = 'paid', created_at = $1 WHERE id = (SELECT o.id FROM orders o \
         JOIN events e ON e.id = o.event_id WHERE e.title = 'Science Pub Quiz' \
         AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1)",
    )
    .bind(anchor() - Duration::hours(1))
    .execute(&db.pool)
    .await
    .expect("a dollar sale today");
    let admin = db.actor("admin@boxoffice.test").await;
    let grace = db.actor("grace@boxoffice.test").await;
    let ada = db.actor("ada@boxoffice.test").await;
    let now = anchor();
    let first_day = now.date_naive() - Duration::days(dashboard::DAYS as i64 - 1);
    for (actor, organizer, currencies) in [
        (&admin, None, vec!["EUR", "USD"]),
        (&grace, Some(grace.id), vec!["EUR", "USD"]),
        (&ada, Some(ada.id), vec!["EUR"]),
    ] {
        let board = dashboard::load(&db.pool, actor, None, now, boxoffice::zone::Tz::UTC)
            .await
            .expect("dashboard");
        assert_eq!(board.currencies, currencies, "{}", actor.email);
        let revenue: Vec<(NaiveDate, String, i64)> = sqlx::query_as(
            "SELECT o.created_at::date, e.currency, sum(o.total_cents)::bigint FROM orders o \
             JOIN events e ON e.id = o.event_id \
             WHERE o.deleted_at IS NULL AND o.status = 'paid' AND o.created_at >= $1 \
             AND ($2::bigint IS NULL OR e.organizer_id = $2) GROUP BY 1, 2",
        )
        .bind(first_day.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        .bind(organizer)
        .fetch_all(&db.pool)
        .await
        .expect("revenue per day and currency");
        for day in &board.days {
            for currency in &currencies {
                let sql = revenue
                    .iter()
                    .find(|(d, c, _)| *d == day.day && c == currency)
                    .map_or(0, |r| r.2);
                assert_eq!(day.revenue.get(currency), sql, "{} {currency}", day.day);
            }
        }
        if currencies.len() == 2 {
            assert!(board.today.revenue.get("USD") > 0, "the dollar sale today");
        }
        let types: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT tt.name, e.currency, sum(seats_sold(tt.id, tt.sold) * tt.price_cents)::bigint \
             FROM ticket_types tt JOIN events e ON e.id = tt.event_id \
             WHERE tt.deleted_at IS NULL AND e.deleted_at IS NULL \
             AND ($1::bigint IS NULL OR e.organizer_id = $1) GROUP BY 1, 2",
        )
        .bind(organizer)
        .fetch_all(&db.pool)
        .await
        .expect("types");
        for shown in &board.ticket_types {
            let sql = types
                .iter()
                .find(|(name, currency, _)| *name == shown.name && *currency == shown.currency)
                .map(|t| t.2);
            assert_eq!(
                Some(shown.value_cents),
                sql,
                "{} {}",
                shown.name,
                shown.currency
            );
        }
        if organizer == Some(grace.id) {
            let generals: Vec<&str> = board
                .ticket_types
                .iter()
                .filter(|t| t.name == "General")
                .map(|t| t.currency.as_str())
                .collect();
            assert_eq!(generals, ["EUR", "USD"], "one bar per name and currency");
        }
    }
}

async fn select_event(harness: &mut Harness, title: &str) {
    harness.press(KeyCode::Char('1')).await;
    harness.press(KeyCode::Char('/')).await;
    harness.type_text(&format!("\"{title}\"")).await;
    harness.press(KeyCode::Enter).await;
}

/// A snapshot of `screen`; ticket codes are random, so it names them by their shape.
fn snapshot(name: &str, screen: &str) {
    insta::with_settings!({filters => vec![(r"\b[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}\b", "[ticket]")]}, {
        insta::assert_snapshot!(name, screen);
    });
}

#[tokio::test]
async fn every_screen_with_money_says_the_events_currency() {
    let db = TestDb::with_demo().await;
    quiz_in_dollars(&db).await;
    let mut harness = Harness::at(db.pool.clone(), 130, 34, anchor());
    harness.sign_in("admin@boxoffice.test").await;
    // The event's detail: its ticket types' prices.
    select_event(&mut harness, "Science Pub Quiz").await;
    let events = harness.render();
    assert!(events.contains("35.00 USD"), "{events}");
    snapshot("currency_event_detail", &events);

    // Its orders: each total, and the order's detail.
    harness.press(KeyCode::Enter).await;
    let orders = harness.render();
    assert!(orders.contains(" USD"), "{orders}");
    assert!(!orders.contains(" EUR"), "{orders}");
    snapshot("currency_event_orders", &orders);

    // A ticket's detail: its type's price.
    harness.press(KeyCode::Enter).await;
    harness.press(KeyCode::Enter).await;
    let ticket = harness.render();
    assert!(ticket.contains(".00 USD)"), "{ticket}");
    snapshot("currency_ticket_detail", &ticket);
    harness.press(KeyCode::Esc).await;
    harness.press(KeyCode::Esc).await;

    // The box-office sale: each price and the total.
    harness.press(KeyCode::Char('n')).await;
    harness.type_text("walk.in@example.com").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("Walk In").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("2").await;
    let sale = harness.render();
    assert!(sale.contains("Total 70.00 USD · 2 tickets"), "{sale}");
    snapshot("currency_sale_form", &sale);
    // Esc asks first; Esc again discards.
    harness.press(KeyCode::Esc).await;
    harness.press(KeyCode::Esc).await;

    // The ticket types' picker, and a type's form: the price is typed in dollars.
    harness.press(KeyCode::Esc).await; // back to the event
    harness.press(KeyCode::Char('t')).await;
    let picker = harness.render();
    assert!(picker.contains("35.00 USD"), "{picker}");
    snapshot("currency_ticket_type_picker", &picker);
    harness.press(KeyCode::Enter).await;
    let form = harness.render();
    assert!(form.contains("in USD, e.g. 25.00"), "{form}");
    harness.press(KeyCode::Esc).await;
    harness.press(KeyCode::Esc).await;

    // The Orders tab: euros and dollars side by side, each total with its own.
    harness.press(KeyCode::Char('2')).await;
    harness.press(KeyCode::Char('/')).await;
    harness.type_text("status:paid").await;
    harness.press(KeyCode::Enter).await;
    let all_orders = harness.render();
    assert!(all_orders.contains(" EUR"), "{all_orders}");
    snapshot("currency_orders_tab", &all_orders);

    // The dashboard of everything: paid money per currency, never added up.
    harness.press(KeyCode::Char('6')).await;
    let board = harness.render();
    assert!(
        board.contains(" EUR, ") && board.contains(" USD"),
        "{board}"
    );
    snapshot("currency_dashboard_everything", &board);
    // At 110 columns (half of it for today's figures) every amount is whole, one currency a
    // line; side by side, last week's dollars were cut to "0.00 US".
    harness.app.resize(boxoffice::ui::layout::size(110, 34));
    let narrow = harness.render();
    for amounts in ["24.00 USD │ 0.00 USD", "0.00 USD │ 0.00 USD"] {
        assert!(narrow.contains(amounts), "{narrow}");
    }
}

#[tokio::test]
async fn the_event_form_types_and_shows_the_currency() {
    let db = TestDb::with_demo().await;
    let mut harness = Harness::new(db.pool.clone(), 130, 34);
    harness.sign_in("ada@boxoffice.test").await;
    harness.press(KeyCode::Char('n')).await;
    harness.type_text("Dollar Jazz").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("Blue Room").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("2027-03-05 20:00").await;
    harness.press(KeyCode::Tab).await;
    harness.type_text("2027-03-05 23:00").await;
    harness.press(KeyCode::Tab).await; // the zone
    harness.press(KeyCode::Tab).await; // the currency, EUR by default
    let form = harness.render();
    assert!(form.contains("EUR"), "{form}");
    for _ in 0..3 {
        harness.press(KeyCode::Backspace).await;
    }
    harness.type_text("dollar").await;
    harness
        .press_with(KeyCode::Char('s'), KeyModifiers::CONTROL)
        .await;
    let refused = harness.render();
    assert!(refused.contains("not an ISO 4217"), "{refused}");
    for _ in 0..6 {
        harness.press(KeyCode::Backspace).await;
    }
    harness.type_text("usd").await;
    harness.save_form().await;
    let currency: String =
        sqlx::query_scalar("SELECT currency FROM events WHERE title = 'Dollar Jazz'")
            .fetch_one(&db.pool)
            .await
            .expect("saved");
    assert_eq!(currency, "USD");
}
