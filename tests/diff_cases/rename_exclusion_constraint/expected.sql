ALTER TABLE item RENAME CONSTRAINT item_no_overlapping_qty TO item_qty_ranges_apart;
