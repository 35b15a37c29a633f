DROP INDEX IF EXISTS tickets_trash_batch_idx;
DROP INDEX IF EXISTS orders_trash_batch_idx;
DROP INDEX IF EXISTS ticket_types_trash_batch_idx;
DROP INDEX IF EXISTS events_trash_batch_idx;
ALTER TABLE tickets DROP COLUMN IF EXISTS trash_batch;
ALTER TABLE orders DROP COLUMN IF EXISTS trash_batch;
ALTER TABLE ticket_types DROP COLUMN IF EXISTS trash_batch;
ALTER TABLE events DROP COLUMN IF EXISTS trash_batch;
DROP TABLE IF EXISTS trash_batches;
