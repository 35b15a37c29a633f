-- A search's matches, found through the holders' names and sorted by another column, are
-- read from the holder index alone (an index-only scan) rather than from their rows: a name
-- on 10,000 tickets was 9,586 pages of tickets, 860 of this index (#14, benches/README.md
-- "Session 10"). The index carries what a ticket list shows, which is also what its sorts
-- and its searched text use; its key is unchanged, so it still sorts by holder.

SET LOCAL statement_timeout = 0;

-- (A seed of the earlier version stopped while building indexes may have it queued.)
DELETE FROM seed_pending_indexes WHERE name = 'tickets_holder_idx';
DROP INDEX IF EXISTS tickets_holder_idx;
CREATE INDEX tickets_holder_idx ON tickets (holder_name, id)
    INCLUDE (code, status, type_name, order_code, checked_in_at) WHERE deleted_at IS NULL;
