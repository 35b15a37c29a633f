DROP STATISTICS tickets_search_stats;
DROP STATISTICS tickets_holder_stats;
DROP STATISTICS orders_search_stats;
