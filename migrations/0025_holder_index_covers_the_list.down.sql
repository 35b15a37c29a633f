SET LOCAL statement_timeout = 0;

DELETE FROM seed_pending_indexes WHERE name = 'tickets_holder_idx';
DROP INDEX IF EXISTS tickets_holder_idx;
CREATE INDEX tickets_holder_idx ON tickets (holder_name, id) WHERE deleted_at IS NULL;
