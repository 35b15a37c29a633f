DROP STATISTICS users_buyer_search_stats;
DROP INDEX users_email_order_idx;
