ALTER TABLE item DROP CONSTRAINT item_no_overlapping_qty;
