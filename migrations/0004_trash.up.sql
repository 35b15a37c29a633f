-- The trash: a delete moves a row and its children out of sight in one batch; restoring the
-- batch brings back exactly those rows.

CREATE TABLE trash_batches (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('event', 'ticket_type', 'order', 'ticket', 'user')),
    entity_id  bigint NOT NULL,
    label      text NOT NULL,
    -- What went with it: {"ticket_types": 2, "orders": 40, "tickets": 97}.
    children   jsonb NOT NULL DEFAULT '{}',
    -- The event the batch belongs to (organizers see the trash of their own events).
    event_id   bigint REFERENCES events (id) ON DELETE SET NULL,
    deleted_by bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX trash_batches_newest_idx ON trash_batches (created_at DESC, id DESC);
CREATE TRIGGER trash_batches_touch BEFORE UPDATE ON trash_batches
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

ALTER TABLE events ADD COLUMN trash_batch bigint REFERENCES trash_batches (id) ON DELETE SET NULL;
ALTER TABLE ticket_types ADD COLUMN trash_batch bigint REFERENCES trash_batches (id) ON DELETE SET NULL;
ALTER TABLE orders ADD COLUMN trash_batch bigint REFERENCES trash_batches (id) ON DELETE SET NULL;
ALTER TABLE tickets ADD COLUMN trash_batch bigint REFERENCES trash_batches (id) ON DELETE SET NULL;
CREATE INDEX events_trash_batch_idx ON events (trash_batch) WHERE trash_batch IS NOT NULL;
CREATE INDEX ticket_types_trash_batch_idx ON ticket_types (trash_batch) WHERE trash_batch IS NOT NULL;
CREATE INDEX orders_trash_batch_idx ON orders (trash_batch) WHERE trash_batch IS NOT NULL;
CREATE INDEX tickets_trash_batch_idx ON tickets (trash_batch) WHERE trash_batch IS NOT NULL;
