CREATE TABLE orders_south PARTITION OF orders FOR VALUES IN ('it', 'es');
