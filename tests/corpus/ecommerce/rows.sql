INSERT INTO customer (email, name) VALUES ('ada@example.com', 'Ada Lovelace'), ('alan@example.com', 'Alan Turing');
INSERT INTO product (sku, name, price, stock) VALUES ('MUG-01', 'Mug', 9.90, 120), ('TEE-XL', 'T-shirt XL', 24.50, 3);
INSERT INTO orders (customer_id, status, placed_at, shipping_fee)
    SELECT id, 'paid', '2026-03-01 10:00+00', 4.90 FROM customer WHERE email = 'ada@example.com';
INSERT INTO orders (customer_id, status, placed_at)
    SELECT id, 'cancelled', '2026-03-02 09:30+00' FROM customer WHERE email = 'alan@example.com';
INSERT INTO order_line (order_id, line_no, product_id, quantity, unit_price)
    SELECT o.id, 1, p.id, 2, p.price FROM orders o, product p WHERE p.sku = 'MUG-01';
INSERT INTO order_line (order_id, line_no, product_id, quantity, unit_price)
    SELECT o.id, 2, p.id, 1, p.price FROM orders o, product p WHERE p.sku = 'TEE-XL' AND o.status = 'paid';
REFRESH MATERIALIZED VIEW daily_sales;
