-- A person's own zone for the times that are no event's (orders, scans, audit, trash);
-- NULL: the configured default.
ALTER TABLE users
    ADD COLUMN time_zone text CHECK (time_zone IS NULL OR length(time_zone) BETWEEN 1 AND 64);
