-- Each event keeps its own clock: an IANA time zone (checked against the tz database by the
-- app when saved). Existing events, and events inserted without one, get the process's
-- configured default zone (each boxoffice connection sets boxoffice.default_time_zone),
-- else UTC.
ALTER TABLE events
    ADD COLUMN time_zone text NOT NULL
        DEFAULT COALESCE(NULLIF(current_setting('boxoffice.default_time_zone', true), ''), 'UTC')
        CHECK (length(time_zone) BETWEEN 1 AND 64);
