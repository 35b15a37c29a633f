-- A trigram (GIN) index keeps new entries in a pending list, and the insert that takes the
-- list past gin_pending_list_limit (4 MB) merges it into the index: at the door, the scan
-- that did waited 1.6-2.5 s (about one in 16,000 per index; benches/README.md "Session 8").
-- Every process that sends change notifications now also merges the tickets' lists every
-- 2 s with this function (one process at a time), so a scan almost never has to.
-- SECURITY DEFINER: merging needs the index's owner (the role that ran the migrations),
-- which the app's role need not be. A missing index (a seed rebuilding them) is skipped.
CREATE FUNCTION merge_ticket_search_entries() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('boxoffice_search_merge')) THEN
        RETURN 0;
    END IF;
    RETURN coalesce(gin_clean_pending_list(to_regclass('public.tickets_search_trgm')), 0)
         + coalesce(gin_clean_pending_list(to_regclass('public.tickets_holder_trgm')), 0);
END
$$;
