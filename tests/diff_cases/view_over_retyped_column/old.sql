CREATE VIEW item_totals AS
SELECT i.id, i.account_id, i.qty, (i.qty * i.price)::numeric(12, 2) AS total
FROM item i
WHERE i.status <> 'archived';
COMMENT ON VIEW item_totals IS 'What each live item is worth.';
COMMENT ON COLUMN item_totals.total IS 'qty times price';
CREATE VIEW big_items AS SELECT id, total FROM item_totals WHERE total > 10;
GRANT SELECT ON item_totals, big_items TO app_user;
