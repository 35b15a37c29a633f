SET LOCAL statement_timeout = 0;

DELETE FROM seed_pending_indexes WHERE name IN ('tickets_order_idx', 'tickets_type_idx');
DROP INDEX IF EXISTS tickets_order_idx;
CREATE INDEX tickets_order_idx ON tickets (order_id, id) WHERE deleted_at IS NULL;
DROP INDEX IF EXISTS tickets_type_idx;
CREATE INDEX tickets_type_idx ON tickets (ticket_type_id, id) WHERE deleted_at IS NULL;
