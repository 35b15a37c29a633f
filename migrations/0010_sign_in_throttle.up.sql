-- Wrong passwords per account (the email as typed, lower-cased: unknown emails are counted
-- too, so the throttle does not tell which accounts exist). Kept in the database so that
-- every terminal and every process counts the same failures.
CREATE TABLE sign_in_failures (
    account text PRIMARY KEY,
    failures integer NOT NULL CHECK (failures > 0),
    last_failed_at timestamptz NOT NULL,
    -- No attempt is checked before this time (NULL: no wait).
    wait_until timestamptz
);
