ALTER TABLE item DROP CONSTRAINT item_no_overlapping_qty;
ALTER TABLE item ADD CONSTRAINT item_no_overlapping_qty EXCLUDE USING gist (account_id WITH =, int4range(qty, qty + 1) WITH &&) WHERE (status = 'active');
