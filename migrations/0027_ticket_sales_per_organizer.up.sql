-- Tickets sold per organizer and quarter hour, for the dashboard of an organizer's events
-- (#14, benches/README.md "Session 12").
--
-- The sales chart of an organizer's 1,000 events counted their tickets of the last 30 days
-- from the tickets' (type, time) index: about 57k entries behind 4,947 descents, 31-38 ms of
-- a dashboard whose target is 50. Sales of different events rarely share a quarter hour, so
-- no summary per event would be smaller; one per organizer is at most 2,880 rows a month.
--
-- A sale must not wait on a row that every sale of the organizer updates (the contention the
-- ticket types' seat blocks removed), so a change of tickets only appends what it does to
-- its type's quarter hour to `ticket_sales_changes`; `roll_up_ticket_sales()`, run every
-- few seconds by the app, adds those up per organizer into `organizer_ticket_sales`. A
-- dashboard reads both in one statement (one snapshot: a roll-up moves rows from one to the
-- other at once).

SET LOCAL statement_timeout = 0;
-- No ticket may be sold between the sums below and the triggers that keep them.
LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE;

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

-- Adds the noted changes up per organizer (the event's organizer now). One at a time, and
-- never beside an organizer change (below) or a seed's sums: whoever holds the lock does
-- it, the others skip their turn.
CREATE FUNCTION roll_up_ticket_sales() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    rolled bigint;
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
    GET DIAGNOSTICS rolled = ROW_COUNT;
    DELETE FROM organizer_ticket_sales WHERE tickets = 0;
    RETURN rolled;
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
