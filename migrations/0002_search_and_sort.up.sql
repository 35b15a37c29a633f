-- Search and sort at millions of rows (issue: filter prompts, search and sort).
--
-- Every visible column of every list must sort through an index, and substring search must
-- not scan millions of rows. Sorting orders by buyer or event, and tickets by type or order,
-- would need a join and a sort of every row; so those values are copied onto the rows that
-- list them, kept in step by triggers (writes to them are rare; reads are constant), and
-- indexed like any other column. Substring search uses pg_trgm GIN indexes.

-- Backfilling millions of rows takes longer than the app's statement timeout.
SET LOCAL statement_timeout = 0;

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE orders
    ADD COLUMN buyer_email text NOT NULL DEFAULT '',
    ADD COLUMN buyer_name  text NOT NULL DEFAULT '',
    ADD COLUMN event_title text NOT NULL DEFAULT '';
ALTER TABLE tickets
    ADD COLUMN type_name  text NOT NULL DEFAULT '',
    ADD COLUMN order_code text NOT NULL DEFAULT '';

-- Backfill without touching updated_at (it records edits, and this is none).
ALTER TABLE orders DISABLE TRIGGER orders_touch;
UPDATE orders o
SET buyer_email = u.email, buyer_name = u.name, event_title = e.title
FROM users u, events e
WHERE u.id = o.user_id AND e.id = o.event_id;
ALTER TABLE orders ENABLE TRIGGER orders_touch;

ALTER TABLE tickets DISABLE TRIGGER tickets_touch;
UPDATE tickets t
SET type_name = tt.name, order_code = o.code
FROM ticket_types tt, orders o
WHERE tt.id = t.ticket_type_id AND o.id = t.order_id;
ALTER TABLE tickets ENABLE TRIGGER tickets_touch;

-- Copies are taken when a row is written...
CREATE FUNCTION orders_copy_references() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT email, name INTO NEW.buyer_email, NEW.buyer_name FROM users WHERE id = NEW.user_id;
    SELECT title INTO NEW.event_title FROM events WHERE id = NEW.event_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER orders_copy_references BEFORE INSERT OR UPDATE OF user_id, event_id ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_copy_references();

CREATE FUNCTION tickets_copy_references() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT name INTO NEW.type_name FROM ticket_types WHERE id = NEW.ticket_type_id;
    SELECT code INTO NEW.order_code FROM orders WHERE id = NEW.order_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER tickets_copy_references BEFORE INSERT OR UPDATE OF ticket_type_id, order_id ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_copy_references();

-- ...and follow the original when it changes.
CREATE FUNCTION users_propagate_to_orders() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orders SET buyer_email = NEW.email, buyer_name = NEW.name WHERE user_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_propagate_to_orders AFTER UPDATE OF email, name ON users
    FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION users_propagate_to_orders();

CREATE FUNCTION events_propagate_to_orders() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orders SET event_title = NEW.title WHERE event_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_propagate_to_orders AFTER UPDATE OF title ON events
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title)
    EXECUTE FUNCTION events_propagate_to_orders();

CREATE FUNCTION ticket_types_propagate_to_tickets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets SET type_name = NEW.name WHERE ticket_type_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_types_propagate_to_tickets AFTER UPDATE OF name ON ticket_types
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION ticket_types_propagate_to_tickets();

CREATE FUNCTION orders_propagate_to_tickets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets SET order_code = NEW.code WHERE order_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER orders_propagate_to_tickets AFTER UPDATE OF code ON orders
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code)
    EXECUTE FUNCTION orders_propagate_to_tickets();

-- Sorts on the copied columns (the others have theirs since 0001).
CREATE INDEX orders_buyer_email_idx ON orders (buyer_email, id) WHERE deleted_at IS NULL;
CREATE INDEX orders_event_title_idx ON orders (event_title, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_type_name_idx ON tickets (type_name, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_order_code_idx ON tickets (order_code, id) WHERE deleted_at IS NULL;

-- Filters that pick few rows, for every sort: the planner reads them by these and sorts the
-- few, instead of walking a sort index past millions of rows that do not match.
CREATE INDEX orders_status_created_idx ON orders (status, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_ticket_type_code_idx ON tickets (ticket_type_id, code) WHERE deleted_at IS NULL;

-- Substring search: free words and the venue / holder keys.
CREATE INDEX events_search_trgm ON events
    USING gin (lower(title || ' ' || venue) gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX orders_search_trgm ON orders
    USING gin (lower(code || ' ' || buyer_email || ' ' || buyer_name) gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX tickets_search_trgm ON tickets
    USING gin (lower(code || ' ' || holder_name) gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX tickets_holder_trgm ON tickets
    USING gin (lower(holder_name) gin_trgm_ops) WHERE deleted_at IS NULL;
