DROP FUNCTION build_pending_seed_index();
DROP TABLE seed_pending_indexes;
