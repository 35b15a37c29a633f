-- Each event sells in one currency (ISO 4217, checked against the list by the app when
-- saved). Existing events, and events inserted without one, get the process's configured
-- default currency (each boxoffice connection sets boxoffice.default_currency), else EUR.
ALTER TABLE events
    ADD COLUMN currency text NOT NULL
        DEFAULT COALESCE(NULLIF(current_setting('boxoffice.default_currency', true), ''), 'EUR')
        CHECK (currency ~ '^[A-Z]{3}$');
