DROP INDEX ticket_types_event_idx;

CREATE OR REPLACE FUNCTION roll_up_sales() RETURNS bigint
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

CREATE OR REPLACE FUNCTION ticket_sales_settle_deleted_types() RETURNS trigger
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

CREATE OR REPLACE FUNCTION ticket_sales_follow_organizer() RETURNS trigger
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

CREATE OR REPLACE FUNCTION order_revenue_follow_event() RETURNS trigger
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

CREATE OR REPLACE FUNCTION order_revenue_settle_deleted_events() RETURNS trigger
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

DROP FUNCTION forget_emptied_revenue(bigint[], timestamptz[], text[]);
DROP FUNCTION forget_emptied_ticket_sales(bigint[], timestamptz[]);
