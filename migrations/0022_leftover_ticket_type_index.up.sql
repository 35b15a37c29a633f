-- tickets (ticket_type_id, code) served the first `type:` filter, which matched type ids and
-- sorted by code; the filter now matches the copied type_name (tickets_type_name_idx), and
-- lookups by type use tickets_type_idx. Every admission and sale still wrote it (196 MB at
-- scale 1, one of the pages an admission's WAL carries whole: benches/README.md "Session 9").
DROP INDEX tickets_ticket_type_code_idx;
