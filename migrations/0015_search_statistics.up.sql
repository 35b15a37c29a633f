-- The planner guessed how many rows a search word matches from a fixed fraction (trigram
-- indexes are partial, and PostgreSQL ignores a partial index's statistics): a word on 4% of
-- the tickets was taken for 0.03%, so it read every match before sorting instead of walking
-- the sort's index and stopping after a page. Statistics on the searched expressions
-- themselves (a histogram of 1,000 values each) give it the real share.
CREATE STATISTICS tickets_search_stats ON (lower((code || ' ') || holder_name)) FROM tickets;
ALTER STATISTICS tickets_search_stats SET STATISTICS 1000;
CREATE STATISTICS tickets_holder_stats ON (lower(holder_name)) FROM tickets;
ALTER STATISTICS tickets_holder_stats SET STATISTICS 1000;
CREATE STATISTICS orders_search_stats
    ON (lower((((code || ' ') || buyer_email) || ' ') || buyer_name)) FROM orders;
ALTER STATISTICS orders_search_stats SET STATISTICS 1000;
ANALYZE tickets;
ANALYZE orders;
