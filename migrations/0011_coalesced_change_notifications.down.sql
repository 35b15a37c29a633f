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
        PERFORM pg_notify('boxoffice_changes', TG_TABLE_NAME || ':' || ids);
    END IF;
    RETURN NULL;
END
$$;
DROP FUNCTION send_pending_changes();
DROP TABLE pending_changes;
