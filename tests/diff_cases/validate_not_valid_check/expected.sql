ALTER TABLE item VALIDATE CONSTRAINT item_qty_positive;
