//! Test support: a fresh PostgreSQL database per test, and an app driven with real answers.
//!
//! The server is, in order: the one `DATABASE_URL` names; the machine's local server on its
//! default socket; or, when neither answers, boxoffice's own built-in server in
//! `target/test-postgres` (left running for the next test run, like a dev server). So the
//! tests pass on a fresh machine whether or not the PostgreSQL service is up.
#![allow(dead_code)]

pub mod replica;
pub mod ssh;
pub mod tmux;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use boxoffice::app::clock::SystemClock;
use boxoffice::app::commands::KeyMap;
use boxoffice::app::{App, AppOptions, Kiosk};
use boxoffice::data_task::{DataEvent, Reply, Request, execute};
use boxoffice::db::auth::Actor;
use boxoffice::db::filter::Filter;
use boxoffice::db::listing::{ListQuery, Page, Parent, Position, Sort, fetch_page};
use boxoffice::db::local_server::{LOCAL_ROLE, LocalServer};
use boxoffice::db::migrations::MIGRATOR;
use boxoffice::db::model::{EntityKind, Row};
use boxoffice::event::AppEvent;
use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool};
use tokio::sync::OnceCell;

/// The instant the demo data is anchored to in tests, so snapshots never change.
pub fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .expect("valid date")
}

static SERVER: OnceCell<PgConnectOptions> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

async fn reachable(options: &PgConnectOptions) -> bool {
    let attempt = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(3))
        .connect_with(options.clone());
    match tokio::time::timeout(Duration::from_secs(5), attempt).await {
        Ok(Ok(pool)) => {
            pool.close().await;
            true
        }
        _ => false,
    }
}

/// Connection options for a role that may create databases, on the `postgres` database.
async fn server() -> PgConnectOptions {
    SERVER
        .get_or_init(|| async {
            if let Ok(url) = std::env::var("DATABASE_URL") {
                let options: PgConnectOptions = url.parse().expect("DATABASE_URL is a valid URL");
                return options.database("postgres");
            }
            // As the OS user, like psql: sqlx's own guess of the user name can come out as
            // "anonymous" in containers.
            let me = nix::unistd::User::from_uid(nix::unistd::getuid())
                .ok()
                .flatten()
                .map(|user| user.name)
                .unwrap_or_else(|| "postgres".into());
            let user = std::env::var("PGUSER").unwrap_or(me);
            let local = PgConnectOptions::new().username(&user).database("postgres");
            if reachable(&local).await {
                return local;
            }
            let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-postgres");
            let endpoint = tokio::task::spawn_blocking(move || {
                LocalServer::new(root).and_then(|server| server.ensure_running())
            })
            .await
            .expect("the server task ran")
            .expect("no PostgreSQL for the tests: set DATABASE_URL or install the server binaries");
            PgConnectOptions::new()
                .socket(&endpoint.socket_dir)
                .username(LOCAL_ROLE)
                .database("postgres")
        })
        .await
        .clone()
}

/// The name of a template database with the current migrations applied.
async fn template(admin: &PgPool, server: &PgConnectOptions) -> String {
    let mut checksum = 0u64;
    for migration in MIGRATOR.iter() {
        for byte in migration.checksum.iter() {
            checksum = checksum.wrapping_mul(31).wrapping_add(u64::from(*byte));
        }
    }
    let name = format!("bo_template_{checksum:016x}");
    let mut lock = admin.acquire().await.expect("admin connection");
    lock.execute("SELECT pg_advisory_lock(7240001)")
        .await
        .expect("lock");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut *lock)
            .await
            .expect("query pg_database");
    if !exists {
        let building = format!("{name}_building");
        let drop = format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)");
        lock.execute(sqlx::AssertSqlSafe(drop))
            .await
            .expect("drop old template");
        let create = format!("CREATE DATABASE {building}");
        lock.execute(sqlx::AssertSqlSafe(create))
            .await
            .expect("create template");
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(server.clone().database(&building))
            .await
            .expect("connect to template");
        MIGRATOR.run(&pool).await.expect("migrations apply");
        pool.close().await;
        let rename = format!("ALTER DATABASE {building} RENAME TO {name}");
        lock.execute(sqlx::AssertSqlSafe(rename))
            .await
            .expect("rename template");
    }
    lock.execute("SELECT pg_advisory_unlock(7240001)")
        .await
        .expect("unlock");
    name
}

/// A new, migrated, empty database, dropped when the value is dropped.
pub struct TestDb {
    pub pool: PgPool,
    pub options: PgConnectOptions,
    name: String,
    admin: PgConnectOptions,
}

impl TestDb {
    /// A pool of its own on the same database: another terminal.
    pub async fn other_terminal(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(1)
            .connect_with(self.options.clone())
            .await
            .expect("a second connection")
    }

    pub async fn new() -> Self {
        // Times and new events' zones must not depend on the machine's zone.
        boxoffice::zone::set_default_zone(boxoffice::zone::Tz::UTC);
        let server = server().await;
        let admin = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(server.clone())
            .await
            .expect("connect to the test server");
        let template = template(&admin, &server).await;
        let name = format!(
            "bo_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let create = format!("CREATE DATABASE {name} TEMPLATE {template}");
        admin
            .execute(sqlx::AssertSqlSafe(create))
            .await
            .expect("create test database");
        admin.close().await;
        let options = server.clone().database(&name);
        let pool = boxoffice::db::pool_for(options.clone(), boxoffice::db::DEFAULT_POOL_SIZE)
            .await
            .expect("connect to test database");
        TestDb {
            pool,
            options,
            name,
            admin: server,
        }
    }

    /// A fresh database with the demo data set, anchored at `anchor()`.
    pub async fn with_demo() -> Self {
        let db = Self::new().await;
        boxoffice::db::seed::load_demo(&db.pool, anchor())
            .await
            .expect("demo data loads");
        db
    }

    pub async fn actor(&self, email: &str) -> Actor {
        boxoffice::db::auth::sign_in(
            &self.pool,
            email,
            boxoffice::db::seed::DEMO_PASSWORD,
            "test",
        )
        .await
        .expect("demo account signs in")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        // Drop runs outside async; a short-lived runtime on its own thread drops the database.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(pool) = PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(admin)
                    .await
                {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = pool.execute(sqlx::AssertSqlSafe(drop)).await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

/// Pages from the first page to the end, then from the last page back to the start, and
/// returns the ids seen each way, in list order.
pub async fn walk(
    db: &TestDb,
    email: &str,
    kind: EntityKind,
    parent: Option<Parent>,
    filter: &Filter,
    sort: Sort,
) -> (Vec<i64>, Vec<i64>) {
    let actor = db.actor(email).await;
    let query = |position| ListQuery {
        kind,
        parent,
        filter: filter.clone(),
        sort,
        position,
        page_size: 97,
    };
    let mut forward = Vec::new();
    let mut page: Page = fetch_page(&db.pool, &actor, &query(Position::First))
        .await
        .expect("first page");
    loop {
        forward.extend(page.rows.iter().map(Row::id));
        if !page.has_after {
            break;
        }
        let last = page
            .rows
            .last()
            .expect("a page with more after is not empty")
            .cursor();
        page = fetch_page(&db.pool, &actor, &query(Position::After(last)))
            .await
            .expect("next page");
    }
    let mut backward: Vec<i64> = Vec::new();
    page = fetch_page(&db.pool, &actor, &query(Position::Last))
        .await
        .expect("last page");
    loop {
        // Near the start, a "previous page" comes back as the whole first page (so the screen
        // stays full); it overlaps what we have, so take only the rows before ours.
        let fresh: Vec<i64> = match (&page.position, backward.first()) {
            (Position::First, Some(first_seen)) => page
                .rows
                .iter()
                .map(Row::id)
                .take_while(|id| id != first_seen)
                .collect(),
            _ => page.rows.iter().map(Row::id).collect(),
        };
        backward.splice(0..0, fresh);
        if !page.has_before {
            break;
        }
        let first = page
            .rows
            .first()
            .expect("a page with more before is not empty")
            .cursor();
        page = fetch_page(&db.pool, &actor, &query(Position::Before(first)))
            .await
            .expect("previous page");
    }
    (forward, backward)
}

/// The whole app, driven like the real one: keys in, the requests it makes answered by the
/// real data layer (the same `execute` the data task runs), until it waits for nothing.
pub struct Harness {
    pub app: App,
    pub pool: PgPool,
    actor: Option<Actor>,
}

impl Harness {
    pub fn new(pool: PgPool, width: u16, height: u16) -> Self {
        Self::with_options(pool, width, height, "test-door", None)
    }

    /// A harness for a kiosk, or another terminal name.
    pub fn with_options(
        pool: PgPool,
        width: u16,
        height: u16,
        terminal: &str,
        kiosk: Option<Kiosk>,
    ) -> Self {
        Self::built(
            pool,
            (width, height),
            terminal,
            kiosk,
            std::sync::Arc::new(SystemClock),
        )
    }

    /// A harness whose clock stands at `wall` (what the dashboard counts as now).
    pub fn at(pool: PgPool, width: u16, height: u16, wall: DateTime<Utc>) -> Self {
        Self::built(
            pool,
            (width, height),
            "test-door",
            None,
            std::sync::Arc::new(boxoffice::app::clock::ManualClock::at(wall)),
        )
    }

    fn built(
        pool: PgPool,
        (width, height): (u16, u16),
        terminal: &str,
        kiosk: Option<Kiosk>,
        clock: std::sync::Arc<dyn boxoffice::app::clock::Clock>,
    ) -> Self {
        let mut app = App::new(AppOptions {
            keymap: KeyMap::defaults(),
            terminal: terminal.to_string(),
            kiosk,
            viewer_zone: boxoffice::zone::Tz::UTC,
            no_color: true,
            clock,
            export_folder: std::env::temp_dir(),
        });
        app.resize(boxoffice::ui::layout::size(width, height));
        app.handle_event(AppEvent::Data(DataEvent::Connected {
            label: "postgres@test/boxoffice".into(),
            built_in: false,
        }));
        Harness {
            app,
            pool,
            actor: None,
        }
    }

    /// Answers every request the app has made, and those its answers lead to.
    pub async fn settle(&mut self) {
        loop {
            let envelopes = self.app.take_requests();
            if envelopes.is_empty() {
                return;
            }
            for envelope in envelopes {
                let reply = execute(&self.pool, self.actor.as_ref(), envelope.request).await;
                if let Some(actor) = reply.signed_in() {
                    self.actor = Some(actor.clone());
                }
                self.app.handle_event(AppEvent::Data(DataEvent::Reply {
                    generation: envelope.generation,
                    reply,
                }));
            }
        }
    }

    pub async fn press(&mut self, code: KeyCode) {
        self.press_with(code, KeyModifiers::NONE).await;
    }

    pub async fn press_with(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.app
            .handle_event(AppEvent::Key(KeyEvent::new(code, modifiers)));
        self.settle().await;
    }

    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.app.handle_event(AppEvent::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
        self.settle().await;
    }

    /// Ctrl-s in a form, which must save it and close it.
    pub async fn save_form(&mut self) {
        self.press_with(KeyCode::Char('s'), KeyModifiers::CONTROL)
            .await;
        assert!(self.app.overlays.form().is_none(), "{}", self.render());
    }

    pub async fn sign_in(&mut self, email: &str) {
        self.type_text(email).await;
        self.press(KeyCode::Enter).await;
        self.type_text(boxoffice::db::seed::DEMO_PASSWORD).await;
        self.press(KeyCode::Enter).await;
    }

    /// Sends a request straight to the data layer as the signed-in user.
    pub async fn request(&self, request: Request) -> Reply {
        execute(&self.pool, self.actor.as_ref(), request).await
    }

    /// The screen as text, as a terminal of the harness's size would show it.
    pub fn render(&self) -> String {
        screen_text(&self.app)
    }
}

/// An event row as a canned page carries it: "Night {id}" at The Loft, sorted by id.
pub fn event_row(id: i64) -> Row {
    let starts = Utc
        .with_ymd_and_hms(2026, 7, 1, 19, 0, 0)
        .single()
        .expect("a date");
    Row::Event(boxoffice::db::model::EventRow {
        id,
        starts_at: starts,
        ends_at: starts + chrono::Duration::hours(3),
        title: format!("Night {id}"),
        venue: "The Loft".into(),
        organizer: "Ada".into(),
        time_zone: "UTC".into(),
        currency: "EUR".into(),
        sort_key: format!("{id:08}"),
    })
}

/// The app drawn on a test terminal of its size, as text (trailing blanks trimmed).
pub fn screen_text(app: &App) -> String {
    let backend = ratatui::backend::TestBackend::new(app.size.width, app.size.height);
    let mut terminal = ratatui::Terminal::new(backend).expect("test terminal");
    terminal
        .draw(|frame| boxoffice::ui::draw(frame, app))
        .expect("draws");
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// The plan PostgreSQL gives `statement` with `args` on `conn` (the settings of its
/// transaction apply), its lines joined.
pub async fn plan_of(
    conn: &mut sqlx::PgConnection,
    statement: &str,
    args: sqlx::postgres::PgArguments,
) -> String {
    let lines: Vec<String> =
        sqlx::query_scalar_with(sqlx::AssertSqlSafe(format!("EXPLAIN {statement}")), args)
            .fetch_all(conn)
            .await
            .expect("a plan");
    lines.join("\n")
}
