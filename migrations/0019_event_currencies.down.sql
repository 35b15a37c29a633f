ALTER TABLE events DROP COLUMN currency;
