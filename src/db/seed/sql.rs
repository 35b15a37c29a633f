//! The set-based SQL that generates the seed data (see the module above for how).

/// `pg_temp.bo_code(n, chars)`: a unique code of `chars` characters for id `n`, from an
/// alphabet without look-alike characters (no 0/O, 1/I), dashed in the middle.
pub(super) const CODE_FUNCTION: &str = r#"
CREATE OR REPLACE FUNCTION pg_temp.bo_code(n bigint, chars int) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    bits int := 5 * chars;
    modulus numeric := 2::numeric ^ bits;
    a constant text := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    v bigint;
BEGIN
    -- Odd multipliers and xor-shifts are bijections on [0, 2^bits): distinct ids give
    -- distinct codes.
    v := ((n::numeric * 1103515245 + 12345) % modulus)::bigint;
    v := v # (v >> (bits / 2));
    v := ((v::numeric * 6364136223846793005) % modulus)::bigint;
    v := v # (v >> (bits / 3));
    -- Spelled out rather than looped: a seed calls this seven million times, and each
    -- statement of a PL/pgSQL loop costs about a microsecond.
    IF chars = 10 THEN
        RETURN substr(a, ((v >> 0) & 31)::int + 1, 1)
            || substr(a, ((v >> 5) & 31)::int + 1, 1)
            || substr(a, ((v >> 10) & 31)::int + 1, 1)
            || substr(a, ((v >> 15) & 31)::int + 1, 1)
            || substr(a, ((v >> 20) & 31)::int + 1, 1)
            || '-' || substr(a, ((v >> 25) & 31)::int + 1, 1)
            || substr(a, ((v >> 30) & 31)::int + 1, 1)
            || substr(a, ((v >> 35) & 31)::int + 1, 1)
            || substr(a, ((v >> 40) & 31)::int + 1, 1)
            || substr(a, ((v >> 45) & 31)::int + 1, 1);
    ELSIF chars = 8 THEN
        RETURN substr(a, ((v >> 0) & 31)::int + 1, 1)
            || substr(a, ((v >> 5) & 31)::int + 1, 1)
            || substr(a, ((v >> 10) & 31)::int + 1, 1)
            || substr(a, ((v >> 15) & 31)::int + 1, 1)
            || '-' || substr(a, ((v >> 20) & 31)::int + 1, 1)
            || substr(a, ((v >> 25) & 31)::int + 1, 1)
            || substr(a, ((v >> 30) & 31)::int + 1, 1)
            || substr(a, ((v >> 35) & 31)::int + 1, 1);
    END IF;
    RAISE EXCEPTION 'bo_code makes codes of 8 or 10 characters, not %', chars;
END
$$;

-- Which of an event's ticket types (1-based, in id order) order n buys: the first (General)
-- six times in ten, the others evenly.
-- One expression, neither STRICT nor with a FROM, so that the planner inlines it.
CREATE OR REPLACE FUNCTION pg_temp.bo_type_index(n bigint, types int) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN types = 1 OR (hashint8extended(n, 3) & 9223372036854775807) % 10 < 6 THEN 1
                ELSE 2 + (((hashint8extended(n, 3) & 9223372036854775807) / 10) % (types - 1))::int
           END
$$;
"#;

pub(super) const GENERATE_USERS: &str = r#"
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

pub(super) const GENERATE_EVENTS: &str = r#"
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

pub(super) const GENERATE_TICKET_TYPES: &str = r#"
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
/// total is the price of the tickets GENERATE_TICKETS will make (same formulas). The buyer's
/// email and name and the event's title are copied here, as `orders_copy_references` would
/// copy them (a bulk seed switches that trigger off: one lookup per row is most of its cost).
pub(super) const GENERATE_ORDERS: &str = r#"
WITH types AS (
    SELECT event_id, array_agg(id ORDER BY id) AS ids, array_agg(price_cents ORDER BY id) AS prices
    FROM ticket_types
    WHERE deleted_at IS NULL AND event_id BETWEEN $3 AND $4
    GROUP BY event_id
), evs AS (
    SELECT (row_number() OVER (ORDER BY e.id)) - 1 AS idx, e.id, e.title, e.starts_at, t.ids, t.prices
    FROM events e JOIN types t ON t.event_id = e.id
), n AS (
    SELECT greatest(count(*), 1) AS c FROM evs
), src AS (
    SELECT $1 + g - 1 AS id, hashint8extended($1 + g - 1, 1) & 9223372036854775807 AS h
    FROM generate_series(1, $2::bigint) AS g
)
INSERT INTO orders (id, code, user_id, event_id, status, total_cents, created_at, updated_at,
                    buyer_email, buyer_name, event_title)
OVERRIDING SYSTEM VALUE
SELECT src.id,
       pg_temp.bo_code(src.id, 8),
       u.id,
       evs.id,
       (CASE WHEN (src.h / 13) % 100 < 70 THEN 'paid'
             WHEN (src.h / 13) % 100 < 82 THEN 'pending'
             WHEN (src.h / 13) % 100 < 92 THEN 'cancelled'
             ELSE 'refunded' END)::order_status,
       (1 + src.h % 4) * evs.prices[pg_temp.bo_type_index(src.id, cardinality(evs.ids))],
       c.at,
       c.at,
       u.email,
       u.name,
       evs.title
FROM src
CROSS JOIN n
JOIN evs ON evs.idx = (src.h / 11) % n.c
JOIN users u ON u.id = $5 + ((src.h / 7) % $6)
CROSS JOIN LATERAL (
    SELECT least($7::timestamptz, evs.starts_at - interval '1 hour')
           - make_interval(mins => ((src.h / 17) % 86400)::int) AS at
) AS c
"#;

pub(super) const GENERATE_TICKETS: &str = r#"
WITH types AS (
    SELECT event_id, array_agg(id ORDER BY id) AS ids, array_agg(name ORDER BY id) AS names
    FROM ticket_types
    WHERE deleted_at IS NULL
      AND event_id IN (SELECT DISTINCT event_id FROM orders WHERE id >= $2)
    GROUP BY event_id
), t AS (
    SELECT $1 + (row_number() OVER (ORDER BY o.id, j)) - 1 AS id,
           o.id AS order_id, o.code AS order_code, o.status AS order_status, o.created_at,
           e.starts_at,
           types.ids[k.type_index] AS type_id,
           types.names[k.type_index] AS type_name,
           hashint8extended(o.id * 8 + j, 2) & 9223372036854775807 AS h
    FROM orders o
    JOIN types ON types.event_id = o.event_id
    JOIN events e ON e.id = o.event_id
    CROSS JOIN LATERAL (SELECT pg_temp.bo_type_index(o.id, cardinality(types.ids)) AS type_index) AS k
    CROSS JOIN LATERAL generate_series(1, 1 + (hashint8extended(o.id, 1) & 9223372036854775807) % 4) AS j
    WHERE o.id >= $2
), decided AS (
    SELECT t.*,
           t.order_status = 'paid' AND t.starts_at < $3::timestamptz AND t.h % 100 < 85 AS checked_in
    FROM t
)
INSERT INTO tickets (id, code, order_id, ticket_type_id, holder_name, status,
                     checked_in_at, checked_in_by, created_at, updated_at, type_name, order_code)
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
       d.created_at,
       d.type_name,
       d.order_code
FROM decided d
"#;

pub(super) const GENERATE_SCANS: &str = r#"
INSERT INTO scans (ticket_id, code, result, terminal, actor_id, at, created_at, updated_at)
SELECT id, code, 'admitted', 'door-' || (1 + id % 3), checked_in_by, checked_in_at,
       checked_in_at, checked_in_at
FROM tickets
WHERE id >= $1 AND status = 'checked_in'
"#;

pub(super) const COUNT_SOLD: &str = r#"
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

/// The new tickets added to their organizers' sales per quarter hour in one pass (the
/// trigger that notes each statement's changes is off for the load, migration 0027), under
/// the lock that keeps organizer changes and roll-ups apart.
pub(super) const COUNT_ORGANIZER_SALES: &str = r#"
INSERT INTO organizer_ticket_sales AS s (organizer_id, quarter, tickets)
SELECT e.organizer_id, date_bin('15 minutes', t.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
       count(*)
FROM tickets t
JOIN ticket_types tt ON tt.id = t.ticket_type_id
JOIN events e ON e.id = tt.event_id
WHERE t.id >= $1 AND t.deleted_at IS NULL AND t.status <> 'cancelled'
GROUP BY 1, 2
ORDER BY 1, 2
ON CONFLICT (organizer_id, quarter) DO UPDATE SET tickets = s.tickets + EXCLUDED.tickets
"#;

/// The new paid orders added to their organizers' totals per currency and quarter hour in
/// one pass (the orders' trigger is off for the load, like the tickets').
pub(super) const COUNT_ORGANIZER_REVENUE: &str = r#"
INSERT INTO organizer_revenue AS s (organizer_id, currency, quarter, cents)
SELECT e.organizer_id, e.currency,
       date_bin('15 minutes', o.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), sum(o.total_cents)
FROM orders o
JOIN events e ON e.id = o.event_id
WHERE o.id >= $1 AND o.deleted_at IS NULL AND o.status = 'paid'
GROUP BY 1, 2, 3
ORDER BY 1, 3, 2
ON CONFLICT (organizer_id, quarter, currency) DO UPDATE SET cents = s.cents + EXCLUDED.cents
"#;

pub(super) const RESET_SEQUENCES: &str = r#"
SELECT setval(pg_get_serial_sequence('users', 'id'), coalesce((SELECT max(id) FROM users), 1));
SELECT setval(pg_get_serial_sequence('events', 'id'), coalesce((SELECT max(id) FROM events), 1));
SELECT setval(pg_get_serial_sequence('ticket_types', 'id'), coalesce((SELECT max(id) FROM ticket_types), 1));
SELECT setval(pg_get_serial_sequence('orders', 'id'), coalesce((SELECT max(id) FROM orders), 1));
SELECT setval(pg_get_serial_sequence('tickets', 'id'), coalesce((SELECT max(id) FROM tickets), 1));
"#;
