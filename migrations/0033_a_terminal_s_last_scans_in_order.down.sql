SET LOCAL statement_timeout = 0;

DELETE FROM seed_pending_indexes WHERE name = 'scans_terminal_at_idx';
DROP INDEX IF EXISTS scans_terminal_at_idx;
CREATE INDEX scans_terminal_at_idx ON scans (terminal, at DESC);
