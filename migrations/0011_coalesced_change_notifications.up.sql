-- NOTIFY takes one cluster-wide lock at the commit of a notifying transaction and keeps it
-- until the commit is over, WAL flush included: every sale and every admission committed one
-- after another. Changes are now noted in an unlogged table (no WAL, no lock) in the same
-- transaction, and sent as one notification per table, every 200 ms, by whichever boxoffice
-- process drains the table first (send_pending_changes). The payload stays `table:ids`.
CREATE UNLOGGED TABLE pending_changes (
    table_name text NOT NULL,
    ids text NOT NULL
);

CREATE OR REPLACE FUNCTION notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT string_agg(id::text, ',') INTO ids FROM (SELECT id FROM old_rows LIMIT 50) AS s;
    ELSE
        SELECT string_agg(id::text, ',') INTO ids FROM (SELECT id FROM new_rows LIMIT 50) AS s;
    END IF;
    IF ids IS NOT NULL THEN
        INSERT INTO pending_changes (table_name, ids) VALUES (TG_TABLE_NAME, ids);
    END IF;
    RETURN NULL;
END
$$;

-- Sends what is pending, one notification per table (the first 50 ids), and returns how many
-- were sent. One drainer at a time: the others find the lock taken and return 0.
CREATE FUNCTION send_pending_changes() RETURNS integer
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
