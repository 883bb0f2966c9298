DROP TABLE orders_us;
