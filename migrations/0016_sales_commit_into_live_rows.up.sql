-- Since 0013 a sale takes its seats without touching its ticket type's row, and since 0014
-- its foreign keys are checked at commit: a sale that began before its event or ticket type
-- went to the trash could commit into it, after the trash had moved that event's orders.
-- These checks run at commit, after the foreign keys: they lock the event and the type as the
-- foreign keys do (a trash in progress is waited for) and refuse a row no longer live.
CREATE FUNCTION order_event_is_live() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deleted_at IS NULL THEN
        PERFORM 1 FROM events WHERE id = NEW.event_id AND deleted_at IS NULL FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'the event was moved to the trash meanwhile'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_event_live';
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER orders_event_live AFTER INSERT ON orders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION order_event_is_live();

CREATE FUNCTION ticket_type_is_live() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deleted_at IS NULL THEN
        PERFORM 1 FROM ticket_types WHERE id = NEW.ticket_type_id AND deleted_at IS NULL
            FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'the ticket type was moved to the trash meanwhile'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tickets_type_live';
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER tickets_type_live AFTER INSERT ON tickets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ticket_type_is_live();

-- Sends what is pending in batches of 10,000 rows, so that a backlog left while no boxoffice
-- ran (a script's writes) never makes one call outlast the statement timeout.
CREATE OR REPLACE FUNCTION send_pending_changes() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    change record;
    sent integer := 0;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('boxoffice_changes')) THEN
        RETURN 0;
    END IF;
    FOR change IN
        WITH taken AS (
            DELETE FROM pending_changes
             WHERE ctid = ANY (ARRAY(SELECT ctid FROM pending_changes LIMIT 10000))
            RETURNING table_name, ids)
        SELECT table_name, array_to_string((array_agg(ids))[1:50], ',') AS ids
        FROM taken GROUP BY table_name
    LOOP
        PERFORM pg_notify('boxoffice_changes',
                          change.table_name || ':' || left(change.ids, 2000));
        sent := sent + 1;
    END LOOP;
    RETURN sent;
END
$$;
