DROP INDEX tickets_type_sold_idx;
DROP INDEX orders_refunded_at_idx;
DROP INDEX orders_event_sales_idx;
