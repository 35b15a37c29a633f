SET LOCAL statement_timeout = 0;

CREATE OR REPLACE FUNCTION merge_ticket_search_entries() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('boxoffice_search_merge')) THEN
        RETURN 0;
    END IF;
    RETURN coalesce(gin_clean_pending_list(to_regclass('public.tickets_search_trgm')), 0)
         + coalesce(gin_clean_pending_list(to_regclass('public.tickets_holder_trgm')), 0);
END
$$;

CREATE INDEX orders_search_trgm ON orders
    USING gin (lower(code || ' ' || buyer_email || ' ' || buyer_name) gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX tickets_search_trgm ON tickets
    USING gin (lower(code || ' ' || holder_name) gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX tickets_holder_trgm ON tickets
    USING gin (lower(holder_name) gin_trgm_ops) WHERE deleted_at IS NULL;
DROP INDEX orders_code_trgm;
DROP INDEX tickets_code_trgm;
DROP INDEX users_buyer_search_trgm;

DROP TRIGGER ticket_holder_names_on_rename ON tickets;
DROP FUNCTION ticket_holder_names_add_renamed();
DROP TRIGGER ticket_holder_names_on_insert ON tickets;
DROP FUNCTION ticket_holder_names_add_inserted();
DROP TABLE ticket_holder_names;
