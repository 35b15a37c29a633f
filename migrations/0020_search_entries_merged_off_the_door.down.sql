DROP FUNCTION merge_ticket_search_entries();
