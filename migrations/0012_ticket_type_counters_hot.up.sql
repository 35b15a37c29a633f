-- Every sale adds to its ticket type's `sold`, so a popular type's row is updated hundreds of
-- times a second. Those updates change no indexed column and could be HOT (no index entries,
-- old versions pruned on the page), but only when the row's page has room for the new
-- version: with full pages every update went to another page with an entry in every index,
-- and sales of one type slowed run after run. Half of each page is now kept free.
ALTER TABLE ticket_types SET (fillfactor = 50);
-- Rewrites the table with the new fill factor (CLUSTER may run in a transaction, VACUUM FULL
-- may not); the clustering mark it leaves is taken off again.
CLUSTER ticket_types USING ticket_types_pkey;
ALTER TABLE ticket_types SET WITHOUT CLUSTER;
