SET LOCAL statement_timeout = 0;

DELETE FROM seed_pending_indexes WHERE name IN ('orders_event_idx', 'orders_user_idx');
DROP INDEX IF EXISTS orders_event_idx;
CREATE INDEX orders_event_idx ON orders (event_id, created_at, id) WHERE deleted_at IS NULL;
DROP INDEX IF EXISTS orders_user_idx;
CREATE INDEX orders_user_idx ON orders (user_id, created_at, id) WHERE deleted_at IS NULL;
