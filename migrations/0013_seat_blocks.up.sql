-- Sales of one popular ticket type all added to one counter row, and waited on each other's
-- row lock until commit: about 200-400 orders/s at most on this kind of machine, however many
-- buyers. Seats are now handed out in small blocks: `ticket_types.sold` counts the seats
-- handed out (to orders directly, or to a block), its CHECK (sold <= quantity) still makes
-- overselling impossible, and each type has up to 8 blocks (slots) whose `room` is seats
-- handed out but not yet sold. A sale takes its seats from the room of one slot, chosen at
-- random, so 32 buyers wait on 8 rows instead of 1. Seats sold = sold - the blocks' room.
CREATE TABLE ticket_type_blocks (
    ticket_type_id bigint NOT NULL REFERENCES ticket_types (id) ON DELETE CASCADE,
    slot smallint NOT NULL CHECK (slot >= 0 AND slot < 8),
    room integer NOT NULL CHECK (room >= 0),
    PRIMARY KEY (ticket_type_id, slot)
) WITH (fillfactor = 50);

-- Blocks with room: the few that the figures of "seats sold" subtract.
CREATE INDEX ticket_type_blocks_room_idx ON ticket_type_blocks (ticket_type_id) INCLUDE (room)
    WHERE room > 0;

-- Seats sold of a ticket type: handed out, less the room still in its blocks.
CREATE FUNCTION seats_sold(p_type bigint, p_handed_out integer) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT p_handed_out - coalesce((SELECT sum(room)::integer FROM ticket_type_blocks
                                    WHERE ticket_type_id = p_type AND room > 0), 0)
$$;

-- Takes `p_n` seats of a live type of event `p_event`; false when fewer are left. Lock order,
-- so that no two sales or edits wait on each other in a circle: a sale served from its
-- slot's room locks that slot only and waits for nothing else of the type; anything that
-- needs the type's row locks it first and the slots after (all of them in slot order when
-- it gathers their room). An order's lines are taken in ticket type order. Rows are locked
-- FOR NO KEY UPDATE: a sale's new tickets hold a key-share lock on their type (the foreign
-- key) until commit, which FOR UPDATE would wait for.
CREATE FUNCTION take_seats(p_type bigint, p_event bigint, p_n integer) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_slot smallint := floor(random() * 8)::smallint;
    v_left integer;
    v_block integer;
    v_room integer;
BEGIN
    IF p_n <= 0 THEN
        RETURN false;
    END IF;
    -- Most sales: seats from the slot's room. In a block of its own: an UPDATE that waited
    -- for a slot and then found too little room still holds the slot's lock, and would hold
    -- it while waiting for the type below; rolling the block back lets it go.
    BEGIN
        UPDATE ticket_type_blocks SET room = room - p_n
         WHERE ticket_type_id = p_type AND slot = v_slot AND room >= p_n;
        IF FOUND THEN
            RETURN true;
        END IF;
        RAISE no_data_found;
    EXCEPTION WHEN no_data_found THEN
        NULL;
    END;
    -- A new block for the slot: the type first.
    SELECT quantity - sold INTO v_left FROM ticket_types
     WHERE id = p_type AND event_id = p_event AND deleted_at IS NULL FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF v_left < p_n THEN
        -- Nearly sold out: every slot's room back to the type, then count again.
        v_room := return_block_room(p_type);
        v_left := v_left + v_room;
        IF v_left < p_n THEN
            RETURN false;
        END IF;
    END IF;
    v_block := least(v_left, greatest(p_n, 16));
    UPDATE ticket_types SET sold = sold + v_block WHERE id = p_type;
    INSERT INTO ticket_type_blocks (ticket_type_id, slot, room)
    VALUES (p_type, v_slot, v_block - p_n)
    ON CONFLICT (ticket_type_id, slot) DO UPDATE SET room = ticket_type_blocks.room + excluded.room;
    RETURN true;
END
$$;

-- Gives the room of every block of a type back to the type (when it is nearly sold out, or
-- before its capacity is edited): the type's row locked first, then every slot in slot
-- order. Returns the seats given back.
CREATE FUNCTION return_block_room(p_type bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_room integer;
BEGIN
    PERFORM 1 FROM ticket_types WHERE id = p_type FOR NO KEY UPDATE;
    SELECT coalesce(sum(room), 0) INTO v_room
      FROM (SELECT room FROM ticket_type_blocks WHERE ticket_type_id = p_type
             ORDER BY slot FOR NO KEY UPDATE) AS locked;
    IF v_room > 0 THEN
        UPDATE ticket_type_blocks SET room = 0 WHERE ticket_type_id = p_type AND room > 0;
        UPDATE ticket_types SET sold = sold - v_room WHERE id = p_type;
    END IF;
    RETURN v_room;
END
$$;
