ALTER MATERIALIZED VIEW item_totals RENAME TO account_totals;
