DROP TRIGGER tickets_type_live ON tickets;
DROP FUNCTION ticket_type_is_live();
DROP TRIGGER orders_event_live ON orders;
DROP FUNCTION order_event_is_live();
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
        WITH taken AS (DELETE FROM pending_changes RETURNING table_name, ids)
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
