SET LOCAL statement_timeout = 0;

DELETE FROM seed_pending_indexes WHERE name IN ('users_email_order_idx', 'orders_buyer_email_idx');
DROP INDEX IF EXISTS users_email_order_idx;
CREATE INDEX users_email_order_idx ON users (email);
DROP INDEX IF EXISTS orders_buyer_email_idx;
CREATE INDEX orders_buyer_email_idx ON orders (buyer_email, id) WHERE deleted_at IS NULL;
