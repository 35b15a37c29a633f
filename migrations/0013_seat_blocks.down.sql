UPDATE ticket_types tt SET sold = tt.sold - b.room
  FROM (SELECT ticket_type_id, sum(room)::integer AS room FROM ticket_type_blocks
         GROUP BY ticket_type_id) AS b
 WHERE b.ticket_type_id = tt.id AND b.room > 0;
DROP FUNCTION return_block_room(bigint);
DROP FUNCTION take_seats(bigint, bigint, integer);
DROP FUNCTION seats_sold(bigint, integer);
DROP TABLE ticket_type_blocks;
