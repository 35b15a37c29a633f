-- SSH public keys that sign users in to `boxoffice serve`. A key is known by its SHA256
-- fingerprint (unique among keys in force); revoking keeps the row, for the audit trail.
CREATE TABLE user_keys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    fingerprint  text NOT NULL CHECK (fingerprint ~ '^SHA256:[A-Za-z0-9+/]{43}$'),
    public_key   text NOT NULL CHECK (length(public_key) BETWEEN 1 AND 16384),
    label        text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz
);
CREATE UNIQUE INDEX user_keys_fingerprint_live_key ON user_keys (fingerprint)
    WHERE revoked_at IS NULL AND deleted_at IS NULL;
CREATE INDEX user_keys_user_idx ON user_keys (user_id);

CREATE TRIGGER user_keys_touch BEFORE UPDATE ON user_keys
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Servers keep the keys in force in memory and reload them when a key changes.
CREATE TRIGGER user_keys_notify_insert AFTER INSERT ON user_keys REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER user_keys_notify_update AFTER UPDATE ON user_keys REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER user_keys_notify_delete AFTER DELETE ON user_keys REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
