-- The buyers' searched text in a narrow table of its own, laid out in email order (#14,
-- benches/README.md "Session 16").
--
-- A search of Orders finds its buyers by the trigram index on their text (email and name),
-- and every match found that way is read back from its row for the check (a trigram index
-- only narrows). On the users' table those rows lie in the order the users came, so a
-- first name (25,250 buyers at scale 1) read 6,914 pages and computed the text again for
-- each (45-80 ms before the first order). Here the text is stored, the rows are few bytes
-- wide, and they are written in email order (the table now, each later statement's users
-- sorted): buyers whose emails start alike share pages, and the walk in email order reads
-- one index that carries the text.

SET LOCAL statement_timeout = 0;
-- No user may be added or renamed between the copy below and the triggers that keep it.
LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE buyer_texts (
    user_id  bigint PRIMARY KEY,
    email    text NOT NULL,
    -- What an order's searched text holds after its code: lower(email || ' ' || name).
    searched text NOT NULL
);
INSERT INTO buyer_texts (user_id, email, searched)
SELECT id, email, lower(email || ' ' || name) FROM users ORDER BY email, id;
CREATE INDEX buyer_texts_trgm ON buyer_texts USING gin (searched gin_trgm_ops);
CREATE INDEX buyer_texts_email_idx ON buyer_texts (email) INCLUDE (searched);
-- How many buyers a text matches, for the choice between walking them in order and looking
-- them up (the statistics the users' expression had, migration 0023).
ALTER TABLE buyer_texts ALTER COLUMN searched SET STATISTICS 1000;

-- Kept by the statements that insert and delete users (a seed inserts its users in one),
-- each statement's users added in email order; and by a change of email or name, below
-- (trashed users keep theirs, as their orders keep their copies).
CREATE FUNCTION buyer_texts_add_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO buyer_texts (user_id, email, searched)
    SELECT id, email, lower(email || ' ' || name) FROM inserted_users ORDER BY email, id;
    RETURN NULL;
END
$$;
CREATE TRIGGER buyer_texts_on_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS inserted_users
    FOR EACH STATEMENT EXECUTE FUNCTION buyer_texts_add_inserted();

CREATE FUNCTION buyer_texts_remove_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM buyer_texts WHERE user_id IN (SELECT id FROM deleted_users);
    RETURN NULL;
END
$$;
CREATE TRIGGER buyer_texts_on_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS deleted_users
    FOR EACH STATEMENT EXECUTE FUNCTION buyer_texts_remove_deleted();

-- A change of email or name already reaches the orders' copies through migration 0002's
-- trigger: that one trigger now updates every copy of them, renamed to say so.
ALTER FUNCTION users_propagate_to_orders() RENAME TO users_propagate_copies;
ALTER TRIGGER users_propagate_to_orders ON users RENAME TO users_propagate_copies;
CREATE OR REPLACE FUNCTION users_propagate_copies() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orders SET buyer_email = NEW.email, buyer_name = NEW.name WHERE user_id = NEW.id;
    UPDATE buyer_texts SET email = NEW.email, searched = lower(NEW.email || ' ' || NEW.name)
    WHERE user_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE FUNCTION buyer_texts_empty() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE buyer_texts;
    RETURN NULL;
END
$$;
CREATE TRIGGER buyer_texts_on_truncate AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION buyer_texts_empty();

-- The users' own indexes for this search go (a seed of an earlier version stopped while
-- building indexes may have them queued).
DELETE FROM seed_pending_indexes
WHERE name IN ('users_buyer_search_trgm', 'users_email_order_idx');
DROP INDEX IF EXISTS users_buyer_search_trgm;
DROP INDEX IF EXISTS users_email_order_idx;
DROP STATISTICS IF EXISTS users_buyer_search_stats;

ANALYZE buyer_texts;
