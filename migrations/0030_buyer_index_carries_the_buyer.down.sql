SET LOCAL statement_timeout = 0;

DELETE FROM seed_pending_indexes WHERE name = 'orders_buyer_email_idx';
DROP INDEX IF EXISTS orders_buyer_email_idx;
CREATE INDEX orders_buyer_email_idx ON orders (buyer_email, id)
    INCLUDE (code, created_at, status, total_cents, event_id, event_title, buyer_name)
    WHERE deleted_at IS NULL;
