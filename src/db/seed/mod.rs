//! Demo and benchmark data, generated with set-based SQL.
//!
//! Every choice (which customer buys, which event, how many tickets, which status) comes from
//! `hashint8extended` of a row's id, so a seed is deterministic and needs no round trips per
//! row. Ids are assigned explicitly (`OVERRIDING SYSTEM VALUE`) from the current maximum so
//! that the generator can address ranges of them arithmetically; the identity sequences are
//! moved past them at the end. Generated codes come from a bijective scramble of the id, so
//! they are unique by construction; they look random but are not secret, which is fine for
//! demo and benchmark data (codes the app issues come from a CSPRNG). A large seed sets the
//! indexes and reference checks aside while it loads and rebuilds them after (`deferred`).

mod deferred;
mod sql;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::db::auth::hash_password;
use crate::db::progress::Progress;
use crate::error::SetupError;
use sql::*;

/// Password of every demo account (see the README).
pub const DEMO_PASSWORD: &str = "demo";
/// The demo accounts that can sign in, one per role.
pub const DEMO_ACCOUNTS: [&str; 7] = [
    "admin@boxoffice.test",
    "ada@boxoffice.test",
    "support@boxoffice.test",
    "door@boxoffice.test",
    "chris@example.com",
    "grace@boxoffice.test",
    "linus@boxoffice.test",
];

const DEMO_SQL: &str = include_str!("../../../assets/demo.sql");

/// How much data `seed --scale` makes. A factor of 1.0 is the benchmark data set of DESIGN.md:
/// 500k users, 20k events, 100k ticket types, 2M orders and about 5M tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub organizers: i64,
    pub customers: i64,
    pub events: i64,
    pub types_per_event: i64,
    pub orders: i64,
}

impl Scale {
    pub fn from_factor(factor: f64) -> Result<Self, SetupError> {
        if !(factor.is_finite() && factor > 0.0 && factor <= 10.0) {
            return Err(SetupError::Invalid(format!(
                "--scale must be a number above 0 and at most 10 (1 is the benchmark set), not {factor}"
            )));
        }
        let of = |full: f64| ((full * factor).round() as i64).max(1);
        Ok(Self {
            organizers: of(1_000.0),
            customers: of(500_000.0),
            events: of(20_000.0),
            types_per_event: 5,
            orders: of(2_000_000.0),
        })
    }
}

/// What a seed added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedCounts {
    pub users: i64,
    pub events: i64,
    pub ticket_types: i64,
    pub orders: i64,
    pub tickets: i64,
}

/// Loads the demo data set. `anchor` is "now" for the demo's past and future events.
pub async fn load_demo(pool: &PgPool, anchor: DateTime<Utc>) -> Result<SeedCounts, SetupError> {
    load_demo_unless(pool, anchor, false)
        .await
        .map(Option::unwrap_or_default)
}

/// Loads the demo data into a database that has no users yet; None when it has some. Many
/// processes starting at once on a new database call this together: the table lock makes
/// them take turns, and the ones after the first find the users and load nothing.
pub async fn load_demo_if_empty(
    pool: &PgPool,
    anchor: DateTime<Utc>,
) -> Result<Option<SeedCounts>, SetupError> {
    load_demo_unless(pool, anchor, true).await
}

async fn load_demo_unless(
    pool: &PgPool,
    anchor: DateTime<Utc>,
    only_if_empty: bool,
) -> Result<Option<SeedCounts>, SetupError> {
    let mut tx = pool.begin().await?;
    lock_tables(&mut tx).await?;
    let before = counts(&mut tx).await?;
    if only_if_empty && before.users > 0 {
        return Ok(None);
    }
    sqlx::query("SELECT set_config('boxoffice.anchor', $1, true)")
        .bind(anchor.to_rfc3339())
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql(DEMO_SQL).execute(&mut *tx).await?;
    for email in DEMO_ACCOUNTS {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE lower(email) = lower($2)")
            .bind(hash_password(DEMO_PASSWORD)?)
            .bind(email)
            .execute(&mut *tx)
            .await?;
    }
    let staff_id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'door@boxoffice.test'")
            .fetch_optional(&mut *tx)
            .await?;
    install_code_function(&mut tx).await?;
    let first_customer = generate_users(&mut tx, "customer", 1_500, anchor).await?;
    let (first_event, last_event): (i64, i64) =
        sqlx::query_as("SELECT min(id), max(id) FROM events")
            .fetch_one(&mut *tx)
            .await?;
    generate_sales(
        &mut tx,
        &Sales {
            orders: 3_000,
            events: (first_event, last_event),
            customers: (first_customer, 1_500),
            staff_id,
            anchor,
        },
        &mut Progress::silent(),
    )
    .await?;
    finish(&mut tx).await?;
    let after = counts(&mut tx).await?;
    tx.commit().await?;
    Ok(Some(after.minus(before)))
}

/// The tables the first of a large seed's two transactions fills (the buyers' texts by a
/// trigger of users).
const FIRST_TABLES: &[&str] = &["users", "buyer_texts", "events", "ticket_types", "orders"];
/// The tables the second fills (the tickets' codes by a trigger of tickets).
const SECOND_TABLES: &[&str] = &["tickets", "ticket_codes", "scans"];

/// Adds the generated data set of `scale` to whatever the database holds, reporting each step
/// to `progress`.
///
/// Two transactions: users, events, ticket types and orders first; then, while their indexes
/// are built on the second core, the tickets and scans; then the tickets' indexes, two at a
/// time. Each transaction loads with the indexes and foreign keys set aside and checks the
/// keys again before it commits.
pub async fn load_scale(
    pool: &PgPool,
    scale: Scale,
    anchor: DateTime<Utc>,
    progress: &mut Progress<'_>,
) -> Result<SeedCounts, SetupError> {
    let mut tx = pool.begin().await?;
    lock_tables(&mut tx).await?;
    let before = counts(&mut tx).await?;
    install_code_function(&mut tx).await?;
    let set_aside = deferred::set_aside(&mut tx).await?;
    plan(progress, scale, &set_aside);
    progress.next_step();
    let staff_id: Option<i64> =
        sqlx::query_scalar("SELECT min(id) FROM users WHERE role = 'staff' AND deleted_at IS NULL")
            .fetch_one(&mut *tx)
            .await?;
    let first_organizer = generate_users(&mut tx, "organizer", scale.organizers, anchor).await?;
    let first_customer = generate_users(&mut tx, "customer", scale.customers, anchor).await?;
    progress.next_step();
    let first_event: i64 = next_id(&mut tx, "events").await?;
    sqlx::query(GENERATE_EVENTS)
        .bind(first_event)
        .bind(scale.events)
        .bind(first_organizer)
        .bind(scale.organizers)
        .bind(anchor)
        .execute(&mut *tx)
        .await?;
    sqlx::query(GENERATE_TICKET_TYPES)
        .bind(first_event)
        .bind(scale.types_per_event)
        .execute(&mut *tx)
        .await?;
    let sales = Sales {
        orders: scale.orders,
        events: (first_event, first_event + scale.events - 1),
        customers: (first_customer, scale.customers),
        staff_id,
        anchor,
    };
    progress.next_step();
    let first_order = generate_orders(&mut tx, &sales).await?;
    add_up_per_organizer(&mut tx, COUNT_ORGANIZER_REVENUE, first_order).await?;
    deferred::restore_foreign_keys(&mut tx, &set_aside, FIRST_TABLES, || progress.next_step())
        .await?;
    deferred::resume_orders_trigger(&mut tx).await?;
    deferred::queue_indexes(&mut tx, &set_aside, FIRST_TABLES).await?;
    finish(&mut tx).await?;
    progress.next_step();
    tx.commit().await?;
    // The orders' indexes are built on the other core while this one makes the tickets.
    let mut early = deferred::start_builders(pool, 1);

    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL statement_timeout = 0")
        .execute(&mut *tx)
        .await?;
    sqlx::query("LOCK TABLE tickets, scans IN EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    deferred::bulk_settings(&mut tx).await?;
    install_code_function(&mut tx).await?;
    let first_ticket = generate_tickets(&mut tx, &sales, first_order, progress).await?;
    add_up_per_organizer(&mut tx, COUNT_ORGANIZER_SALES, first_ticket).await?;
    deferred::restore_foreign_keys(&mut tx, &set_aside, SECOND_TABLES, || progress.next_step())
        .await?;
    deferred::resume_tickets_trigger(&mut tx).await?;
    deferred::queue_indexes(&mut tx, &set_aside, SECOND_TABLES).await?;
    finish(&mut tx).await?;
    let after = counts(&mut tx).await?;
    progress.next_step();
    tx.commit().await?;

    progress.next_step();
    let mut first = true;
    let mut step = || {
        // The first index step was announced as the builds began; each later one as one ends.
        if !std::mem::take(&mut first) {
            progress.next_step();
        }
    };
    early.report(&mut step);
    let rest = deferred::start_builders(pool, INDEX_BUILDERS);
    rest.finish(&mut step).await?;
    early.finish(&mut step).await?;
    progress.next_step();
    sqlx::query("ANALYZE").execute(pool).await?;
    progress.finish();
    Ok(after.minus(before))
}

/// Index builders at once: one per core of this 2-core benchmark machine (each build uses
/// one); more would only queue on the same cores.
const INDEX_BUILDERS: usize = 2;

/// How many indexes a seed left to build (interrupted after its commit).
pub async fn indexes_pending(pool: &PgPool) -> Result<i64, SetupError> {
    deferred::pending_indexes(pool).await
}

/// Builds what an interrupted seed left to build; returns how many indexes it built.
pub async fn finish_interrupted(
    pool: &PgPool,
    progress: &mut Progress<'_>,
) -> Result<i64, SetupError> {
    let pending = deferred::pending_indexes(pool).await?;
    if pending == 0 {
        return Ok(0);
    }
    for i in 0..pending {
        progress.plan(
            format!("indexes an interrupted seed left ({}/{pending})", i + 1),
            1,
        );
    }
    progress.next_step();
    let mut first = true;
    deferred::start_builders(pool, INDEX_BUILDERS)
        .finish(|| {
            if !std::mem::take(&mut first) {
                progress.next_step();
            }
        })
        .await?;
    progress.finish();
    Ok(pending)
}

/// The steps of `load_scale`, with costs in rough seconds at scale 1 (measured; they only
/// steer the estimate).
fn plan(progress: &mut Progress<'_>, scale: Scale, set_aside: &[deferred::DeferredItem]) {
    let rows = |count: i64| u64::try_from(count).unwrap_or(0);
    let at_scale =
        |seconds_at_one: f64| (seconds_at_one * rows(scale.orders) as f64 / 2e6 * 10.0) as u64;
    let foreign_keys = |tables: &[&str]| {
        set_aside
            .iter()
            .filter(|item| item.kind != "index" && tables.contains(&item.table_name.as_str()))
            .map(|item| item.name.clone())
            .collect::<Vec<_>>()
    };
    progress.plan(
        format!("users ({})", rows(scale.organizers + scale.customers)),
        at_scale(4.0),
    );
    progress.plan(
        format!("events ({}) and their ticket types", rows(scale.events)),
        at_scale(1.0),
    );
    progress.plan(format!("orders ({})", rows(scale.orders)), at_scale(42.0));
    for name in foreign_keys(FIRST_TABLES) {
        progress.plan(format!("checking {name}"), at_scale(0.5));
    }
    progress.plan("committing users, events and orders", at_scale(1.0));
    progress.plan(
        "tickets, about 2.5 per order (the orders' indexes meanwhile)",
        at_scale(95.0),
    );
    progress.plan("scans of the tickets checked in", at_scale(8.0));
    progress.plan("sold counts", at_scale(4.0));
    for name in foreign_keys(SECOND_TABLES) {
        progress.plan(format!("checking {name}"), at_scale(1.5));
    }
    progress.plan("committing tickets and scans", at_scale(1.0));
    let indexes: Vec<_> = set_aside
        .iter()
        .filter(|item| item.kind == "index")
        .collect();
    for (i, item) in indexes.iter().enumerate() {
        // Roughly what each took alone at scale 1, halved: two build at once.
        let seconds = match (
            item.table_name.as_str(),
            item.definition.contains("USING gin"),
        ) {
            ("tickets" | "ticket_codes", true) => 60.0,
            ("orders", true) => 55.0,
            ("tickets", false) => 8.0,
            ("orders", false) => 3.0,
            ("scans" | "users", _) => 2.0,
            _ => 0.2,
        };
        let seconds = if FIRST_TABLES.contains(&item.table_name.as_str()) {
            // Built while the tickets are made: no time of its own.
            0.1
        } else {
            seconds / 2.0
        };
        progress.plan(
            format!(
                "building indexes, two at a time ({}/{})",
                i + 1,
                indexes.len()
            ),
            at_scale(seconds),
        );
    }
    progress.plan("analyzing", at_scale(5.0));
}

impl SeedCounts {
    fn minus(self, other: SeedCounts) -> SeedCounts {
        SeedCounts {
            users: self.users - other.users,
            events: self.events - other.events,
            ticket_types: self.ticket_types - other.ticket_types,
            orders: self.orders - other.orders,
            tickets: self.tickets - other.tickets,
        }
    }
}

struct Sales {
    orders: i64,
    /// Inclusive range of event ids the orders are for.
    events: (i64, i64),
    /// First customer id and how many consecutive customers buy.
    customers: (i64, i64),
    staff_id: Option<i64>,
    anchor: DateTime<Utc>,
}

async fn lock_tables(conn: &mut PgConnection) -> Result<(), SetupError> {
    // A big seed runs for minutes: lift the pool's statement timeout for this transaction.
    sqlx::query("SET LOCAL statement_timeout = 0")
        .execute(&mut *conn)
        .await?;
    // Explicit ids are computed from the current maxima: nobody else may insert meanwhile.
    sqlx::query("LOCK TABLE users, events, ticket_types, orders, tickets, scans IN EXCLUSIVE MODE")
        .execute(conn)
        .await?;
    Ok(())
}

async fn counts(conn: &mut PgConnection) -> Result<SeedCounts, SetupError> {
    let (users, events, ticket_types, orders, tickets) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM events), \
         (SELECT count(*) FROM ticket_types), (SELECT count(*) FROM orders), \
         (SELECT count(*) FROM tickets)",
    )
    .fetch_one(conn)
    .await?;
    Ok(SeedCounts {
        users,
        events,
        ticket_types,
        orders,
        tickets,
    })
}

async fn next_id(conn: &mut PgConnection, table: &'static str) -> Result<i64, SetupError> {
    let sql = match table {
        "users" => "SELECT coalesce(max(id), 0) + 1 FROM users",
        "events" => "SELECT coalesce(max(id), 0) + 1 FROM events",
        "orders" => "SELECT coalesce(max(id), 0) + 1 FROM orders",
        _ => "SELECT coalesce(max(id), 0) + 1 FROM tickets",
    };
    Ok(sqlx::query_scalar(sql).fetch_one(conn).await?)
}

async fn install_code_function(conn: &mut PgConnection) -> Result<(), SetupError> {
    sqlx::raw_sql(CODE_FUNCTION).execute(conn).await?;
    Ok(())
}

/// Inserts `count` users of `role` with consecutive ids and returns the first id.
async fn generate_users(
    conn: &mut PgConnection,
    role: &'static str,
    count: i64,
    anchor: DateTime<Utc>,
) -> Result<i64, SetupError> {
    let first = next_id(conn, "users").await?;
    sqlx::query(GENERATE_USERS)
        .bind(first)
        .bind(count)
        .bind(role)
        .bind(anchor)
        .execute(conn)
        .await?;
    Ok(first)
}

async fn generate_sales(
    conn: &mut PgConnection,
    sales: &Sales,
    progress: &mut Progress<'_>,
) -> Result<(), SetupError> {
    progress.next_step();
    let first_order = generate_orders(conn, sales).await?;
    generate_tickets(conn, sales, first_order, progress)
        .await
        .map(drop)
}

/// Inserts the orders of `sales`; returns the first order's id.
async fn generate_orders(conn: &mut PgConnection, sales: &Sales) -> Result<i64, SetupError> {
    // Fresh statistics for what was just added, inside the transaction: planned on the stale
    // ones, the joins below become nested loops over millions of rows.
    analyze(conn, "ANALYZE users, events, ticket_types").await?;
    let first_order = next_id(conn, "orders").await?;
    sqlx::query(GENERATE_ORDERS)
        .bind(first_order)
        .bind(sales.orders)
        .bind(sales.events.0)
        .bind(sales.events.1)
        .bind(sales.customers.0)
        .bind(sales.customers.1)
        .bind(sales.anchor)
        .execute(&mut *conn)
        .await?;
    // Here, not with the tickets: a seed builds the orders' indexes while it makes the
    // tickets, and ANALYZE would wait for those builds.
    analyze(conn, "ANALYZE orders").await?;
    Ok(first_order)
}

/// Inserts the tickets of the orders from `first_order` on, their scans, and the sold counts.
async fn generate_tickets(
    conn: &mut PgConnection,
    sales: &Sales,
    first_order: i64,
    progress: &mut Progress<'_>,
) -> Result<i64, SetupError> {
    progress.next_step();
    let first_ticket = next_id(conn, "tickets").await?;
    sqlx::query(GENERATE_TICKETS)
        .bind(first_ticket)
        .bind(first_order)
        .bind(sales.anchor)
        .bind(sales.staff_id)
        .execute(&mut *conn)
        .await?;
    progress.next_step();
    analyze(conn, "ANALYZE tickets").await?;
    sqlx::query(GENERATE_SCANS)
        .bind(first_ticket)
        .execute(&mut *conn)
        .await?;
    progress.next_step();
    sqlx::query(COUNT_SOLD)
        .bind(first_ticket)
        .execute(&mut *conn)
        .await?;
    Ok(first_ticket)
}

/// Adds the rows from `first_id` on to the sums per organizer with `statement` (migration
/// 0027) in one pass: the triggers that note each statement's sales are off for the load
/// (`deferred`). Under the lock that keeps organizer changes and roll-ups apart.
async fn add_up_per_organizer(
    conn: &mut PgConnection,
    statement: &'static str,
    first_id: i64,
) -> Result<(), SetupError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('boxoffice_ticket_sales'))")
        .execute(&mut *conn)
        .await?;
    sqlx::query(statement)
        .bind(first_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn analyze(conn: &mut PgConnection, statement: &'static str) -> Result<(), SetupError> {
    sqlx::query(statement).execute(conn).await?;
    Ok(())
}

async fn finish(conn: &mut PgConnection) -> Result<(), SetupError> {
    sqlx::raw_sql(RESET_SEQUENCES).execute(conn).await?;
    Ok(())
}
