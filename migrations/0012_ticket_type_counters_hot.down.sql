ALTER TABLE ticket_types RESET (fillfactor);
