-- A search of Orders for a buyer's name reads the buyers from two indexes alone (#14,
-- benches/README.md "Session 11"):
-- - sorted by buyer, a common text's buyers are walked in email order with their searched
--   text (email and name) checked on each: the email index carries the name, so the walk
--   reads no user rows;
-- - in the other sorts, a name's orders (4,652 for the seed's most common) are found by
--   buyer and sorted: the buyer index carries what an order list shows and what its sorts
--   and its searched text use (309 MB against 120 at scale 1), so they are read without their
--   rows (an index-only scan; its key is unchanged, so it still sorts by buyer).

SET LOCAL statement_timeout = 0;

-- (A seed of an earlier version stopped while building indexes may have them queued.)
DELETE FROM seed_pending_indexes WHERE name IN ('users_email_order_idx', 'orders_buyer_email_idx');
DROP INDEX IF EXISTS users_email_order_idx;
CREATE INDEX users_email_order_idx ON users (email) INCLUDE (name);
DROP INDEX IF EXISTS orders_buyer_email_idx;
CREATE INDEX orders_buyer_email_idx ON orders (buyer_email, id)
    INCLUDE (code, created_at, status, total_cents, event_id, event_title, buyer_name)
    WHERE deleted_at IS NULL;
