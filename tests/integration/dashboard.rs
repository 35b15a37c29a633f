//! The dashboard: its figures against plain SQL on the demo data, its role scope, and the open
//! dashboard following a sale and a scan made on another connection.

use crate::common::{Harness, TestDb, anchor};
use boxoffice::db::dashboard::{self, DAYS};
use boxoffice::db::sales::{Sale, sell};
use chrono::{Duration, NaiveDate, TimeZone};
use crossterm::event::KeyCode;

fn utc() -> boxoffice::zone::Tz {
    boxoffice::zone::Tz::UTC
}

#[tokio::test]
async fn the_figures_match_plain_sql_for_everything_and_for_one_organizer() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let ada = db.actor("ada@boxoffice.test").await;
    let now = anchor();
    let first_day = now.date_naive() - Duration::days(DAYS as i64 - 1);
    for (actor, organizer) in [(&admin, None), (&ada, Some(ada.id))] {
        let board = dashboard::load(&db.pool, actor, None, now, utc())
            .await
            .expect("dashboard");
        let events: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM events WHERE deleted_at IS NULL \
             AND ($1::bigint IS NULL OR organizer_id = $1)",
        )
        .bind(organizer)
        .fetch_one(&db.pool)
        .await
        .expect("events");
        assert_eq!(board.event_count, events);
        assert_eq!(board.days.len(), DAYS);
        assert_eq!(board.currencies, ["EUR"], "the demo sells in euros");
        assert_eq!(board.days[0].day, first_day);
        assert_eq!(board.days[DAYS - 1].day, now.date_naive());
        let tickets: Vec<(NaiveDate, i64)> = sqlx::query_as(
            "SELECT t.created_at::date, count(*) FROM tickets t \
             JOIN ticket_types tt ON tt.id = t.ticket_type_id JOIN events e ON e.id = tt.event_id \
             WHERE t.deleted_at IS NULL AND t.status <> 'cancelled' AND t.created_at >= $1 \
             AND ($2::bigint IS NULL OR e.organizer_id = $2) GROUP BY 1",
        )
        .bind(first_day.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        .bind(organizer)
        .fetch_all(&db.pool)
        .await
        .expect("tickets per day");
        let revenue: Vec<(NaiveDate, i64)> = sqlx::query_as(
            "SELECT o.created_at::date, sum(o.total_cents)::bigint FROM orders o \
             JOIN events e ON e.id = o.event_id \
             WHERE o.deleted_at IS NULL AND o.status = 'paid' AND o.created_at >= $1 \
             AND ($2::bigint IS NULL OR e.organizer_id = $2) GROUP BY 1",
        )
        .bind(first_day.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        .bind(organizer)
        .fetch_all(&db.pool)
        .await
        .expect("revenue per day");
        for day in &board.days {
            let sql_tickets = tickets
                .iter()
                .find(|(d, _)| *d == day.day)
                .map_or(0, |t| t.1);
            let sql_revenue = revenue
                .iter()
                .find(|(d, _)| *d == day.day)
                .map_or(0, |r| r.1);
            assert_eq!(
                (day.tickets, day.revenue.get("EUR")),
                (sql_tickets, sql_revenue),
                "{}",
                day.day
            );
        }
        assert!(
            board.days.iter().any(|day| day.tickets > 0),
            "the demo sells within the last 30 days"
        );
        assert_eq!(board.today.tickets, board.days[DAYS - 1].tickets);
        assert_eq!(
            board.same_day_last_week.tickets,
            board.days[DAYS - 8].tickets
        );
        let types: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT tt.name, sum(seats_sold(tt.id, tt.sold))::bigint, sum(tt.quantity)::bigint, \
             sum(seats_sold(tt.id, tt.sold) * tt.price_cents)::bigint FROM ticket_types tt \
             JOIN events e ON e.id = tt.event_id WHERE tt.deleted_at IS NULL \
             AND ($1::bigint IS NULL OR e.organizer_id = $1) \
             GROUP BY tt.name ORDER BY sum(seats_sold(tt.id, tt.sold)) DESC, tt.name LIMIT 12",
        )
        .bind(organizer)
        .fetch_all(&db.pool)
        .await
        .expect("types");
        let shown: Vec<_> = board
            .ticket_types
            .iter()
            .map(|t| (t.name.clone(), t.sold, t.capacity, t.value_cents))
            .collect();
        assert_eq!(shown, types);
        // The event list holds only the scope's events, the next first.
        let organizers: Vec<i64> =
            sqlx::query_scalar("SELECT organizer_id FROM events WHERE id = ANY($1)")
                .bind(board.events.iter().map(|e| e.id).collect::<Vec<_>>())
                .fetch_all(&db.pool)
                .await
                .expect("organizers");
        if let Some(organizer) = organizer {
            assert!(organizers.iter().all(|id| *id == organizer));
        }
        assert!(
            board
                .events
                .windows(2)
                .all(|w| w[0].starts_at <= w[1].starts_at)
        );
    }
}

/// The list of next events holds those not over yet: one that ended an hour ago leaves it,
/// one whose show is on stays, first.
#[tokio::test]
async fn the_next_events_are_those_not_over_yet() {
    let db = TestDb::with_demo().await;
    let ada = db.actor("ada@boxoffice.test").await;
    let now = anchor();
    let mut ids = Vec::new();
    for (title, started, ended) in [("Ended an hour ago", 4, 1), ("On now", 1, -2)] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO events (organizer_id, title, venue, starts_at, ends_at) \
             VALUES ($1, $2, 'Hall', $3, $4) RETURNING id",
        )
        .bind(ada.id)
        .bind(title)
        .bind(now - Duration::hours(started))
        .bind(now - Duration::hours(ended))
        .fetch_one(&db.pool)
        .await
        .expect("an event");
        ids.push(id);
    }
    let board = dashboard::load(&db.pool, &ada, None, now, utc())
        .await
        .expect("dashboard");
    let listed: Vec<i64> = board.events.iter().map(|event| event.id).collect();
    assert!(!listed.contains(&ids[0]), "{listed:?}");
    assert_eq!(listed.first(), Some(&ids[1]), "{listed:?}");
}

/// The chart's days are the viewer's own, in zones whose offset is not whole hours and
/// across daylight-saving changes: sales a minute either side of local midnight, and on the
/// days the clocks change, land on the days plain SQL gives them.
#[tokio::test]
async fn the_days_are_the_viewers_local_days_in_every_zone() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let zones = [
        "Asia/Kathmandu",
        "America/St_Johns",
        "Europe/Berlin",
        "America/New_York",
    ];
    // A minute either side of each zone's midnights.
    let mut instants = Vec::new();
    for zone in zones {
        let tz: boxoffice::zone::Tz = zone.parse().expect("zone");
        for day in [(2026, 3, 8), (2026, 3, 29), (2026, 5, 20), (2026, 5, 31)] {
            let day = NaiveDate::from_ymd_opt(day.0, day.1, day.2).expect("day");
            let midnight = boxoffice::zone::start_of_day(day, tz);
            instants.push(midnight - Duration::minutes(1));
            instants.push(midnight + Duration::minutes(1));
        }
    }
    // New York's clocks went forward at 07:00 UTC on 8 March, Berlin's at 01:00 on 29 March.
    for change in ["2026-03-08T07:00:00Z", "2026-03-29T01:00:00Z"] {
        let change: chrono::DateTime<chrono::Utc> = change.parse().expect("instant");
        instants.push(change - Duration::seconds(30));
        instants.push(change + Duration::seconds(30));
    }
    // The first live tickets and paid orders, one at each instant.
    for moving in [
        "UPDATE tickets SET created_at = m.at FROM (SELECT id, row_number() OVER (ORDER BY id) AS n \
         FROM tickets WHERE deleted_at IS NULL AND status <> 'cancelled' ORDER BY id LIMIT $2) AS t \
         JOIN unnest($1::timestamptz[]) WITH ORDINALITY AS m(at, n) ON m.n = t.n \
         WHERE tickets.id = t.id RETURNING tickets.id",
        "UPDATE orders SET created_at = m.at FROM (SELECT id, row_number() OVER (ORDER BY id) AS n \
         FROM orders WHERE deleted_at IS NULL AND status = 'paid' ORDER BY id LIMIT $2) AS o \
         JOIN unnest($1::timestamptz[]) WITH ORDINALITY AS m(at, n) ON m.n = o.n \
         WHERE orders.id = o.id RETURNING orders.id",
    ] {
        let moved: Vec<i64> = sqlx::query_scalar(moving)
            .bind(&instants)
            .bind(instants.len() as i64)
            .fetch_all(&db.pool)
            .await
            .expect("rows moved");
        assert_eq!(moved.len(), instants.len(), "{moving}");
    }
    let spring = chrono::Utc
        .with_ymd_and_hms(2026, 4, 2, 12, 0, 0)
        .single()
        .expect("now");
    for zone in zones {
        let tz: boxoffice::zone::Tz = zone.parse().expect("zone");
        for now in [anchor(), spring] {
            let board = dashboard::load(&db.pool, &admin, None, now, tz)
                .await
                .expect("dashboard");
            let from = boxoffice::zone::start_of_day(board.days[0].day, tz);
            let tickets: Vec<(NaiveDate, i64)> = sqlx::query_as(
                "SELECT (created_at AT TIME ZONE $2)::date, count(*) FROM tickets \
                 WHERE deleted_at IS NULL AND status <> 'cancelled' AND created_at >= $1 GROUP BY 1",
            )
            .bind(from)
            .bind(zone)
            .fetch_all(&db.pool)
            .await
            .expect("tickets per day");
            let revenue: Vec<(NaiveDate, i64)> = sqlx::query_as(
                "SELECT (created_at AT TIME ZONE $2)::date, sum(total_cents)::bigint FROM orders \
                 WHERE deleted_at IS NULL AND status = 'paid' AND created_at >= $1 GROUP BY 1",
            )
            .bind(from)
            .bind(zone)
            .fetch_all(&db.pool)
            .await
            .expect("revenue per day");
            assert_eq!(
                board.days[DAYS - 1].day,
                now.with_timezone(&tz).date_naive()
            );
            for day in &board.days {
                let of = |rows: &[(NaiveDate, i64)]| {
                    rows.iter().find(|(d, _)| *d == day.day).map_or(0, |r| r.1)
                };
                assert_eq!(
                    (day.tickets, day.revenue.get("EUR")),
                    (of(&tickets), of(&revenue)),
                    "{zone}, {}",
                    day.day
                );
            }
        }
    }
}

#[tokio::test]
async fn one_events_door_matches_the_check_in_counters_and_others_are_refused() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let ada = db.actor("ada@boxoffice.test").await;
    let grace_event: i64 = sqlx::query_scalar(
        "SELECT e.id FROM events e JOIN users u ON u.id = e.organizer_id \
         WHERE u.email = 'grace@boxoffice.test' ORDER BY e.id LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("grace's event");
    let board = dashboard::load(&db.pool, &admin, Some(grace_event), anchor(), utc())
        .await
        .expect("one event");
    let counters = boxoffice::db::check_in::counters(&db.pool, &admin, grace_event)
        .await
        .expect("counters");
    assert_eq!(
        (board.door.checked_in, board.door.expected),
        (counters.checked_in, counters.expected)
    );
    assert_eq!(board.event.as_ref().map(|e| e.id), Some(grace_event));
    assert!(board.events.is_empty());
    // An organizer sees no one else's event, and staff and customers have no dashboard.
    assert!(matches!(
        dashboard::load(&db.pool, &ada, Some(grace_event), anchor(), utc()).await,
        Err(boxoffice::error::DataError::NotFound)
    ));
    for email in ["door@boxoffice.test", "chris@example.com"] {
        let actor = db.actor(email).await;
        assert!(matches!(
            dashboard::load(&db.pool, &actor, None, anchor(), utc()).await,
            Err(boxoffice::error::DataError::Refused(_))
        ));
    }
}

#[tokio::test]
async fn the_open_dashboard_follows_a_sale_and_a_scan_from_another_terminal() {
    let db = TestDb::with_demo().await;
    let mut harness = Harness::at(db.pool.clone(), 80, 24, anchor());
    harness.sign_in("ada@boxoffice.test").await;
    harness.press(KeyCode::Char('6')).await;
    let before = harness.render();
    insta::assert_snapshot!("dashboard_organizer_before", before);

    // Another terminal sells two tickets of Ada's next event and admits one ticket at the door.
    let other = db.other_terminal().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let (event_id, type_id): (i64, i64) = sqlx::query_as(
        "SELECT e.id, tt.id FROM events e JOIN ticket_types tt ON tt.event_id = e.id \
         JOIN users u ON u.id = e.organizer_id WHERE u.email = 'ada@boxoffice.test' \
         AND e.starts_at > $1 AND tt.sold < tt.quantity ORDER BY e.starts_at, tt.id LIMIT 1",
    )
    .bind(anchor())
    .fetch_one(&other)
    .await
    .expect("an event of Ada's ahead");
    let buyer: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'chris@example.com'")
        .fetch_one(&other)
        .await
        .expect("buyer");
    let sold = sell(&other, &admin, &Sale::one_type(event_id, buyer, type_id, 2))
        .await
        .expect("sold");
    boxoffice::db::check_in::scan(
        &other,
        &admin,
        &boxoffice::db::check_in::Scan {
            code: sold.ticket_codes[0].clone(),
            terminal: "door-9".into(),
            event_id: None,
            scan_key: "live-test".into(),
        },
    )
    .await
    .expect("scanned");
    // The sale and the scan happened "now" for the frozen clock of the dashboard.
    sqlx::query("UPDATE orders SET created_at = $2 WHERE id = $1")
        .bind(sold.id)
        .bind(anchor() - Duration::minutes(5))
        .execute(&other)
        .await
        .expect("order time");
    sqlx::query("UPDATE tickets SET created_at = $2 WHERE order_id = $1")
        .bind(sold.id)
        .bind(anchor() - Duration::minutes(5))
        .execute(&other)
        .await
        .expect("ticket time");
    sqlx::query("UPDATE scans SET at = $1 WHERE scan_key = 'live-test'")
        .bind(anchor() - Duration::minutes(2))
        .execute(&other)
        .await
        .expect("scan time");

    harness.app.handle_event(boxoffice::event::AppEvent::Data(
        boxoffice::data_task::DataEvent::Changed {
            tables: vec!["orders".into(), "tickets".into(), "scans".into()],
            reconnected: false,
        },
    ));
    harness.settle().await;
    let after = harness.render();
    assert_ne!(before, after);
    assert!(after.contains("door-9"), "{after}");
    // Ticket codes are random: the snapshot names them by their shape.
    insta::with_settings!({filters => vec![(r"\b[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}\b", "[code]")]}, {
        insta::assert_snapshot!("dashboard_organizer_after", after);
    });

    // Enter opens the selected event's own dashboard; Esc goes back to all of hers.
    harness.press(KeyCode::Enter).await;
    assert!(harness.app.dashboard.event_id.is_some());
    insta::with_settings!({filters => vec![(r"\b[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}\b", "[code]")]}, {
        insta::assert_snapshot!("dashboard_one_event", harness.render());
    });
    harness.press(KeyCode::Esc).await;
    assert_eq!(harness.app.dashboard.event_id, None);
}

#[tokio::test]
async fn d_on_an_event_opens_its_dashboard_and_staff_have_no_dashboard_tab() {
    let db = TestDb::with_demo().await;
    let mut harness = Harness::at(db.pool.clone(), 100, 30, anchor());
    harness.sign_in("admin@boxoffice.test").await;
    harness.press(KeyCode::Char('D')).await;
    assert_eq!(harness.app.tab, boxoffice::app::tab::Tab::Dashboard);
    let selected_event = harness.app.dashboard.event_id;
    assert!(selected_event.is_some());
    assert!(harness.render().contains("Ticket types: sold/capacity"));

    let mut staff = Harness::at(db.pool.clone(), 80, 24, anchor());
    staff.sign_in("door@boxoffice.test").await;
    assert!(
        !staff
            .app
            .tabs()
            .contains(&boxoffice::app::tab::Tab::Dashboard)
    );
    assert!(!staff.render().contains("Dashboard"));
}

/// Today's refunds are the scope's own: two of one organizer's orders and one of another's
/// refunded today; the organizer's dashboard counts its two, everything counts all, each as
/// plain SQL does.
#[tokio::test]
async fn todays_refunds_are_the_scopes_own() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let ada = db.actor("ada@boxoffice.test").await;
    sqlx::query(
        "UPDATE orders SET status = 'refunded' WHERE id IN ( \
           (SELECT o.id FROM orders o JOIN events e ON e.id = o.event_id \
            WHERE e.organizer_id = $1 AND o.status = 'paid' AND o.deleted_at IS NULL \
            ORDER BY o.id LIMIT 2) \
           UNION ALL \
           (SELECT o.id FROM orders o JOIN events e ON e.id = o.event_id \
            WHERE e.organizer_id <> $1 AND o.status = 'paid' AND o.deleted_at IS NULL \
            ORDER BY o.id LIMIT 1))",
    )
    .bind(ada.id)
    .execute(&db.pool)
    .await
    .expect("refunded");
    let now = chrono::Utc::now();
    let today = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let mut counted = Vec::new();
    for (actor, organizer) in [(&admin, None), (&ada, Some(ada.id))] {
        let (count, cents): (i64, i64) = sqlx::query_as(
            "SELECT count(*), coalesce(sum(o.total_cents), 0)::bigint FROM orders o \
             JOIN events e ON e.id = o.event_id \
             WHERE o.deleted_at IS NULL AND o.status = 'refunded' \
             AND o.updated_at >= $1 AND o.updated_at < $1 + interval '1 day' \
             AND ($2::bigint IS NULL OR e.organizer_id = $2)",
        )
        .bind(today)
        .bind(organizer)
        .fetch_one(&db.pool)
        .await
        .expect("refunds");
        let board = dashboard::load(&db.pool, actor, None, now, utc())
            .await
            .expect("dashboard");
        assert_eq!(
            (board.today.refunds, board.today.refunded.get("EUR")),
            (count, cents),
            "{organizer:?}"
        );
        counted.push(count);
    }
    assert_eq!(
        counted,
        [3, 2],
        "everything counts all three, the organizer its two"
    );
}

/// An organizer's sales chart, tickets and revenue (the sums per quarter hour and the changes
/// not yet added to them, migration 0027), against plain SQL, for `organizer` as seen at
/// `now`.
async fn assert_chart_is_plain_sqls(
    db: &TestDb,
    organizer: &boxoffice::db::auth::Actor,
    now: chrono::DateTime<chrono::Utc>,
    step: &str,
) {
    let midnight = |day: NaiveDate| day.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let from = midnight(now.date_naive() - Duration::days(DAYS as i64 - 1));
    let until = midnight(now.date_naive() + Duration::days(1));
    let tickets: Vec<(NaiveDate, i64)> = sqlx::query_as(
        "SELECT t.created_at::date, count(*) FROM tickets t \
         JOIN ticket_types tt ON tt.id = t.ticket_type_id JOIN events e ON e.id = tt.event_id \
         WHERE t.deleted_at IS NULL AND t.status <> 'cancelled' AND t.created_at >= $1 \
         AND t.created_at < $3 AND e.organizer_id = $2 AND e.deleted_at IS NULL GROUP BY 1",
    )
    .bind(from)
    .bind(organizer.id)
    .bind(until)
    .fetch_all(&db.pool)
    .await
    .expect("tickets per day");
    let revenue: Vec<(NaiveDate, i64)> = sqlx::query_as(
        "SELECT o.created_at::date, sum(o.total_cents)::bigint FROM orders o \
         JOIN events e ON e.id = o.event_id \
         WHERE o.deleted_at IS NULL AND o.status = 'paid' AND o.created_at >= $1 \
         AND o.created_at < $3 AND e.organizer_id = $2 AND e.deleted_at IS NULL GROUP BY 1",
    )
    .bind(from)
    .bind(organizer.id)
    .bind(until)
    .fetch_all(&db.pool)
    .await
    .expect("revenue per day");
    let board = dashboard::load(&db.pool, organizer, None, now, utc())
        .await
        .expect("dashboard");
    let shown: Vec<(NaiveDate, i64)> = board
        .days
        .iter()
        .filter(|day| day.tickets != 0)
        .map(|day| (day.day, day.tickets))
        .collect();
    let mut expected = tickets;
    expected.sort();
    assert_eq!(
        shown, expected,
        "{}'s tickets after {step}",
        organizer.email
    );
    let shown: Vec<(NaiveDate, i64)> = board
        .days
        .iter()
        .filter(|day| day.revenue.get("EUR") != 0)
        .map(|day| (day.day, day.revenue.get("EUR")))
        .collect();
    let mut expected = revenue;
    expected.sort();
    assert_eq!(
        shown, expected,
        "{}'s revenue after {step}",
        organizer.email
    );
    // Every statement that empties a sum drops it (migration 0028: the ones it emptied only).
    let emptied: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM organizer_ticket_sales WHERE tickets = 0), \
                (SELECT count(*) FROM organizer_revenue WHERE cents = 0)",
    )
    .fetch_one(&db.pool)
    .await
    .expect("emptied sums");
    assert_eq!(emptied, (0, 0), "sums left at zero after {step}");
}

async fn roll_up(db: &TestDb) {
    dashboard::roll_up_sales(&db.pool).await.expect("rolled up");
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM ticket_sales_changes) \
              + (SELECT count(*) FROM order_revenue_changes)",
    )
    .fetch_one(&db.pool)
    .await
    .expect("changes");
    assert_eq!(left, 0, "a roll-up adds up every change noted");
}

/// Every change of tickets and orders reaches an organizer's chart, whether the roll-up has
/// run or not: a sale, a cancellation and its undoing, a refund and its undoing, a ticket
/// trashed and restored, a purge, an event given to another organizer with changes still
/// noted, an event trashed and purged. An admission notes nothing.
#[tokio::test]
async fn an_organizers_chart_follows_every_change_of_tickets_and_orders_rolled_up_or_not() {
    let db = TestDb::with_demo().await;
    let admin = db.actor("admin@boxoffice.test").await;
    let ada = db.actor("ada@boxoffice.test").await;
    let grace = db.actor("grace@boxoffice.test").await;
    assert_eq!(grace.role, boxoffice::db::auth::Role::Organizer);
    // The demo's sales lie before its anchor, this test's at the clock's now: both charts.
    let check = |step: &'static str| {
        let (db, ada, grace) = (&db, &ada, &grace);
        async move {
            for now in [anchor(), chrono::Utc::now()] {
                assert_chart_is_plain_sqls(db, ada, now, step).await;
                assert_chart_is_plain_sqls(db, grace, now, step).await;
            }
        }
    };
    check("the demo's load").await;

    let (event_id, type_id): (i64, i64) = sqlx::query_as(
        "SELECT e.id, tt.id FROM events e JOIN ticket_types tt ON tt.event_id = e.id \
         WHERE e.organizer_id = $1 AND tt.sold + 4 <= tt.quantity \
         ORDER BY e.starts_at, tt.id LIMIT 1",
    )
    .bind(ada.id)
    .fetch_one(&db.pool)
    .await
    .expect("an event of Ada's ahead");
    let buyer: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'chris@example.com'")
        .fetch_one(&db.pool)
        .await
        .expect("buyer");
    let sold = sell(
        &db.pool,
        &admin,
        &Sale::one_type(event_id, buyer, type_id, 3),
    )
    .await
    .expect("sold");
    check("a sale, not rolled up").await;
    roll_up(&db).await;
    check("a sale, rolled up").await;

    let noted = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT (SELECT count(*) FROM ticket_sales_changes) \
                  + (SELECT count(*) FROM order_revenue_changes)",
        )
        .fetch_one(&db.pool)
        .await
        .expect("changes")
    };
    boxoffice::db::check_in::scan(
        &db.pool,
        &admin,
        &boxoffice::db::check_in::Scan {
            code: sold.ticket_codes[0].clone(),
            terminal: "door-1".into(),
            event_id: None,
            scan_key: "sums-test".into(),
        },
    )
    .await
    .expect("scanned");
    assert_eq!(noted().await, 0, "an admission notes nothing");

    for (statement, step) in [
        (
            "UPDATE tickets SET status = 'cancelled', checked_in_at = NULL, checked_in_by = NULL \
             WHERE order_id = $1",
            "a cancellation",
        ),
        (
            "UPDATE tickets SET status = 'valid' WHERE order_id = $1",
            "its undoing",
        ),
        (
            "UPDATE orders SET status = 'refunded' WHERE id = $1",
            "a refund",
        ),
        (
            "UPDATE orders SET status = 'paid' WHERE id = $1",
            "a refund undone",
        ),
        (
            "UPDATE tickets SET deleted_at = now() WHERE id = (SELECT max(id) FROM tickets WHERE order_id = $1)",
            "a ticket trashed",
        ),
    ] {
        sqlx::query(statement)
            .bind(sold.id)
            .execute(&db.pool)
            .await
            .expect(step);
        check(step).await;
    }
    roll_up(&db).await;
    check("the roll-up after them").await;
    sqlx::query("UPDATE tickets SET deleted_at = NULL WHERE order_id = $1")
        .bind(sold.id)
        .execute(&db.pool)
        .await
        .expect("restored");
    check("a ticket restored").await;

    // Given to Grace with a change still noted, then rolled up: the event's tickets go with
    // it, counted once.
    assert!(noted().await > 0);
    sqlx::query("UPDATE events SET organizer_id = $2 WHERE id = $1")
        .bind(event_id)
        .bind(grace.id)
        .execute(&db.pool)
        .await
        .expect("given to Grace");
    check("an event given away, changes still noted").await;
    roll_up(&db).await;
    check("an event given away, rolled up").await;
    sqlx::query("UPDATE events SET organizer_id = $2 WHERE id = $1")
        .bind(event_id)
        .bind(ada.id)
        .execute(&db.pool)
        .await
        .expect("given back");
    check("an event given back").await;

    sqlx::query("DELETE FROM tickets WHERE id = (SELECT max(id) FROM tickets WHERE order_id = $1)")
        .bind(sold.id)
        .execute(&db.pool)
        .await
        .expect("purged");
    check("a live ticket purged").await;
    boxoffice::db::trash::delete(
        &db.pool,
        &admin,
        boxoffice::db::trash::Target::Event(event_id),
    )
    .await
    .expect("event trashed");
    check("an event trashed").await;
    // Purged before the roll-up: its types' changes are rolled up as they go.
    let batch: i64 = sqlx::query_scalar("SELECT trash_batch FROM events WHERE id = $1")
        .bind(event_id)
        .fetch_one(&db.pool)
        .await
        .expect("batch");
    assert!(noted().await > 0);
    boxoffice::db::trash::purge(&db.pool, &admin, batch)
        .await
        .expect("purged");
    check("an event purged").await;
    roll_up(&db).await;
    check("the last roll-up").await;
    let sums = sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM organizer_ticket_sales WHERE organizer_id = $1",
    )
    .bind(ada.id)
    .fetch_one(&db.pool)
    .await
    .expect("sums");
    assert!(sums > 0, "Ada's other events still sell");
}
