-- The demo data set loaded on the first run of the built-in database: the sign-in accounts,
-- a few organizers, and about twenty events past and future at a few venues with their
-- ticket types. Customers, orders, tickets and scans are generated after this by the same
-- generator `boxoffice seed --scale` uses. Times are relative to the anchor the loader sets
-- (now, or a fixed instant in tests), so the demo always has past and future events.

INSERT INTO users (email, name, role) VALUES
    ('admin@boxoffice.test',   'Alex Admin',       'admin'),
    ('ada@boxoffice.test',     'Ada Lovelace',     'organizer'),
    ('support@boxoffice.test', 'Sam Support',      'support'),
    ('door@boxoffice.test',    'Dora Door',        'staff'),
    ('chris@example.com',      'Chris Customer',   'customer'),
    ('grace@boxoffice.test',   'Grace Hopper',     'organizer'),
    ('linus@boxoffice.test',   'Linus Torvalds',   'organizer');

WITH anchor AS (
    SELECT date_trunc('day', current_setting('boxoffice.anchor')::timestamptz) AS day
), plan (organizer, title, venue, day_offset, hour, hours, description) AS (VALUES
    ('ada@boxoffice.test',   'Jazz at the Lighthouse',        'Main Hall',        -60, 20, 3, 'An evening of modern jazz.'),
    ('ada@boxoffice.test',   'Winter Strings Quartet',        'Main Hall',        -41, 19, 2, 'Haydn, Ravel and Shostakovich.'),
    ('grace@boxoffice.test', 'Compiler Night',                'The Loft',         -33, 18, 4, 'Talks and beer.'),
    ('linus@boxoffice.test', 'Kernel Rock',                   'Riverside Arena',  -25, 21, 3, 'Loud.'),
    ('ada@boxoffice.test',   'Piano Recital: Clara Schumann', 'Chapel of St Anne', -18, 19, 2, ''),
    ('grace@boxoffice.test', 'Stand-up Saturday',             'The Loft',         -11, 21, 2, 'Five comics, one mic.'),
    ('linus@boxoffice.test', 'Indie Showcase',                'Riverside Arena',   -4, 20, 4, 'Six bands from the city.'),
    ('ada@boxoffice.test',   'Jazz Brunch',                   'Main Hall',         -1, 11, 3, ''),
    ('ada@boxoffice.test',   'Tonight: Big Band Swing',       'Main Hall',          0, 20, 3, 'Dancing encouraged.'),
    ('grace@boxoffice.test', 'Poetry Slam',                   'The Loft',           2, 19, 2, ''),
    ('linus@boxoffice.test', 'Metal Mondays',                 'Riverside Arena',    6, 20, 3, ''),
    ('ada@boxoffice.test',   'Baroque by Candlelight',        'Chapel of St Anne',  9, 21, 2, 'Bach and Vivaldi.'),
    ('grace@boxoffice.test', 'Film Club: Metropolis',         'Garden Stage',      13, 21, 3, 'Silent film, live score.'),
    ('ada@boxoffice.test',   'Summer Jazz Festival',          'Garden Stage',      20, 14, 9, 'Two stages, twelve acts.'),
    ('linus@boxoffice.test', 'Electronic Sunrise',            'Riverside Arena',   27, 22, 6, ''),
    ('grace@boxoffice.test', 'Improv Theatre',                'The Loft',          34, 20, 2, ''),
    ('ada@boxoffice.test',   'Choir of the North',            'Chapel of St Anne', 45, 19, 2, ''),
    ('linus@boxoffice.test', 'Punk Picnic',                   'Garden Stage',      58, 13, 6, 'Bring a blanket.'),
    ('ada@boxoffice.test',   'New Year Gala',                 'Main Hall',         80, 21, 5, 'Black tie optional.'),
    ('grace@boxoffice.test', 'Science Pub Quiz',              'The Loft',          95, 19, 3, '')
)
INSERT INTO events (organizer_id, title, venue, starts_at, ends_at, description, created_at)
SELECT u.id, p.title, p.venue,
       a.day + make_interval(days => p.day_offset, hours => p.hour),
       a.day + make_interval(days => p.day_offset, hours => p.hour + p.hours),
       p.description,
       a.day + make_interval(days => p.day_offset - 90)
FROM plan p
JOIN users u ON u.email = p.organizer
CROSS JOIN anchor a;

-- Ticket types: every event has General admission; halls add VIP, arenas Standing and VIP,
-- some an Early Bird that sold out.
INSERT INTO ticket_types (event_id, name, price_cents, quantity, created_at)
SELECT e.id, t.name, t.price_cents, t.quantity, e.created_at
FROM events e
CROSS JOIN LATERAL (VALUES
    ('General',    2500 + (e.id % 4) * 500, 400, true),
    ('VIP',        9000,                    60,  e.venue IN ('Main Hall', 'Riverside Arena')),
    ('Standing',   1800,                    600, e.venue = 'Riverside Arena'),
    ('Early Bird', 1500,                    50,  e.id % 3 = 0),
    ('Student',    1200,                    120, e.venue IN ('Chapel of St Anne', 'The Loft'))
) AS t (name, price_cents, quantity, wanted)
WHERE t.wanted;
