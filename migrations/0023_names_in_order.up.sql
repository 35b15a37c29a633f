-- A search sorted by the buyer reads its buyers in email order, a batch at a time, instead of
-- every matching buyer at once (a common last name: 21k users, 28 ms, before its first order
-- was read). The orders' buyer_email sorts by this same text.
CREATE INDEX users_email_order_idx ON users (email);
-- The planner's estimate of how many users a text matches (walk the emails in order, or find
-- the few through the trigram index and sort them), as migration 0015 gave the lists.
CREATE STATISTICS users_buyer_search_stats ON (lower((email || ' ') || name)) FROM users;
ALTER STATISTICS users_buyer_search_stats SET STATISTICS 1000;
ANALYZE users;
