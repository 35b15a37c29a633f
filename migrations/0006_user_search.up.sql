-- Finding users in the admin's user picker: an email prefix through a pattern-ordered index
-- (the unique index's collation order cannot serve LIKE 'prefix%'), and a name fragment
-- through trigrams (pg_trgm is installed by 0002).
CREATE INDEX users_email_pattern_idx ON users (lower(email) text_pattern_ops)
    WHERE deleted_at IS NULL;
CREATE INDEX users_name_trgm_idx ON users USING gin (lower(name) gin_trgm_ops)
    WHERE deleted_at IS NULL;
