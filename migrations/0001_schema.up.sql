-- The core schema of DESIGN.md: every table carries id, created_at, updated_at (kept by a
-- trigger) and deleted_at (soft delete); uniqueness holds among live rows only.

CREATE TYPE user_role AS ENUM ('admin', 'organizer', 'support', 'staff', 'customer');
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'cancelled', 'refunded');
CREATE TYPE ticket_status AS ENUM ('valid', 'checked_in', 'cancelled');
CREATE TYPE scan_result AS ENUM
    ('admitted', 'already_used', 'cancelled', 'not_paid', 'unknown', 'wrong_event');

CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND length(email) <= 254),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role          user_role NOT NULL DEFAULT 'customer',
    password_hash text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz
);
CREATE UNIQUE INDEX users_email_live_key ON users (lower(email)) WHERE deleted_at IS NULL;
CREATE INDEX users_name_idx ON users (name, id) WHERE deleted_at IS NULL;

CREATE TABLE events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organizer_id bigint NOT NULL REFERENCES users (id),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    venue        text NOT NULL CHECK (length(venue) BETWEEN 1 AND 200),
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL,
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz,
    CONSTRAINT events_dates_in_order CHECK (ends_at > starts_at)
);
CREATE INDEX events_starts_at_idx ON events (starts_at, id) WHERE deleted_at IS NULL;
CREATE INDEX events_title_idx ON events (title, id) WHERE deleted_at IS NULL;
CREATE INDEX events_venue_idx ON events (venue, id) WHERE deleted_at IS NULL;
CREATE INDEX events_organizer_idx ON events (organizer_id, starts_at, id) WHERE deleted_at IS NULL;

CREATE TABLE ticket_types (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     bigint NOT NULL REFERENCES events (id),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    price_cents  bigint NOT NULL CHECK (price_cents >= 0),
    quantity     integer NOT NULL CHECK (quantity >= 0),
    -- Seats taken by live tickets (valid or checked in). Kept beside the capacity so that a
    -- sale can reserve seats with one conditional UPDATE; the CHECK makes overselling
    -- impossible whatever the application does.
    sold         integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
    sales_start  timestamptz,
    sales_end    timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz,
    CONSTRAINT ticket_types_not_oversold CHECK (sold <= quantity),
    CONSTRAINT ticket_types_sales_window_in_order
        CHECK (sales_start IS NULL OR sales_end IS NULL OR sales_end > sales_start)
);
CREATE UNIQUE INDEX ticket_types_name_live_key
    ON ticket_types (event_id, lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE orders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL CHECK (length(code) BETWEEN 4 AND 20),
    user_id     bigint NOT NULL REFERENCES users (id),
    event_id    bigint NOT NULL REFERENCES events (id),
    status      order_status NOT NULL DEFAULT 'pending',
    total_cents bigint NOT NULL DEFAULT 0 CHECK (total_cents >= 0),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);
CREATE UNIQUE INDEX orders_code_live_key ON orders (code) WHERE deleted_at IS NULL;
CREATE INDEX orders_created_at_idx ON orders (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX orders_status_idx ON orders (status, id) WHERE deleted_at IS NULL;
CREATE INDEX orders_total_idx ON orders (total_cents, id) WHERE deleted_at IS NULL;
CREATE INDEX orders_event_idx ON orders (event_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX orders_user_idx ON orders (user_id, created_at, id) WHERE deleted_at IS NULL;

CREATE TABLE tickets (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code           text NOT NULL CHECK (length(code) BETWEEN 4 AND 20),
    order_id       bigint NOT NULL REFERENCES orders (id),
    ticket_type_id bigint NOT NULL REFERENCES ticket_types (id),
    holder_name    text NOT NULL DEFAULT '' CHECK (length(holder_name) <= 200),
    status         ticket_status NOT NULL DEFAULT 'valid',
    checked_in_at  timestamptz,
    checked_in_by  bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz,
    CONSTRAINT tickets_check_in_recorded
        CHECK ((status = 'checked_in') = (checked_in_at IS NOT NULL))
);
CREATE UNIQUE INDEX tickets_code_live_key ON tickets (code) WHERE deleted_at IS NULL;
CREATE INDEX tickets_order_idx ON tickets (order_id, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_type_idx ON tickets (ticket_type_id, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_holder_idx ON tickets (holder_name, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_status_idx ON tickets (status, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_checked_in_idx
    ON tickets ((coalesce(checked_in_at, 'infinity')), id) WHERE deleted_at IS NULL;

CREATE TABLE scans (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  bigint REFERENCES tickets (id),
    code       text NOT NULL CHECK (length(code) <= 200),
    result     scan_result NOT NULL,
    terminal   text NOT NULL CHECK (length(terminal) <= 100),
    actor_id   bigint REFERENCES users (id),
    at         timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX scans_ticket_idx ON scans (ticket_id, at);
CREATE INDEX scans_at_idx ON scans (at, id);

CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor_id   bigint REFERENCES users (id),
    action     text NOT NULL,
    entity     text NOT NULL,
    entity_id  bigint NOT NULL,
    before     jsonb,
    after      jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at);

CREATE TRIGGER users_touch BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER events_touch BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER ticket_types_touch BEFORE UPDATE ON ticket_types
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER tickets_touch BEFORE UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER scans_touch BEFORE UPDATE ON scans
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER audit_log_touch BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
