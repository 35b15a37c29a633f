//! Demo and benchmark data, generated with set-based SQL.
//!
//! Every choice (which customer buys, which event, how many tickets, which status) comes from
//! `hashint8extended` of a row's id, so a seed is deterministic and needs no round trips per
//! row. Ids are assigned explicitly (`OVERRIDING SYSTEM VALUE`) from the current maximum so
//! that the generator can address ranges of them arithmetically; the identity sequences are
//! moved past them at the end. Generated codes come from a bijective scramble of the id, so
//! they are unique by construction; they look random but are not secret, which is fine for
//! demo and benchmark data (codes the app issues come from a CSPRNG).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::db::auth::hash_password;
use crate::error::SetupError;

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

const DEMO_SQL: &str = include_str!("../../assets/demo.sql");

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
    let mut tx = pool.begin().await?;
    lock_tables(&mut tx).await?;
    let before = counts(&mut tx).await?;
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
    )
    .await?;
    finish(&mut tx).await?;
    let after = counts(&mut tx).await?;
    tx.commit().await?;
    Ok(after.minus(before))
}

/// Adds the generated data set of `scale` to whatever the database holds.
pub async fn load_scale(
    pool: &PgPool,
    scale: Scale,
    anchor: DateTime<Utc>,
) -> Result<SeedCounts, SetupError> {
    let mut tx = pool.begin().await?;
    lock_tables(&mut tx).await?;
    let before = counts(&mut tx).await?;
    install_code_function(&mut tx).await?;
    let staff_id: Option<i64> =
        sqlx::query_scalar("SELECT min(id) FROM users WHERE role = 'staff' AND deleted_at IS NULL")
            .fetch_one(&mut *tx)
            .await?;
    let first_organizer = generate_users(&mut tx, "organizer", scale.organizers, anchor).await?;
    let first_customer = generate_users(&mut tx, "customer", scale.customers, anchor).await?;
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
    generate_sales(
        &mut tx,
        &Sales {
            orders: scale.orders,
            events: (first_event, first_event + scale.events - 1),
            customers: (first_customer, scale.customers),
            staff_id,
            anchor,
        },
    )
    .await?;
    finish(&mut tx).await?;
    let after = counts(&mut tx).await?;
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(after.minus(before))
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

async fn generate_sales(conn: &mut PgConnection, sales: &Sales) -> Result<(), SetupError> {
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
    let first_ticket = next_id(conn, "tickets").await?;
    sqlx::query(GENERATE_TICKETS)
        .bind(first_ticket)
        .bind(first_order)
        .bind(sales.anchor)
        .bind(sales.staff_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(GENERATE_SCANS)
        .bind(first_ticket)
        .execute(&mut *conn)
        .await?;
    sqlx::query(COUNT_SOLD)
        .bind(first_ticket)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn finish(conn: &mut PgConnection) -> Result<(), SetupError> {
    sqlx::raw_sql(RESET_SEQUENCES).execute(conn).await?;
    Ok(())
}

/// `pg_temp.bo_code(n, chars)`: a unique code of `chars` characters for id `n`, from an
/// alphabet without look-alike characters (no 0/O, 1/I), dashed in the middle.
const CODE_FUNCTION: &str = r#"
CREATE OR REPLACE FUNCTION pg_temp.bo_code(n bigint, chars int) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    bits int := 5 * chars;
    modulus numeric := 2::numeric ^ bits;
    alphabet text := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    v bigint;
    code text := '';
BEGIN
    -- Odd multipliers and xor-shifts are bijections on [0, 2^bits): distinct ids give
    -- distinct codes.
    v := ((n::numeric * 1103515245 + 12345) % modulus)::bigint;
    v := v # (v >> (bits / 2));
    v := ((v::numeric * 6364136223846793005) % modulus)::bigint;
    v := v # (v >> (bits / 3));
    FOR i IN 1..chars LOOP
        code := code || substr(alphabet, (v & 31)::int + 1, 1);
        v := v >> 5;
    END LOOP;
    RETURN substr(code, 1, chars / 2) || '-' || substr(code, chars / 2 + 1);
END
$$;

-- Which of an event's ticket types (1-based, in id order) order n buys: the first (General)
-- six times in ten, the others evenly.
CREATE OR REPLACE FUNCTION pg_temp.bo_type_index(n bigint, types int) RETURNS int
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN types = 1 OR h % 10 < 6 THEN 1 ELSE 2 + ((h / 10) % (types - 1))::int END
    FROM (SELECT hashint8extended(n, 3) & 9223372036854775807 AS h) AS r
$$;
"#;

const GENERATE_USERS: &str = r#"
INSERT INTO users (id, email, name, role, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT $1 + g - 1,
       lower(n.first || '.' || replace(n.last, ' ', '')) || ($1 + g - 1)
           || CASE WHEN $3 = 'customer' THEN '@example.com' ELSE '@organizers.example' END,
       n.first || ' ' || n.last,
       $3::user_role,
       $4::timestamptz - make_interval(days => (h % 700)::int),
       $4::timestamptz - make_interval(days => (h % 700)::int)
FROM generate_series(1, $2::bigint) AS g
CROSS JOIN LATERAL (SELECT hashint8extended($1 + g, 11) & 9223372036854775807 AS h) AS r
CROSS JOIN LATERAL (
    SELECT (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Margaret',
                  'Dennis','Radia','Tim','Hedy','John','Sophie','Niklaus','Karen','Leslie',
                  'Shafi','Yukihiro'])[1 + (h % 20)] AS first,
           (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson',
                  'Hamilton','Ritchie','Perlman','Berners-Lee','Lamarr','McCarthy','Wilson',
                  'Wirth','Sparck Jones','Lamport','Goldwasser','Matsumoto','Nakamura','Okafor',
                  'Silva','Novak'])[1 + ((h / 20) % 24)] AS last
) AS n
"#;

const GENERATE_EVENTS: &str = r#"
INSERT INTO events (id, organizer_id, title, venue, starts_at, ends_at, description, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT $1 + g - 1,
       $3 + (h % $4),
       (ARRAY['Jazz','Indie','Classical','Comedy','Folk','Techno','Opera','Poetry','Blues','Swing',
              'Punk','Choir','Film','Theatre','Soul','Metal'])[1 + ((h / 7) % 16)]
       || ' ' ||
       (ARRAY['Night','Live','Festival','Session','Showcase','Matinee','Gala','Marathon'])
           [1 + ((h / 131) % 8)]
       || ' #' || g,
       (ARRAY['Main Hall','The Loft','Riverside Arena','Chapel of St Anne','Garden Stage',
              'Harbour Club','Old Cinema','Town Square','Warehouse 9','Blue Room','Opera House',
              'Student Union'])[1 + ((h / 1031) % 12)],
       s.starts_at,
       s.starts_at + make_interval(hours => 2 + (h % 4)::int),
       '',
       s.starts_at - interval '120 days',
       s.starts_at - interval '120 days'
FROM generate_series(1, $2::bigint) AS g
CROSS JOIN LATERAL (SELECT hashint8extended($1 + g, 13) & 9223372036854775807 AS h) AS r
CROSS JOIN LATERAL (
    SELECT date_trunc('hour', $5::timestamptz)
           + make_interval(days => ((h / 17) % 730)::int - 365, hours => 12 + ((h / 19) % 10)::int)
           AS starts_at
) AS s
"#;

const GENERATE_TICKET_TYPES: &str = r#"
INSERT INTO ticket_types (event_id, name, price_cents, quantity, created_at, updated_at)
SELECT e.id,
       (ARRAY['General','VIP','Early Bird','Balcony','Student','Standing','Family','Backstage'])[k],
       (ARRAY[2500, 9000, 1500, 3500, 1200, 1800, 6000, 15000])[k] + (e.id % 5) * 100,
       20 + ((e.id * 7 + k * 13) % 60),
       e.created_at,
       e.created_at
FROM events e
CROSS JOIN generate_series(1, least($2::int, 8)) AS k
WHERE e.id >= $1
"#;

/// Orders: each picks an event, a customer, a status, a ticket type and 1 to 4 tickets; its
/// total is the price of the tickets GENERATE_TICKETS will make (same formulas).
const GENERATE_ORDERS: &str = r#"
WITH types AS (
    SELECT event_id, array_agg(id ORDER BY id) AS ids, array_agg(price_cents ORDER BY id) AS prices
    FROM ticket_types
    WHERE deleted_at IS NULL AND event_id BETWEEN $3 AND $4
    GROUP BY event_id
), evs AS (
    SELECT (row_number() OVER (ORDER BY e.id)) - 1 AS idx, e.id, e.starts_at, t.ids, t.prices
    FROM events e JOIN types t ON t.event_id = e.id
), n AS (
    SELECT greatest(count(*), 1) AS c FROM evs
), src AS (
    SELECT $1 + g - 1 AS id, hashint8extended($1 + g - 1, 1) & 9223372036854775807 AS h
    FROM generate_series(1, $2::bigint) AS g
)
INSERT INTO orders (id, code, user_id, event_id, status, total_cents, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT src.id,
       pg_temp.bo_code(src.id, 8),
       $5 + ((src.h / 7) % $6),
       evs.id,
       (CASE WHEN (src.h / 13) % 100 < 70 THEN 'paid'
             WHEN (src.h / 13) % 100 < 82 THEN 'pending'
             WHEN (src.h / 13) % 100 < 92 THEN 'cancelled'
             ELSE 'refunded' END)::order_status,
       (1 + src.h % 4) * evs.prices[pg_temp.bo_type_index(src.id, cardinality(evs.ids))],
       c.at,
       c.at
FROM src
CROSS JOIN n
JOIN evs ON evs.idx = (src.h / 11) % n.c
CROSS JOIN LATERAL (
    SELECT least($7::timestamptz, evs.starts_at - interval '1 hour')
           - make_interval(mins => ((src.h / 17) % 86400)::int) AS at
) AS c
"#;

const GENERATE_TICKETS: &str = r#"
WITH types AS (
    SELECT event_id, array_agg(id ORDER BY id) AS ids
    FROM ticket_types
    WHERE deleted_at IS NULL
      AND event_id IN (SELECT DISTINCT event_id FROM orders WHERE id >= $2)
    GROUP BY event_id
), t AS (
    SELECT $1 + (row_number() OVER (ORDER BY o.id, j)) - 1 AS id,
           o.id AS order_id, o.status AS order_status, o.created_at, e.starts_at,
           types.ids[pg_temp.bo_type_index(o.id, cardinality(types.ids))] AS type_id,
           hashint8extended(o.id * 8 + j, 2) & 9223372036854775807 AS h
    FROM orders o
    JOIN types ON types.event_id = o.event_id
    JOIN events e ON e.id = o.event_id
    CROSS JOIN LATERAL generate_series(1, 1 + (hashint8extended(o.id, 1) & 9223372036854775807) % 4) AS j
    WHERE o.id >= $2
), decided AS (
    SELECT t.*,
           t.order_status = 'paid' AND t.starts_at < $3::timestamptz AND t.h % 100 < 85 AS checked_in
    FROM t
)
INSERT INTO tickets (id, code, order_id, ticket_type_id, holder_name, status,
                     checked_in_at, checked_in_by, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT d.id,
       pg_temp.bo_code(d.id, 10),
       d.order_id,
       d.type_id,
       (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Margaret','Dennis',
              'Radia','Tim','Hedy','John','Sophie','Niklaus','Karen','Leslie','Shafi','Yukihiro'])
           [1 + ((d.h / 3) % 20)]
       || ' ' ||
       (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson',
              'Hamilton','Ritchie','Perlman','Berners-Lee','Lamarr','McCarthy','Wilson','Wirth',
              'Sparck Jones','Lamport','Goldwasser','Matsumoto','Nakamura','Okafor','Silva','Novak'])
           [1 + ((d.h / 61) % 24)],
       (CASE WHEN d.order_status IN ('cancelled', 'refunded') THEN 'cancelled'
             WHEN d.checked_in THEN 'checked_in'
             ELSE 'valid' END)::ticket_status,
       CASE WHEN d.checked_in THEN d.starts_at - make_interval(mins => ((d.h / 7) % 90)::int) END,
       CASE WHEN d.checked_in THEN $4::bigint END,
       d.created_at,
       d.created_at
FROM decided d
"#;

const GENERATE_SCANS: &str = r#"
INSERT INTO scans (ticket_id, code, result, terminal, actor_id, at, created_at, updated_at)
SELECT id, code, 'admitted', 'door-' || (1 + id % 3), checked_in_by, checked_in_at,
       checked_in_at, checked_in_at
FROM tickets
WHERE id >= $1 AND status = 'checked_in'
"#;

const COUNT_SOLD: &str = r#"
UPDATE ticket_types tt
SET sold = tt.sold + s.n, quantity = greatest(tt.quantity, tt.sold + s.n)
FROM (
    SELECT ticket_type_id, count(*) AS n
    FROM tickets
    WHERE id >= $1 AND status <> 'cancelled'
    GROUP BY ticket_type_id
) AS s
WHERE tt.id = s.ticket_type_id
"#;

const RESET_SEQUENCES: &str = r#"
SELECT setval(pg_get_serial_sequence('users', 'id'), coalesce((SELECT max(id) FROM users), 1));
SELECT setval(pg_get_serial_sequence('events', 'id'), coalesce((SELECT max(id) FROM events), 1));
SELECT setval(pg_get_serial_sequence('ticket_types', 'id'), coalesce((SELECT max(id) FROM ticket_types), 1));
SELECT setval(pg_get_serial_sequence('orders', 'id'), coalesce((SELECT max(id) FROM orders), 1));
SELECT setval(pg_get_serial_sequence('tickets', 'id'), coalesce((SELECT max(id) FROM tickets), 1));
"#;
