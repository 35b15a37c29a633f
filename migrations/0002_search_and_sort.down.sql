SET LOCAL statement_timeout = 0;

DROP INDEX IF EXISTS tickets_holder_trgm;
DROP INDEX IF EXISTS tickets_search_trgm;
DROP INDEX IF EXISTS orders_search_trgm;
DROP INDEX IF EXISTS events_search_trgm;
DROP INDEX IF EXISTS tickets_ticket_type_code_idx;
DROP INDEX IF EXISTS orders_status_created_idx;
DROP INDEX IF EXISTS tickets_order_code_idx;
DROP INDEX IF EXISTS tickets_type_name_idx;
DROP INDEX IF EXISTS orders_event_title_idx;
DROP INDEX IF EXISTS orders_buyer_email_idx;

DROP TRIGGER IF EXISTS orders_propagate_to_tickets ON orders;
DROP TRIGGER IF EXISTS ticket_types_propagate_to_tickets ON ticket_types;
DROP TRIGGER IF EXISTS events_propagate_to_orders ON events;
DROP TRIGGER IF EXISTS users_propagate_to_orders ON users;
DROP TRIGGER IF EXISTS tickets_copy_references ON tickets;
DROP TRIGGER IF EXISTS orders_copy_references ON orders;
DROP FUNCTION IF EXISTS orders_propagate_to_tickets();
DROP FUNCTION IF EXISTS ticket_types_propagate_to_tickets();
DROP FUNCTION IF EXISTS events_propagate_to_orders();
DROP FUNCTION IF EXISTS users_propagate_to_orders();
DROP FUNCTION IF EXISTS tickets_copy_references();
DROP FUNCTION IF EXISTS orders_copy_references();

ALTER TABLE tickets DROP COLUMN IF EXISTS order_code, DROP COLUMN IF EXISTS type_name;
ALTER TABLE orders
    DROP COLUMN IF EXISTS event_title,
    DROP COLUMN IF EXISTS buyer_name,
    DROP COLUMN IF EXISTS buyer_email;

DROP EXTENSION IF EXISTS pg_trgm;
