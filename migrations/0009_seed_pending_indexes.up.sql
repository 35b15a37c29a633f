-- A large seed loads into tables without their secondary indexes and builds them after, on
-- two connections at once (one per core). What is still to build is kept here, so that an
-- interrupted seed is finished by the next start instead of leaving the tables unindexed.
CREATE TABLE seed_pending_indexes (
    position   integer PRIMARY KEY,
    name       text NOT NULL,
    definition text NOT NULL
);

-- Builds one pending index (the first no other connection is building) and returns its
-- name; NULL when none is left to take.
CREATE FUNCTION build_pending_seed_index() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    item seed_pending_indexes%ROWTYPE;
BEGIN
    SELECT * INTO item FROM seed_pending_indexes ORDER BY position
    FOR UPDATE SKIP LOCKED LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('statement_timeout', '0', true);
    PERFORM set_config('maintenance_work_mem', '512MB', true);
    -- Built once already (a retry after the connection broke after the build): skip it.
    IF to_regclass(item.name) IS NULL THEN
        EXECUTE item.definition;
    END IF;
    DELETE FROM seed_pending_indexes WHERE position = item.position;
    RETURN item.name;
END
$$;
