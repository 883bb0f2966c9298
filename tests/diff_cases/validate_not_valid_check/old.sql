ALTER TABLE item DROP CONSTRAINT item_qty_positive;
ALTER TABLE item ADD CONSTRAINT item_qty_positive CHECK (qty >= 0) NOT VALID;
