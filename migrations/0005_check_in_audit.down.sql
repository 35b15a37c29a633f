-- Back to the check-in of 0003, which logs admissions in `scans` only.

CREATE OR REPLACE FUNCTION check_in_ticket(
    p_code text,
    p_terminal text,
    p_actor bigint,
    p_event bigint,
    p_organizer bigint,
    p_scan_key text,
    OUT o_result scan_result,
    OUT o_ticket bigint,
    OUT o_event bigint,
    OUT o_at timestamptz,
    OUT o_terminal text,
    OUT o_replayed boolean
)
LANGUAGE plpgsql AS $$
DECLARE
    v_ticket tickets%ROWTYPE;
    v_order_status order_status;
    v_organizer bigint;
BEGIN
    o_replayed := false;
    IF p_scan_key IS NOT NULL THEN
        SELECT s.result, s.ticket_id, s.at INTO o_result, o_ticket, o_at
        FROM scans s WHERE s.terminal = p_terminal AND s.scan_key = p_scan_key;
        IF FOUND THEN
            o_replayed := true;
            o_terminal := p_terminal;
            SELECT o.event_id INTO o_event
            FROM tickets t JOIN orders o ON o.id = t.order_id WHERE t.id = o_ticket;
            RETURN;
        END IF;
    END IF;

    SELECT t.* INTO v_ticket FROM tickets t
    WHERE t.code = p_code AND t.deleted_at IS NULL
    FOR UPDATE;
    IF NOT FOUND THEN
        o_result := 'unknown';
    ELSE
        o_ticket := v_ticket.id;
        SELECT o.status, o.event_id, e.organizer_id INTO v_order_status, o_event, v_organizer
        FROM orders o JOIN events e ON e.id = o.event_id
        WHERE o.id = v_ticket.order_id;
        IF (p_event IS NOT NULL AND o_event <> p_event)
           OR (p_organizer IS NOT NULL AND v_organizer <> p_organizer) THEN
            o_result := 'wrong_event';
        ELSIF v_ticket.status = 'cancelled' THEN
            o_result := 'cancelled';
        ELSIF v_order_status <> 'paid' THEN
            o_result := 'not_paid';
        ELSIF v_ticket.status = 'checked_in' THEN
            o_result := 'already_used';
            o_at := v_ticket.checked_in_at;
            SELECT s.terminal INTO o_terminal FROM scans s
            WHERE s.ticket_id = v_ticket.id AND s.result = 'admitted'
            ORDER BY s.at DESC, s.id DESC LIMIT 1;
        ELSE
            o_at := clock_timestamp();
            UPDATE tickets
            SET status = 'checked_in', checked_in_at = o_at, checked_in_by = p_actor
            WHERE id = v_ticket.id;
            o_result := 'admitted';
            o_terminal := p_terminal;
        END IF;
    END IF;

    INSERT INTO scans (ticket_id, code, result, terminal, actor_id, scan_key, at)
    VALUES (o_ticket, left(p_code, 200), o_result, p_terminal, p_actor, p_scan_key, clock_timestamp())
    ON CONFLICT (terminal, scan_key) WHERE scan_key IS NOT NULL DO NOTHING;
    IF NOT FOUND THEN
        -- The same scan, retried concurrently, was recorded first: give its answer.
        SELECT s.result, s.at INTO o_result, o_at
        FROM scans s WHERE s.terminal = p_terminal AND s.scan_key = p_scan_key;
        o_replayed := true;
    END IF;
END
$$;
