-- The tickets of an order or of a ticket type are found by index whether they are live or in
-- the trash (#14, benches/README.md "Session 17"). Both indexes held live tickets only, and
-- three lookups name no state: PostgreSQL's own check, when an order or a ticket type is
-- deleted (a purge), that no ticket still names it, and the count of every ticket of a type
-- before it goes to the trash. Each read all the tickets instead: at scale 1, 0.4 s for
-- every order purged, so purging an event of a hundred orders ran past the 30 s statement
-- timeout, and 1.0 s to trash a ticket type. The same indexes without the condition serve
-- the live lookups as before (the few trashed tickets in them are skipped), and an
-- admission or a sale writes no more entries than it did.

SET LOCAL statement_timeout = 0;

-- (A seed stopped while building indexes may have the earlier versions queued.)
DELETE FROM seed_pending_indexes WHERE name IN ('tickets_order_idx', 'tickets_type_idx');
DROP INDEX IF EXISTS tickets_order_idx;
CREATE INDEX tickets_order_idx ON tickets (order_id, id);
DROP INDEX IF EXISTS tickets_type_idx;
CREATE INDEX tickets_type_idx ON tickets (ticket_type_id, id);
