ALTER TABLE item DROP COLUMN total;
ALTER TABLE item ADD COLUMN total numeric(12,2) GENERATED ALWAYS AS (coalesce(price, 0) * qty) STORED;
