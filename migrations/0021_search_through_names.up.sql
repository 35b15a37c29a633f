-- Search through the names, not through every row (#14, benches/README.md "Session 9").
--
-- A ticket's searched text is its code and its holder's name; an order's, its code and its
-- buyer's email and name. Codes are unique, names repeat: at scale 1 five million tickets
-- carry a few hundred names, so every trigram of a name stands for 200k tickets and a
-- trigram index over the whole text had to intersect lists that long (60-200 ms for a name
-- on 10k tickets). Now a search finds the few names that match in a small table, then the
-- rows that carry them through the btree that also sorts by that column (in the holder's or
-- the buyer's order it stops after a page); codes have a trigram index of their own. The
-- searched text is still checked on every row found, so the result is exactly what it was.

SET LOCAL statement_timeout = 0;

-- Every holder name a ticket has carried (never shrinks: a name no live ticket carries only
-- finds no rows).
CREATE TABLE ticket_holder_names (
    name text PRIMARY KEY
);
INSERT INTO ticket_holder_names (name) SELECT DISTINCT holder_name FROM tickets;
CREATE INDEX ticket_holder_names_trgm ON ticket_holder_names USING gin (lower(name) gin_trgm_ops);

-- Kept by the statement that inserts tickets (one insert for a whole seed or sale), and by
-- the rare update that renames a holder; an admission changes no name and fires nothing.
CREATE FUNCTION ticket_holder_names_add_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_holder_names (name)
    SELECT DISTINCT holder_name FROM inserted_tickets
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_holder_names_on_insert AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS inserted_tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_holder_names_add_inserted();

CREATE FUNCTION ticket_holder_names_add_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_holder_names (name) VALUES (NEW.holder_name) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_holder_names_on_rename AFTER UPDATE OF holder_name ON tickets
    FOR EACH ROW WHEN (OLD.holder_name IS DISTINCT FROM NEW.holder_name)
    EXECUTE FUNCTION ticket_holder_names_add_renamed();

-- An order's buyer text is its user's (copied by the triggers of 0002): the users are the
-- orders' table of names. Trashed users too, since their orders keep their copies.
CREATE INDEX users_buyer_search_trgm ON users
    USING gin (lower(email || ' ' || name) gin_trgm_ops);

-- The codes' own trigram indexes, in place of the whole-text ones.
CREATE INDEX tickets_code_trgm ON tickets
    USING gin (lower(code) gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX orders_code_trgm ON orders
    USING gin (lower(code) gin_trgm_ops) WHERE deleted_at IS NULL;
DROP INDEX tickets_search_trgm;
DROP INDEX tickets_holder_trgm;
DROP INDEX orders_search_trgm;

-- The tickets' one trigram index now is the codes'; merged off the door as before (0020).
CREATE OR REPLACE FUNCTION merge_ticket_search_entries() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('boxoffice_search_merge')) THEN
        RETURN 0;
    END IF;
    RETURN coalesce(gin_clean_pending_list(to_regclass('public.tickets_code_trgm')), 0);
END
$$;

ANALYZE ticket_holder_names;
