ALTER TABLE orders DETACH PARTITION orders_eu;
ALTER TABLE orders ATTACH PARTITION orders_eu FOR VALUES IN ('de', 'fr', 'it');
