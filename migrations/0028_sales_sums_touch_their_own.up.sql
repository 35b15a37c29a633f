-- The sums per organizer (0027) touched every organizer's rows to drop emptied sums: each
-- roll-up (every second, in every process, with nothing to add) deleted `WHERE tickets = 0`
-- and `WHERE cents = 0` by reading both tables whole (1.5M and 1.3M rows on the benchmark
-- data, 160 ms), and an event given to another organizer read both organizers' rows (38 s to
-- give 1,000 events to one organizer, the later ones slower as its rows grew), and found its
-- ticket types by reading them all (no index served `event_id` without `deleted_at IS NULL`).
-- Now each statement deletes only the sums it emptied (the upsert returns them), and the
-- types are found by event through an index of their own: the event never changes on a sale
-- (a sale updates no ticket type's indexed column), so the index costs the sales nothing.

CREATE INDEX ticket_types_event_idx ON ticket_types (event_id);

-- Drops the sums a statement just emptied, given as parallel arrays of their keys (an
-- upsert's RETURNING, gathered): only those, never a scan of an organizer's sums.
CREATE FUNCTION forget_emptied_ticket_sales(organizers bigint[], quarters timestamptz[])
RETURNS void LANGUAGE sql SET search_path = public, pg_temp AS $$
    DELETE FROM organizer_ticket_sales s
    USING unnest(organizers, quarters) AS e(organizer_id, quarter)
    WHERE s.organizer_id = e.organizer_id AND s.quarter = e.quarter AND s.tickets = 0;
$$;

CREATE FUNCTION forget_emptied_revenue(organizers bigint[], quarters timestamptz[], currencies text[])
RETURNS void LANGUAGE sql SET search_path = public, pg_temp AS $$
    DELETE FROM organizer_revenue s
    USING unnest(organizers, quarters, currencies) AS e(organizer_id, quarter, currency)
    WHERE s.organizer_id = e.organizer_id AND s.quarter = e.quarter AND s.currency = e.currency
      AND s.cents = 0;
$$;

CREATE OR REPLACE FUNCTION roll_up_sales() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    tickets_rolled bigint;
    cents_rolled bigint;
    emptied_organizers bigint[];
    emptied_quarters timestamptz[];
    emptied_currencies text[];
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
    ), added AS (
        INSERT INTO organizer_ticket_sales AS s (organizer_id, quarter, tickets)
        SELECT organizer_id, quarter, tickets FROM summed WHERE tickets <> 0
        ON CONFLICT (organizer_id, quarter) DO UPDATE SET tickets = s.tickets + EXCLUDED.tickets
        RETURNING s.organizer_id, s.quarter, s.tickets
    )
    SELECT count(*), array_agg(organizer_id) FILTER (WHERE tickets = 0),
           array_agg(quarter) FILTER (WHERE tickets = 0)
    INTO tickets_rolled, emptied_organizers, emptied_quarters FROM added;
    PERFORM forget_emptied_ticket_sales(emptied_organizers, emptied_quarters);
    WITH taken AS (
        DELETE FROM order_revenue_changes RETURNING event_id, quarter, cents
    ), summed AS (
        SELECT e.organizer_id, e.currency, t.quarter, sum(t.cents) AS cents
        FROM taken t JOIN events e ON e.id = t.event_id
        GROUP BY 1, 2, 3
    ), added AS (
        INSERT INTO organizer_revenue AS s (organizer_id, currency, quarter, cents)
        SELECT organizer_id, currency, quarter, cents FROM summed WHERE cents <> 0
        ON CONFLICT (organizer_id, quarter, currency) DO UPDATE SET cents = s.cents + EXCLUDED.cents
        RETURNING s.organizer_id, s.quarter, s.currency, s.cents
    )
    SELECT count(*), array_agg(organizer_id) FILTER (WHERE cents = 0),
           array_agg(quarter) FILTER (WHERE cents = 0), array_agg(currency) FILTER (WHERE cents = 0)
    INTO cents_rolled, emptied_organizers, emptied_quarters, emptied_currencies FROM added;
    PERFORM forget_emptied_revenue(emptied_organizers, emptied_quarters, emptied_currencies);
    RETURN tickets_rolled + cents_rolled;
END
$$;

CREATE OR REPLACE FUNCTION ticket_sales_settle_deleted_types() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    emptied_organizers bigint[];
    emptied_quarters timestamptz[];
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
    ), added AS (
        INSERT INTO organizer_ticket_sales AS s (organizer_id, quarter, tickets)
        SELECT organizer_id, quarter, tickets FROM summed WHERE tickets <> 0
        ON CONFLICT (organizer_id, quarter) DO UPDATE SET tickets = s.tickets + EXCLUDED.tickets
        RETURNING s.organizer_id, s.quarter, s.tickets
    )
    SELECT array_agg(organizer_id) FILTER (WHERE tickets = 0),
           array_agg(quarter) FILTER (WHERE tickets = 0)
    INTO emptied_organizers, emptied_quarters FROM added;
    PERFORM forget_emptied_ticket_sales(emptied_organizers, emptied_quarters);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ticket_sales_follow_organizer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    emptied_organizers bigint[];
    emptied_quarters timestamptz[];
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
    ), added AS (
        INSERT INTO organizer_ticket_sales AS s (organizer_id, quarter, tickets)
        SELECT organizer_id, quarter, tickets FROM moved
        ON CONFLICT (organizer_id, quarter) DO UPDATE SET tickets = s.tickets + EXCLUDED.tickets
        RETURNING s.organizer_id, s.quarter, s.tickets
    )
    SELECT array_agg(organizer_id) FILTER (WHERE tickets = 0),
           array_agg(quarter) FILTER (WHERE tickets = 0)
    INTO emptied_organizers, emptied_quarters FROM added;
    PERFORM forget_emptied_ticket_sales(emptied_organizers, emptied_quarters);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION order_revenue_follow_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    emptied_organizers bigint[];
    emptied_quarters timestamptz[];
    emptied_currencies text[];
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
    ), added AS (
        INSERT INTO organizer_revenue AS s (organizer_id, currency, quarter, cents)
        SELECT organizer_id, currency, quarter, sum(cents) FROM moved GROUP BY 1, 2, 3
        ON CONFLICT (organizer_id, quarter, currency) DO UPDATE SET cents = s.cents + EXCLUDED.cents
        RETURNING s.organizer_id, s.quarter, s.currency, s.cents
    )
    SELECT array_agg(organizer_id) FILTER (WHERE cents = 0),
           array_agg(quarter) FILTER (WHERE cents = 0), array_agg(currency) FILTER (WHERE cents = 0)
    INTO emptied_organizers, emptied_quarters, emptied_currencies FROM added;
    PERFORM forget_emptied_revenue(emptied_organizers, emptied_quarters, emptied_currencies);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION order_revenue_settle_deleted_events() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    emptied_organizers bigint[];
    emptied_quarters timestamptz[];
    emptied_currencies text[];
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('boxoffice_ticket_sales'));
    WITH taken AS (
        DELETE FROM order_revenue_changes c USING deleted_events d
        WHERE c.event_id = d.id
        RETURNING d.organizer_id, d.currency, c.quarter, c.cents
    ), summed AS (
        SELECT organizer_id, currency, quarter, sum(cents) AS cents FROM taken GROUP BY 1, 2, 3
    ), added AS (
        INSERT INTO organizer_revenue AS s (organizer_id, currency, quarter, cents)
        SELECT organizer_id, currency, quarter, cents FROM summed WHERE cents <> 0
        ON CONFLICT (organizer_id, quarter, currency) DO UPDATE SET cents = s.cents + EXCLUDED.cents
        RETURNING s.organizer_id, s.quarter, s.currency, s.cents
    )
    SELECT array_agg(organizer_id) FILTER (WHERE cents = 0),
           array_agg(quarter) FILTER (WHERE cents = 0), array_agg(currency) FILTER (WHERE cents = 0)
    INTO emptied_organizers, emptied_quarters, emptied_currencies FROM added;
    PERFORM forget_emptied_revenue(emptied_organizers, emptied_quarters, emptied_currencies);
    RETURN NULL;
END
$$;
