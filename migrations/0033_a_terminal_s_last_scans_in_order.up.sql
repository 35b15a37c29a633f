-- A terminal's last scans (the check-in screen's list) are read in their order from the
-- terminal's index, ties on the time broken by id (#14, benches/README.md "Session 17").
-- The index held (terminal, at) only, so for `ORDER BY at DESC, id DESC` PostgreSQL walked
-- every door's scans backwards by time until it met this terminal's: at scale 1, after
-- other doors had scanned a million tickets since this one's last scan, 5.1 s to open the
-- screen.

SET LOCAL statement_timeout = 0;

-- (A seed stopped while building indexes may have the earlier version queued.)
DELETE FROM seed_pending_indexes WHERE name = 'scans_terminal_at_idx';
DROP INDEX IF EXISTS scans_terminal_at_idx;
CREATE INDEX scans_terminal_at_idx ON scans (terminal, at DESC, id DESC);
