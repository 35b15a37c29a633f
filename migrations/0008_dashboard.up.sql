-- The dashboard's aggregates, read from indexes alone at the benchmark scale: sales per day
-- of a set of events (revenue from the orders, tickets from the tickets, both by creation
-- time) and the refunds of a day.
CREATE INDEX orders_event_sales_idx ON orders (event_id, created_at)
    INCLUDE (status, total_cents) WHERE deleted_at IS NULL;
CREATE INDEX orders_refunded_at_idx ON orders (updated_at)
    INCLUDE (event_id, total_cents) WHERE deleted_at IS NULL AND status = 'refunded';
CREATE INDEX tickets_type_sold_idx ON tickets (ticket_type_id, created_at)
    WHERE deleted_at IS NULL AND status <> 'cancelled';
