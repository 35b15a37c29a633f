//! Page-fetch benchmark: every tab at the benchmark scale of DESIGN.md "Performance".
//!
//! `DATABASE_URL=postgres://… cargo bench --bench pages` — seeds the database with
//! `seed --scale 1` first if it holds fewer than 1.5M orders (that takes minutes). For each
//! case it prints p50 and p99 of the data layer's page fetch (pool, typed rows) beside the same
//! SQL over a plain connection, their ratio, and the plan's access path (a sequential scan of
//! orders or tickets is flagged). Then keypress-to-frame through the whole app on a
//! `TestBackend`, resident memory while paging through every ticket, and start to first frame
//! of the release binary.

mod common;

use common::{percentile, resident_kib};
use std::time::{Duration, Instant};

use boxoffice::app::commands::KeyMap;
use boxoffice::app::{App, AppOptions};
use boxoffice::data_task::{DataEvent, Request, execute};
use boxoffice::db::auth::{Actor, sign_in};
use boxoffice::db::filter::parse;
use boxoffice::db::listing::{
    ListQuery, Position, Sort, explain_page_sql, fetch_page, page_sql, sort_keys,
};
use boxoffice::db::model::{Cursor, EntityKind};
use boxoffice::db::{migrations, pool_for, seed};
use boxoffice::event::AppEvent;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};

const RUNS: usize = 60;
const PAGE: u16 = 50;

struct Case {
    name: String,
    query: ListQuery,
    actor: Actor,
}

/// The cursor `depth` rows into a list in its default order. Reached once with OFFSET for
/// the set-up only; the measured fetch is keyset.
async fn cursor_at(pool: &PgPool, kind: EntityKind, depth: i64) -> Option<Cursor> {
    let sql = match kind {
        EntityKind::Event => {
            "SELECT id, starts_at::text FROM events WHERE deleted_at IS NULL \
             ORDER BY starts_at DESC, id DESC OFFSET $1 LIMIT 1"
        }
        EntityKind::Order => {
            "SELECT id, created_at::text FROM orders WHERE deleted_at IS NULL \
             ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1"
        }
        EntityKind::Ticket => {
            "SELECT id, code FROM tickets WHERE deleted_at IS NULL ORDER BY code, id OFFSET $1 LIMIT 1"
        }
    };
    let row: Option<(i64, String)> = sqlx::query_as(sql)
        .bind(depth)
        .fetch_optional(pool)
        .await
        .ok()
        .flatten();
    row.map(|(id, key)| Cursor { key, id })
}

struct Measured {
    layer_p50: f64,
    layer_p99: f64,
    raw_p50: f64,
    raw_p99: f64,
    plan: String,
}

async fn measure(pool: &PgPool, raw: &mut PgConnection, case: &Case) -> Measured {
    let mut layer = Vec::with_capacity(RUNS);
    let mut plain = Vec::with_capacity(RUNS);
    // A case slower than 100 ms gets 10 runs, to keep the whole benchmark within minutes.
    let started = Instant::now();
    fetch_page(pool, &case.actor, &case.query)
        .await
        .expect("page");
    let runs = if started.elapsed() > Duration::from_millis(100) {
        10
    } else {
        RUNS
    };
    for run in 0..runs + 5 {
        let started = Instant::now();
        let page = fetch_page(pool, &case.actor, &case.query)
            .await
            .expect("page");
        let layer_time = started.elapsed();
        let mut sql = page_sql(&case.actor, &case.query).expect("sql");
        let started = Instant::now();
        let rows = sql.build().fetch_all(&mut *raw).await.expect("raw sql");
        let plain_time = started.elapsed();
        std::hint::black_box((page, rows));
        if run >= 5 {
            layer.push(layer_time);
            plain.push(plain_time);
        }
    }
    let mut explain = explain_page_sql(&case.actor, &case.query).expect("sql");
    let plan: serde_json::Value = explain
        .build_query_scalar()
        .fetch_one(&mut *raw)
        .await
        .expect("explain");
    let mut scans = Vec::new();
    collect_scans(&plan[0]["Plan"], &mut scans);
    Measured {
        layer_p50: percentile(&mut layer.clone(), 0.5),
        layer_p99: percentile(&mut layer, 0.99),
        raw_p50: percentile(&mut plain.clone(), 0.5),
        raw_p99: percentile(&mut plain, 0.99),
        plan: scans.join(", "),
    }
}

/// The scans of a plan: index names, and a loud mark on a sequential scan of a big table.
fn collect_scans(node: &serde_json::Value, scans: &mut Vec<String>) {
    let kind = node["Node Type"].as_str().unwrap_or_default();
    let relation = node["Relation Name"].as_str().unwrap_or_default();
    if kind == "Seq Scan" {
        let big = matches!(relation, "orders" | "tickets");
        scans.push(if big {
            format!("SEQ SCAN {relation}!")
        } else {
            format!("seq {relation}")
        });
    } else if let Some(index) = node["Index Name"].as_str()
        && !scans.iter().any(|s| s == index)
    {
        scans.push(index.to_string());
    }
    if let Some(children) = node["Plans"].as_array() {
        for child in children {
            collect_scans(child, scans);
        }
    }
}

fn key(code: KeyCode) -> AppEvent {
    AppEvent::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

async fn settle(app: &mut App, pool: &PgPool, actor: &Actor) {
    loop {
        let envelopes = app.take_requests();
        if envelopes.is_empty() {
            return;
        }
        for envelope in envelopes {
            let reply = execute(pool, Some(actor), envelope.request).await;
            app.handle_event(AppEvent::Data(DataEvent::Reply {
                generation: envelope.generation,
                reply,
            }));
        }
    }
}

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!(
            "set DATABASE_URL to a database for the benchmark (it is seeded at scale 1 if empty)"
        );
        return;
    };
    let options: PgConnectOptions = url.parse().expect("DATABASE_URL parses");
    let pool = pool_for(options.clone(), boxoffice::db::DEFAULT_POOL_SIZE)
        .await
        .expect("connects");
    migrations::up(&pool).await.expect("migrations");
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&pool)
        .await
        .expect("count");
    if orders < 1_500_000 {
        eprintln!("seeding the benchmark data set (scale 1); this takes minutes…");
        let has_users: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users)")
            .fetch_one(&pool)
            .await
            .expect("users");
        if !has_users {
            seed::load_demo(&pool, chrono::Utc::now())
                .await
                .expect("demo");
        }
        seed::load_scale(
            &pool,
            seed::Scale::from_factor(1.0).expect("scale"),
            chrono::Utc::now(),
            &mut boxoffice::db::progress::Progress::new(|step: &boxoffice::db::progress::Step| {
                eprintln!("seed: {}/{} {}", step.number, step.count, step.what)
            }),
        )
        .await
        .expect("seed");
    }
    let admin = sign_in(&pool, "admin@boxoffice.test", seed::DEMO_PASSWORD, "bench")
        .await
        .expect("admin signs in");
    if std::env::var_os("BENCH_DASHBOARD_ONLY").is_some() {
        dashboards(&pool, &admin).await;
        return;
    }
    if std::env::var_os("BENCH_SEARCH_ONLY").is_some() {
        searches(&pool, &admin).await;
        return;
    }
    let ada = sign_in(&pool, "ada@boxoffice.test", seed::DEMO_PASSWORD, "bench")
        .await
        .expect("organizer signs in");
    let mut raw = PgConnection::connect_with(&options)
        .await
        .expect("plain connection");
    let (counts,): ((i64, i64, i64, i64),) = (sqlx::query_as(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM events), \
         (SELECT count(*) FROM orders), (SELECT count(*) FROM tickets)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts"),);
    println!(
        "data set: {} users, {} events, {} orders, {} tickets; {RUNS} runs per case, {PAGE} rows per page\n",
        counts.0, counts.1, counts.2, counts.3
    );

    let sample_email: String =
        sqlx::query_scalar("SELECT buyer_email FROM orders ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("an email");
    let (event_id, order_code, ticket_code): (i64, String, String) = sqlx::query_as(
        "SELECT o.event_id, o.code, t.code FROM tickets t JOIN orders o ON o.id = t.order_id \
         ORDER BY t.id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("sample rows");
    let email_fragment = sample_email[..sample_email.find('@').unwrap_or(6)].to_string();

    let mut cases = Vec::new();
    let base = |kind: EntityKind, actor: &Actor, name: &str| Case {
        name: name.to_string(),
        query: ListQuery {
            kind,
            parent: None,
            filter: Default::default(),
            sort: Sort::default_for(kind),
            position: Position::First,
            page_size: PAGE,
        },
        actor: actor.clone(),
    };
    for (kind, label) in [
        (EntityKind::Event, "events"),
        (EntityKind::Order, "orders"),
        (EntityKind::Ticket, "tickets"),
    ] {
        cases.push(base(kind, &admin, &format!("{label}: first page")));
        let depth = if kind == EntityKind::Event {
            10_000
        } else {
            1_000_000
        };
        if let Some(cursor) = cursor_at(&pool, kind, depth).await {
            let mut case = base(kind, &admin, &format!("{label}: page {depth} rows deep"));
            case.query.position = Position::After(cursor);
            cases.push(case);
        }
        for (index, key) in sort_keys(kind).iter().enumerate() {
            for descending in [false, true] {
                let arrow = if descending { "↓" } else { "↑" };
                let mut case = base(
                    kind,
                    &admin,
                    &format!("{label}: sort {} {arrow}", key.column),
                );
                case.query.sort = Sort {
                    key: index,
                    descending,
                };
                cases.push(case);
            }
        }
    }
    let filters: Vec<(EntityKind, String)> = vec![
        (EntityKind::Event, "from:2026-06-01 to:2026-06-30".into()),
        (EntityKind::Event, "venue:\"Main Hall\"".into()),
        (EntityKind::Event, "organizer:ada@boxoffice.test".into()),
        (EntityKind::Event, "jazz".into()),
        (EntityKind::Order, "status:refunded".into()),
        (EntityKind::Order, "status:refunded from:2026-01-01".into()),
        (EntityKind::Order, "from:2026-01-01 to:2026-01-31".into()),
        (EntityKind::Order, format!("event:{event_id}")),
        (EntityKind::Order, format!("customer:{sample_email}")),
        (EntityKind::Order, format!("code:{order_code}")),
        (EntityKind::Order, email_fragment.clone()),
        (EntityKind::Order, "ada".into()),
        (EntityKind::Order, "7k".into()),
        (EntityKind::Ticket, format!("event:{event_id}")),
        (EntityKind::Ticket, format!("order:{order_code}")),
        (EntityKind::Ticket, "status:checked_in".into()),
        (EntityKind::Ticket, "type:VIP".into()),
        (EntityKind::Ticket, "holder:lovelace".into()),
        (EntityKind::Ticket, ticket_code.clone()),
        (EntityKind::Ticket, "turing".into()),
    ];
    for (kind, text) in filters {
        let mut case = base(kind, &admin, &format!("{kind:?}s: /{text}").to_lowercase());
        case.query.filter = parse(kind, &text).expect("benchmark filters parse");
        cases.push(case);
    }
    let mut scoped = base(
        EntityKind::Order,
        &ada,
        "orders as an organizer: first page",
    );
    scoped.query.sort = Sort::default_for(EntityKind::Order);
    cases.push(scoped);
    cases.push(base(
        EntityKind::Ticket,
        &ada,
        "tickets as an organizer: first page",
    ));

    println!(
        "| case | layer p50 | layer p99 | raw SQL p50 | raw SQL p99 | p99 ratio | within 2x+1ms | plan |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|---|");
    for case in &cases {
        let m = measure(&pool, &mut raw, case).await;
        let met = m.layer_p99 <= 2.0 * m.raw_p99 + 1.0;
        println!(
            "| {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} | {} | {} |",
            case.name,
            m.layer_p50,
            m.layer_p99,
            m.raw_p50,
            m.raw_p99,
            m.layer_p99 / m.raw_p99.max(0.001),
            if met { "yes" } else { "NO" },
            m.plan
        );
    }

    // Keypress to new page drawn, through the whole app (update, data layer, draw).
    let mut app = App::new(AppOptions {
        keymap: KeyMap::defaults(),
        terminal: "bench".into(),
        kiosk: None,
        viewer_zone: boxoffice::zone::Tz::UTC,
        no_color: false,
        clock: std::sync::Arc::new(boxoffice::app::clock::SystemClock),
        export_folder: std::env::temp_dir(),
    });
    app.resize(boxoffice::ui::layout::size(120, 36));
    app.handle_event(AppEvent::Data(DataEvent::Connected {
        label: "bench".into(),
        built_in: false,
    }));
    for c in "admin@boxoffice.test".chars() {
        app.handle_event(key(KeyCode::Char(c)));
    }
    app.handle_event(key(KeyCode::Enter));
    for c in seed::DEMO_PASSWORD.chars() {
        app.handle_event(key(KeyCode::Char(c)));
    }
    app.handle_event(key(KeyCode::Enter));
    settle(&mut app, &pool, &admin).await;
    app.handle_event(key(KeyCode::Char('2')));
    settle(&mut app, &pool, &admin).await;
    let backend = ratatui::backend::TestBackend::new(120, 36);
    let mut terminal = ratatui::Terminal::new(backend).expect("terminal");
    // PgDn (with a PgUp now and then) and Down/Up, 200 presses each.
    let mut frames = Vec::new();
    let mut moves = Vec::new();
    for (samples, keys) in [
        (&mut frames, [KeyCode::PageDown, KeyCode::PageUp]),
        (&mut moves, [KeyCode::Down, KeyCode::Up]),
    ] {
        for i in 0..200 {
            let code = if i % 10 == 9 { keys[1] } else { keys[0] };
            let started = Instant::now();
            app.handle_event(key(code));
            settle(&mut app, &pool, &admin).await;
            terminal
                .draw(|frame| boxoffice::ui::draw(frame, &app))
                .expect("draw");
            samples.push(started.elapsed());
        }
    }
    println!();
    println!("| keypress to frame (orders, 120x36, data layer included) | p50 | p99 |");
    println!("|---|---:|---:|");
    println!(
        "| PgDn / PgUp, new page drawn | {:.2} ms | {:.2} ms |",
        percentile(&mut frames.clone(), 0.5),
        percentile(&mut frames, 0.99)
    );
    println!(
        "| Down / Up, selection and detail drawn | {:.2} ms | {:.2} ms |",
        percentile(&mut moves.clone(), 0.5),
        percentile(&mut moves, 0.99)
    );

    // Memory while paging through every ticket with the app's own list state.
    let mut view = boxoffice::app::list_view::ListView::new(EntityKind::Ticket);
    let before = resident_kib("self");
    let mut request = view.first_page(500).into_iter().next();
    let mut rows = 0u64;
    let mut peak = before;
    let started = Instant::now();
    while let Some(Request::Page(query)) = request {
        let page = fetch_page(&pool, &admin, &query).await.expect("page");
        rows += page.rows.len() as u64;
        view.apply_page(Ok(page));
        peak = peak.max(resident_kib("self"));
        request = view.next_page(500);
    }
    println!();
    println!(
        "memory: paged through {rows} tickets in {:.1}s, 500 a page: resident {} KiB before, {} KiB after, peak {} KiB",
        started.elapsed().as_secs_f64(),
        before,
        resident_kib("self"),
        peak
    );

    dashboards(&pool, &admin).await;
    searches(&pool, &admin).await;
}

/// The dashboard: one event, an organizer with 1,000 events, and everything (admin).
async fn dashboards(pool: &PgPool, admin: &Actor) {
    use boxoffice::db::dashboard;
    // An organizer with 1,000 events: the bench's own, given the first thousand events.
    let organizer: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, name, role) VALUES ('bench.organizer@organizers.example', \
         'Bench Organizer', 'organizer') ON CONFLICT (lower(email)) WHERE deleted_at IS NULL \
         DO UPDATE SET name = EXCLUDED.name RETURNING id",
    )
    .fetch_one(pool)
    .await
    .expect("bench organizer");
    sqlx::query(
        "UPDATE events SET organizer_id = $1 WHERE id IN \
         (SELECT id FROM events WHERE deleted_at IS NULL ORDER BY id LIMIT 1000) \
         AND organizer_id <> $1",
    )
    .bind(organizer)
    .execute(pool)
    .await
    .expect("1,000 events");
    let bench_organizer = Actor {
        id: organizer,
        email: "bench.organizer@organizers.example".into(),
        name: "Bench Organizer".into(),
        role: boxoffice::db::auth::Role::Organizer,
        time_zone: None,
    };
    // The busiest event of the seeded data: not the one the door benchmark sells into (the
    // event of the newest ticket type), which grows by a few hundred thousand orders a run.
    let busiest: i64 = sqlx::query_scalar(
        "SELECT event_id FROM orders WHERE event_id <> (SELECT event_id FROM ticket_types \
         WHERE id = (SELECT max(id) FROM ticket_types WHERE deleted_at IS NULL)) \
         GROUP BY event_id ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("an event");
    let utc = boxoffice::zone::Tz::UTC;
    // The days of a viewer whose offset changes over the year, not only UTC's.
    let berlin = boxoffice::zone::Tz::Europe__Berlin;
    println!();
    println!("| dashboard (target p99 < 50 ms) | p50 | p99 |");
    println!("|---|---:|---:|");
    for (name, actor, event, offset) in [
        (
            "one event (the busiest), as admin",
            admin,
            Some(busiest),
            utc,
        ),
        (
            "an organizer's 1,000 events, seen from Europe/Berlin",
            &bench_organizer,
            None,
            berlin,
        ),
        ("an organizer's 1,000 events", &bench_organizer, None, utc),
        (
            "everything (admin, 20k events; no target)",
            admin,
            None,
            utc,
        ),
    ] {
        let mut samples = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            dashboard::load(pool, actor, event, chrono::Utc::now(), offset)
                .await
                .expect("dashboard");
            samples.push(started.elapsed());
        }
        println!(
            "| {name} | {:.1} ms | {:.1} ms |",
            percentile(&mut samples.clone(), 0.5),
            percentile(&mut samples, 0.99)
        );
    }
}

/// Searches of every frequency, in every sort both ways, first page and a later one (#14). Terms are
/// taken from the data: a whole code (1 match), four characters of a code across its dash
/// (about 100), a whole holder or buyer name (about 10k), a common last name (about 200k on
/// tickets, 100k on orders), and terms of one and two characters.
async fn searches(pool: &PgPool, admin: &Actor) {
    let ticket_code: String = sqlx::query_scalar("SELECT code FROM tickets ORDER BY id LIMIT 1")
        .fetch_one(pool)
        .await
        .expect("a ticket");
    let other_ticket: String =
        sqlx::query_scalar("SELECT code FROM tickets ORDER BY id DESC LIMIT 1")
            .fetch_one(pool)
            .await
            .expect("a ticket");
    let order_code: String = sqlx::query_scalar("SELECT code FROM orders ORDER BY id LIMIT 1")
        .fetch_one(pool)
        .await
        .expect("an order");
    let other_order: String =
        sqlx::query_scalar("SELECT code FROM orders ORDER BY id DESC LIMIT 1")
            .fetch_one(pool)
            .await
            .expect("an order");
    let across_dash = |code: &str| {
        let dash = code.find('-').unwrap_or(2);
        code.get(dash.saturating_sub(2)..dash + 2)
            .unwrap_or(code)
            .to_lowercase()
    };
    let holder_name: String = sqlx::query_scalar(
        "SELECT lower(holder_name) FROM tickets GROUP BY 1 HAVING count(*) >= 10000 \
         ORDER BY count(*) LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("a holder name");
    // A whole name on thousands of orders: the rarest with 5,000 or more, else (on a fresh
    // seed, where no name is that common) the most common.
    let buyer_name: String = sqlx::query_scalar(
        "SELECT lower(buyer_name) FROM orders GROUP BY 1 \
         ORDER BY count(*) >= 5000 DESC, \
                  CASE WHEN count(*) >= 5000 THEN count(*) ELSE -count(*) END LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("a buyer name");
    let terms = [
        (EntityKind::Ticket, ticket_code.to_lowercase()),
        (EntityKind::Ticket, across_dash(&other_ticket)),
        (EntityKind::Ticket, format!("\"{holder_name}\"")),
        (EntityKind::Ticket, "dijkstra".to_string()),
        (EntityKind::Ticket, "holder:lovelace".to_string()),
        (EntityKind::Ticket, "q".to_string()),
        (
            EntityKind::Ticket,
            across_dash(&ticket_code)[1..3].to_string(),
        ),
        (EntityKind::Order, order_code.to_lowercase()),
        (EntityKind::Order, across_dash(&other_order)),
        (EntityKind::Order, format!("\"{buyer_name}\"")),
        (EntityKind::Order, "lamarr".to_string()),
        // A first name: its buyers' emails all start with it, one run in the buyers' order.
        (EntityKind::Order, "grace".to_string()),
        (EntityKind::Order, "7".to_string()),
        (
            EntityKind::Order,
            across_dash(&order_code)[1..3].to_string(),
        ),
    ];
    println!();
    println!(
        "| search (target p99 < 25 ms) | matches | sort | first page p50 / p99 | page 3 p50 / p99 |"
    );
    println!("|---|---:|---|---:|---:|");
    // BENCH_SEARCH_TERM=lamarr measures only the terms that contain it.
    let only = std::env::var("BENCH_SEARCH_TERM").unwrap_or_default();
    for (kind, text) in terms {
        if !text.contains(&only) {
            continue;
        }
        let filter = parse(kind, &text).expect("the term parses");
        let mut count = boxoffice::db::listing::ListQuery {
            kind,
            parent: None,
            filter: filter.clone(),
            sort: Sort::default_for(kind),
            position: Position::First,
            page_size: PAGE,
        };
        let matches = boxoffice::db::count::count_rows(pool, admin, kind, None, &filter)
            .await
            .map(|count| format!("{count:?}"))
            .unwrap_or_else(|error| format!("({error})"));
        for (key, sort_key) in sort_keys(kind).iter().enumerate() {
            for descending in [false, true] {
                count.sort = Sort { key, descending };
                count.position = Position::First;
                let first = time_page(pool, admin, &count).await;
                // Page 3: two pages walked with the cursor, then measured from there.
                let mut later = count.clone();
                for _ in 0..2 {
                    let page = fetch_page(pool, admin, &later).await.expect("page");
                    match page.rows.last() {
                        Some(row) if page.has_after => {
                            later.position = Position::After(row.cursor())
                        }
                        _ => break,
                    }
                }
                let third = time_page(pool, admin, &later).await;
                println!(
                    "| {kind:?}s `/{text}` | {matches} | {}{} | {:.1} / {:.1} ms | {:.1} / {:.1} ms |",
                    sort_key.column,
                    if descending { " desc" } else { "" },
                    first.0,
                    first.1,
                    third.0,
                    third.1
                );
            }
        }
    }
}

/// p50 and p99 of one page fetch (20 runs after a warm-up; 5 when a fetch takes over 100 ms).
async fn time_page(pool: &PgPool, actor: &Actor, query: &ListQuery) -> (f64, f64) {
    let started = Instant::now();
    fetch_page(pool, actor, query).await.expect("page");
    let runs = if started.elapsed() > Duration::from_millis(100) {
        5
    } else {
        20
    };
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        std::hint::black_box(fetch_page(pool, actor, query).await.expect("page"));
        samples.push(started.elapsed());
    }
    (
        percentile(&mut samples.clone(), 0.5),
        percentile(&mut samples, 0.99),
    )
}
