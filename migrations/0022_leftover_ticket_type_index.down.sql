SET LOCAL statement_timeout = 0;
CREATE INDEX tickets_ticket_type_code_idx ON tickets (ticket_type_id, code) WHERE deleted_at IS NULL;
