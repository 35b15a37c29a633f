-- The tickets' codes searched in a table of their own, so that an admission writes no trigram
-- entry (#14, benches/README.md "Session 10").
--
-- An admission rewrites its ticket's row (status, checked_in_at are indexed, so the new
-- version is never HOT) and every index of tickets takes an entry for it. The codes' trigram
-- index took about six, each on a random page: 155 of the 233 MB of WAL that 5,000
-- admissions wrote (pg_walinspect), and every scan's commit waits for the WAL before it.
-- Codes never change, so a table of codes is written once per ticket, by the statement that
-- inserts it, and an admission does not touch it.

SET LOCAL statement_timeout = 0;
-- No ticket may be sold between the copy below and the triggers that keep the table.
LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE ticket_codes (
    ticket_id bigint PRIMARY KEY,
    code      text NOT NULL
);
INSERT INTO ticket_codes (ticket_id, code) SELECT id, code FROM tickets ORDER BY id;
CREATE INDEX ticket_codes_trgm ON ticket_codes USING gin (lower(code) gin_trgm_ops);

-- Kept by the statements that insert and delete tickets (a sale or a seed inserts in one
-- statement; a purge deletes); trashed tickets keep theirs, as their codes stay theirs.
CREATE FUNCTION ticket_codes_add_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_codes (ticket_id, code) SELECT id, code FROM inserted_tickets;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_codes_on_insert AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS inserted_tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_codes_add_inserted();

CREATE FUNCTION ticket_codes_remove_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ticket_codes WHERE ticket_id IN (SELECT id FROM deleted_tickets);
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_codes_on_delete AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS deleted_tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_codes_remove_deleted();

-- boxoffice never changes a code; one changed by hand is followed (a trigger of the code
-- column: an admission does not fire it), and emptying tickets empties the codes.
CREATE FUNCTION ticket_codes_follow_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_codes SET code = NEW.code WHERE ticket_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_codes_on_code_change AFTER UPDATE OF code ON tickets
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code)
    EXECUTE FUNCTION ticket_codes_follow_change();

CREATE FUNCTION ticket_codes_empty() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE ticket_codes;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_codes_on_truncate AFTER TRUNCATE ON tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_codes_empty();

-- A seed of the earlier version stopped while building indexes may not have built this one
-- yet, and would build it at the next start: neither is wanted now.
DROP INDEX IF EXISTS tickets_code_trgm;
DELETE FROM seed_pending_indexes WHERE name = 'tickets_code_trgm';

-- Sales still add entries (to the codes' index now): merged off their path as before (0020).
CREATE OR REPLACE FUNCTION merge_ticket_search_entries() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('boxoffice_search_merge')) THEN
        RETURN 0;
    END IF;
    RETURN coalesce(gin_clean_pending_list(to_regclass('public.ticket_codes_trgm')), 0);
END
$$;

ANALYZE ticket_codes;
