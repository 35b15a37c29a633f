ALTER TABLE tickets ALTER CONSTRAINT tickets_ticket_type_id_fkey NOT DEFERRABLE;
ALTER TABLE tickets ALTER CONSTRAINT tickets_checked_in_by_fkey NOT DEFERRABLE;
ALTER TABLE orders ALTER CONSTRAINT orders_event_id_fkey NOT DEFERRABLE;
ALTER TABLE audit_log ALTER CONSTRAINT audit_log_actor_id_fkey NOT DEFERRABLE;
ALTER TABLE scans ALTER CONSTRAINT scans_actor_id_fkey NOT DEFERRABLE;
