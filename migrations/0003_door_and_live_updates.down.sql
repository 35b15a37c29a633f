DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'events', 'ticket_types', 'orders', 'tickets', 'scans'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_notify_insert', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_notify_update', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_notify_delete', t);
    END LOOP;
END
$$;
DROP FUNCTION IF EXISTS notify_change();
DROP FUNCTION IF EXISTS check_in_ticket(text, text, bigint, bigint, bigint, text);
DROP INDEX IF EXISTS scans_terminal_at_idx;
DROP INDEX IF EXISTS scans_terminal_scan_key;
ALTER TABLE scans DROP COLUMN IF EXISTS scan_key;
