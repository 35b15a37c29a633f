SET LOCAL statement_timeout = 0;

DELETE FROM seed_pending_indexes WHERE name IN ('buyer_texts_trgm', 'buyer_texts_email_idx');

CREATE INDEX users_buyer_search_trgm ON users
    USING gin (lower(email || ' ' || name) gin_trgm_ops);
CREATE INDEX users_email_order_idx ON users (email) INCLUDE (name);
CREATE STATISTICS users_buyer_search_stats ON (lower((email || ' ') || name)) FROM users;
ALTER STATISTICS users_buyer_search_stats SET STATISTICS 1000;

DROP TRIGGER buyer_texts_on_truncate ON users;
DROP FUNCTION buyer_texts_empty();
CREATE OR REPLACE FUNCTION users_propagate_copies() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orders SET buyer_email = NEW.email, buyer_name = NEW.name WHERE user_id = NEW.id;
    RETURN NULL;
END
$$;
ALTER TRIGGER users_propagate_copies ON users RENAME TO users_propagate_to_orders;
ALTER FUNCTION users_propagate_copies() RENAME TO users_propagate_to_orders;
DROP TRIGGER buyer_texts_on_delete ON users;
DROP FUNCTION buyer_texts_remove_deleted();
DROP TRIGGER buyer_texts_on_insert ON users;
DROP FUNCTION buyer_texts_add_inserted();
DROP TABLE buyer_texts;

ANALYZE users;
