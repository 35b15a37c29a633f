SET LOCAL statement_timeout = 0;

CREATE OR REPLACE FUNCTION merge_ticket_search_entries() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('boxoffice_search_merge')) THEN
        RETURN 0;
    END IF;
    RETURN coalesce(gin_clean_pending_list(to_regclass('public.tickets_code_trgm')), 0);
END
$$;

-- A seed stopped before it built the codes' index would build it at the next start, on a
-- table gone by then.
DELETE FROM seed_pending_indexes WHERE name = 'ticket_codes_trgm';

CREATE INDEX tickets_code_trgm ON tickets
    USING gin (lower(code) gin_trgm_ops) WHERE deleted_at IS NULL;

DROP TRIGGER ticket_codes_on_truncate ON tickets;
DROP FUNCTION ticket_codes_empty();
DROP TRIGGER ticket_codes_on_code_change ON tickets;
DROP FUNCTION ticket_codes_follow_change();
DROP TRIGGER ticket_codes_on_delete ON tickets;
DROP FUNCTION ticket_codes_remove_deleted();
DROP TRIGGER ticket_codes_on_insert ON tickets;
DROP FUNCTION ticket_codes_add_inserted();
DROP TABLE ticket_codes;
