-- An event's and a buyer's orders are found by index whether they are live or in the trash
-- (#14, benches/README.md "Session 17"), as 0031 did for tickets. Renaming an event copies
-- its title into every order of it, a buyer's new email or name into every order of theirs
-- (migrations 0002, 0029), trashed ones included, and purging an event has PostgreSQL check
-- that no order names it: none of these names a state, and both indexes held live orders
-- only, so each read all two million orders (at scale 1: 0.7 s to save an event's new
-- title, 0.2-0.4 s a buyer's new name). The indexes now hold every order, with its
-- `deleted_at`, so a read of live orders alone still needs no row (an index-only scan).

SET LOCAL statement_timeout = 0;

-- (A seed stopped while building indexes may have the earlier versions queued.)
DELETE FROM seed_pending_indexes WHERE name IN ('orders_event_idx', 'orders_user_idx');
DROP INDEX IF EXISTS orders_event_idx;
CREATE INDEX orders_event_idx ON orders (event_id, created_at, id) INCLUDE (deleted_at);
DROP INDEX IF EXISTS orders_user_idx;
CREATE INDEX orders_user_idx ON orders (user_id, created_at, id) INCLUDE (deleted_at);
