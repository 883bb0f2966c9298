CREATE MATERIALIZED VIEW item_totals AS SELECT account_id, sum(qty)::integer AS qty FROM item GROUP BY account_id;
CREATE UNIQUE INDEX item_totals_account ON item_totals (account_id);
