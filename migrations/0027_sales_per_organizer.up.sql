-- Tickets sold and money paid per organizer and quarter hour, for the dashboard of an
-- organizer's events (#14, benches/README.md "Session 12").
--
-- The sales chart of an organizer's 1,000 events counted their tickets of the last 30 days
-- from the tickets' (type, time) index (about 57k entries behind 4,947 descents, 31-38 ms)
-- and added up their paid orders from the orders' (event, time) index (27k entries, 12-16
-- ms), of a dashboard whose target is 50 ms. Sales of different events rarely share a
-- quarter hour, so no summary per event would be smaller; one per organizer is at most 2,880
-- rows a month (per currency).
--
-- A sale must not wait on a row that every sale of the organizer updates (the contention the
-- ticket types' seat blocks removed), so a change of tickets or orders only appends what it
-- does to its quarter hour to `ticket_sales_changes` or `order_revenue_changes`;
-- `roll_up_sales()`, run every second by the app, adds those up per organizer into
-- `organizer_ticket_sales` and `organizer_revenue`. A dashboard reads the sums and the
-- changes not yet added in one statement (one snapshot: a roll-up moves rows from one to the
-- other at once).

SET LOCAL statement_timeout = 0;
-- Nothing may be sold between the sums below and the triggers that keep them.
LOCK TABLE tickets, orders, events IN SHARE ROW EXCLUSIVE MODE;

-- What changes of tickets did to their type's count, not yet added up. No index: a sale only
-- appends here, and the table holds about a second of sales (the roll-up empties it).
CREATE TABLE ticket_sales_changes (
    ticket_type_id bigint NOT NULL,
    quarter        timestamptz NOT NULL,
    tickets        bigint NOT NULL
);

-- Tickets sold or held (live, not cancelled) per organizer, by the quarter hour they were
-- created in. Filled in key order, so that an organizer's month lies on a few pages.
CREATE TABLE organizer_ticket_sales (
    organizer_id bigint NOT NULL,
    quarter      timestamptz NOT NULL,
    tickets      bigint NOT NULL,
    PRIMARY KEY (organizer_id, quarter)
);

INSERT INTO organizer_ticket_sales (organizer_id, quarter, tickets)
SELECT e.organizer_id, date_bin('15 minutes', t.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
       count(*)
FROM tickets t
JOIN ticket_types tt ON tt.id = t.ticket_type_id
JOIN events e ON e.id = tt.event_id
WHERE t.deleted_at IS NULL AND t.status <> 'cancelled'
GROUP BY 1, 2
ORDER BY 1, 2;

-- What changes of orders did to their event's paid total, not yet added up.
CREATE TABLE order_revenue_changes (
    event_id bigint NOT NULL,
    quarter  timestamptz NOT NULL,
    cents    bigint NOT NULL
);

-- The totals of the live paid orders per organizer and currency, by the quarter hour they
-- were placed in.
CREATE TABLE organizer_revenue (
    organizer_id bigint NOT NULL,
    currency     text NOT NULL,
    quarter      timestamptz NOT NULL,
    cents        bigint NOT NULL,
    PRIMARY KEY (organizer_id, quarter, currency)
);

INSERT INTO organizer_revenue (organizer_id, currency, quarter, cents)
SELECT e.organizer_id, e.currency,
       date_bin('15 minutes', o.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), sum(o.total_cents)
FROM orders o
JOIN events e ON e.id = o.event_id
WHERE o.deleted_at IS NULL AND o.status = 'paid'
GROUP BY 1, 2, 3
ORDER BY 1, 3, 2;

-- A sale (or a seed) inserts its tickets in one statement: one row per type and quarter hour.
CREATE FUNCTION ticket_sales_note_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_sales_changes (ticket_type_id, quarter, tickets)
    SELECT ticket_type_id, date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
           count(*)
    FROM inserted_tickets
    WHERE deleted_at IS NULL AND status <> 'cancelled'
    GROUP BY 1, 2;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_sales_on_insert AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS inserted_tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_sales_note_inserted();

-- A cancellation, a reactivation, a ticket trashed or restored: per row, and only when the
-- ticket starts or stops counting (an admission, valid to checked in, fires nothing: the
-- condition is checked before any function is called).
CREATE FUNCTION ticket_sales_note_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL AND OLD.status <> 'cancelled' THEN
        INSERT INTO ticket_sales_changes (ticket_type_id, quarter, tickets)
        VALUES (OLD.ticket_type_id,
                date_bin('15 minutes', OLD.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), -1);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL AND NEW.status <> 'cancelled' THEN
        INSERT INTO ticket_sales_changes (ticket_type_id, quarter, tickets)
        VALUES (NEW.ticket_type_id,
                date_bin('15 minutes', NEW.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_sales_on_update AFTER UPDATE OF status, deleted_at, created_at, ticket_type_id
    ON tickets FOR EACH ROW
    WHEN ((OLD.deleted_at IS NULL AND OLD.status <> 'cancelled')
              IS DISTINCT FROM (NEW.deleted_at IS NULL AND NEW.status <> 'cancelled')
          OR ((OLD.deleted_at IS NULL AND OLD.status <> 'cancelled')
              AND (OLD.created_at IS DISTINCT FROM NEW.created_at
                   OR OLD.ticket_type_id IS DISTINCT FROM NEW.ticket_type_id)))
    EXECUTE FUNCTION ticket_sales_note_changed();
CREATE TRIGGER ticket_sales_on_delete AFTER DELETE ON tickets FOR EACH ROW
    WHEN (OLD.deleted_at IS NULL AND OLD.status <> 'cancelled')
    EXECUTE FUNCTION ticket_sales_note_changed();

-- The same for orders: a sale inserts its order in one statement; a payment, a refund, a
-- cancellation, an order trashed, restored or purged changes it row by row.
CREATE FUNCTION order_revenue_note_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_revenue_changes (event_id, quarter, cents)
    SELECT event_id, date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
           sum(total_cents)
    FROM inserted_orders
    WHERE deleted_at IS NULL AND status = 'paid'
    GROUP BY 1, 2;
    RETURN NULL;
END
$$;
CREATE TRIGGER order_revenue_on_insert AFTER INSERT ON orders
    REFERENCING NEW TABLE AS inserted_orders
    FOR EACH STATEMENT EXECUTE FUNCTION order_revenue_note_inserted();

CREATE FUNCTION order_revenue_note_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL AND OLD.status = 'paid' THEN
        INSERT INTO order_revenue_changes (event_id, quarter, cents)
        VALUES (OLD.event_id,
                date_bin('15 minutes', OLD.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
                -OLD.total_cents);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL AND NEW.status = 'paid' THEN
        INSERT INTO order_revenue_changes (event_id, quarter, cents)
        VALUES (NEW.event_id,
                date_bin('15 minutes', NEW.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
                NEW.total_cents);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER order_revenue_on_update
    AFTER UPDATE OF status, deleted_at, created_at, event_id, total_cents ON orders FOR EACH ROW
    WHEN ((OLD.deleted_at IS NULL AND OLD.status = 'paid')
              IS DISTINCT FROM (NEW.deleted_at IS NULL AND NEW.status = 'paid')
          OR ((OLD.deleted_at IS NULL AND OLD.status = 'paid')
              AND (OLD.created_at IS DISTINCT FROM NEW.created_at
                   OR OLD.event_id IS DISTINCT FROM NEW.event_id
                   OR OLD.total_cents IS DISTINCT FROM NEW.total_cents)))
    EXECUTE FUNCTION order_revenue_note_changed();
CREATE TRIGGER order_revenue_on_delete AFTER DELETE ON orders FOR EACH ROW
    WHEN (OLD.deleted_at IS NULL AND OLD.status = 'paid')
    EXECUTE FUNCTION order_revenue_note_changed();

CREATE FUNCTION order_revenue_empty() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM order_revenue_changes;
    DELETE FROM organizer_revenue;
    RETURN NULL;
END
$$;
CREATE TRIGGER order_revenue_on_truncate AFTER TRUNCATE ON orders
    FOR EACH STATEMENT EXECUTE FUNCTION order_revenue_empty();

CREATE FUNCTION ticket_sales_empty() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ticket_sales_changes;
    DELETE FROM organizer_ticket_sales;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_sales_on_truncate AFTER TRUNCATE ON tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_sales_empty();

-- Adds the noted changes up per organizer (the event's organizer and currency now). One at
-- a time, and never beside an organizer change (below) or a seed's sums: whoever holds the
-- lock does it, the others skip their turn.
CREATE FUNCTION roll_up_sales() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    tickets_rolled bigint;
    cents_rolled bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('boxoffice_ticket_sales')) THEN
        RETURN 0;
    END IF;
    -- A new statement, so a new snapshot: everything committed before the lock was taken.
    WITH taken AS (
        DELETE FROM ticket_sales_changes RETURNING ticket_type_id, quarter, tickets
    ), summed AS (
        SELECT e.organizer_id, t.quarter, sum(t.tickets) AS tickets
        FROM taken t JOIN ticket_types tt ON tt.id = t.ticket_type_id
        JOIN events e ON e.id = tt.event_id
        GROUP BY 1, 2
    )
    INSERT INTO organizer_ticket_sales AS s (organizer_id, quarter, tickets)
    SELECT organizer_id, quarter, tickets FROM summed WHERE tickets <> 0
    ON CONFLICT (organizer_id, quarter) DO UPDATE SET tickets = s.tickets + EXCLUDED.tickets;
    GET DIAGNOSTICS tickets_rolled = ROW_COUNT;
    DELETE FROM organizer_ticket_sales WHERE tickets = 0;
    WITH taken AS (
        DELETE FROM order_revenue_changes RETURNING event_id, quarter, cents
    ), summed AS (
        SELECT e.organizer_id, e.currency, t.quarter, sum(t.cents) AS cents
        FROM taken t JOIN events e ON e.id = t.event_id
        GROUP BY 1, 2, 3
    )
    INSERT INTO organizer_revenue AS s (organizer_id, currency, quarter, cents)
    SELECT organizer_id, currency, quarter, cents FROM summed WHERE cents <> 0
    ON CONFLICT (organizer_id, quarter, currency) DO UPDATE SET cents = s.cents + EXCLUDED.cents;
    GET DIAGNOSTICS cents_rolled = ROW_COUNT;
    DELETE FROM organizer_revenue WHERE cents = 0;
    RETURN tickets_rolled + cents_rolled;
END
$$;

-- Ticket types purged (with their event, and its tickets in the trash, their changes noted)
-- take their changes not yet rolled up along: rolled up now, while their event is known.
CREATE FUNCTION ticket_sales_settle_deleted_types() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('boxoffice_ticket_sales'));
    WITH taken AS (
        DELETE FROM ticket_sales_changes c USING deleted_types d
        WHERE c.ticket_type_id = d.id
        RETURNING d.event_id, c.quarter, c.tickets
    ), summed AS (
        SELECT e.organizer_id, t.quarter, sum(t.tickets) AS tickets
        FROM taken t JOIN events e ON e.id = t.event_id
        GROUP BY 1, 2
    )
    INSERT INTO organizer_ticket_sales AS s (organizer_id, quarter, tickets)
    SELECT organizer_id, quarter, tickets FROM summed WHERE tickets <> 0
    ON CONFLICT (organizer_id, quarter) DO UPDATE SET tickets = s.tickets + EXCLUDED.tickets;
    DELETE FROM organizer_ticket_sales WHERE tickets = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_sales_on_type_delete AFTER DELETE ON ticket_types
    REFERENCING OLD TABLE AS deleted_types
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_sales_settle_deleted_types();

-- An event given to another organizer takes its counted tickets along: what the old
-- organizer's sums hold of it is its live tickets less its changes not yet rolled up (one
-- snapshot, under the roll-up's lock); its changes still noted are rolled up later, to the
-- new organizer.
CREATE FUNCTION ticket_sales_follow_organizer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('boxoffice_ticket_sales'));
    -- A new statement, so a new snapshot: a roll-up that held the lock is seen whole.
    WITH rolled AS (
        SELECT quarter, sum(tickets) AS tickets FROM (
            SELECT date_bin('15 minutes', t.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS quarter,
                   1::bigint AS tickets
            FROM tickets t JOIN ticket_types tt ON tt.id = t.ticket_type_id
            WHERE tt.event_id = NEW.id AND t.deleted_at IS NULL AND t.status <> 'cancelled'
            UNION ALL
            SELECT quarter, -tickets FROM ticket_sales_changes
            WHERE ticket_type_id IN (SELECT id FROM ticket_types WHERE event_id = NEW.id)
        ) AS parts
        GROUP BY quarter
        HAVING sum(tickets) <> 0
    ), moved AS (
        SELECT OLD.organizer_id AS organizer_id, quarter, -tickets AS tickets FROM rolled
        UNION ALL
        SELECT NEW.organizer_id, quarter, tickets FROM rolled
    )
    INSERT INTO organizer_ticket_sales AS s (organizer_id, quarter, tickets)
    SELECT organizer_id, quarter, tickets FROM moved
    ON CONFLICT (organizer_id, quarter) DO UPDATE SET tickets = s.tickets + EXCLUDED.tickets;
    DELETE FROM organizer_ticket_sales
    WHERE organizer_id IN (OLD.organizer_id, NEW.organizer_id) AND tickets = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_sales_follow_organizer AFTER UPDATE OF organizer_id ON events
    FOR EACH ROW WHEN (OLD.organizer_id IS DISTINCT FROM NEW.organizer_id)
    EXECUTE FUNCTION ticket_sales_follow_organizer();

-- Its paid orders go with it too (and to its new currency, should one without orders
-- change).
CREATE FUNCTION order_revenue_follow_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('boxoffice_ticket_sales'));
    WITH rolled AS (
        SELECT quarter, sum(cents) AS cents FROM (
            SELECT date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS quarter,
                   total_cents AS cents
            FROM orders WHERE event_id = NEW.id AND deleted_at IS NULL AND status = 'paid'
            UNION ALL
            SELECT quarter, -cents FROM order_revenue_changes WHERE event_id = NEW.id
        ) AS parts
        GROUP BY quarter
        HAVING sum(cents) <> 0
    ), moved AS (
        SELECT OLD.organizer_id AS organizer_id, OLD.currency AS currency, quarter, -cents AS cents
        FROM rolled
        UNION ALL
        SELECT NEW.organizer_id, NEW.currency, quarter, cents FROM rolled
    )
    INSERT INTO organizer_revenue AS s (organizer_id, currency, quarter, cents)
    SELECT organizer_id, currency, quarter, sum(cents) FROM moved GROUP BY 1, 2, 3
    ON CONFLICT (organizer_id, quarter, currency) DO UPDATE SET cents = s.cents + EXCLUDED.cents;
    DELETE FROM organizer_revenue
    WHERE organizer_id IN (OLD.organizer_id, NEW.organizer_id) AND cents = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER order_revenue_follow_event AFTER UPDATE OF organizer_id, currency ON events
    FOR EACH ROW
    WHEN (OLD.organizer_id IS DISTINCT FROM NEW.organizer_id OR OLD.currency IS DISTINCT FROM NEW.currency)
    EXECUTE FUNCTION order_revenue_follow_event();

-- Events purged take their orders' changes not yet rolled up along (their orders go first,
-- in the purge's transaction), while their organizer is known.
CREATE FUNCTION order_revenue_settle_deleted_events() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('boxoffice_ticket_sales'));
    WITH taken AS (
        DELETE FROM order_revenue_changes c USING deleted_events d
        WHERE c.event_id = d.id
        RETURNING d.organizer_id, d.currency, c.quarter, c.cents
    ), summed AS (
        SELECT organizer_id, currency, quarter, sum(cents) AS cents FROM taken GROUP BY 1, 2, 3
    )
    INSERT INTO organizer_revenue AS s (organizer_id, currency, quarter, cents)
    SELECT organizer_id, currency, quarter, cents FROM summed WHERE cents <> 0
    ON CONFLICT (organizer_id, quarter, currency) DO UPDATE SET cents = s.cents + EXCLUDED.cents;
    DELETE FROM organizer_revenue WHERE cents = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER order_revenue_on_event_delete AFTER DELETE ON events
    REFERENCING OLD TABLE AS deleted_events
    FOR EACH STATEMENT EXECUTE FUNCTION order_revenue_settle_deleted_events();
