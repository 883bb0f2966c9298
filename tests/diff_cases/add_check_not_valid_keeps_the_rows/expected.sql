ALTER TABLE item ADD CONSTRAINT item_qty_at_least_one CHECK (qty >= 1) NOT VALID;
