-- The shop as its developers would write it by hand.
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

CREATE TABLE customer (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE CHECK (position('@' in email) > 1),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product (
    id serial PRIMARY KEY,
    sku varchar(32) NOT NULL UNIQUE,
    name text NOT NULL,
    price numeric(12, 2) NOT NULL CHECK (price >= 0),
    stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
    active boolean NOT NULL DEFAULT true
);
COMMENT ON COLUMN product.price IS 'Unit price in EUR, VAT included';
CREATE INDEX product_active_name_idx ON product (lower(name)) WHERE active;

CREATE SEQUENCE order_number_seq START 100000;
COMMENT ON SEQUENCE order_number_seq IS 'Order numbers shown to customers, apart from the primary key.';

CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    number bigint NOT NULL UNIQUE DEFAULT nextval('order_number_seq'),
    customer_id bigint NOT NULL REFERENCES customer (id),
    status order_status NOT NULL DEFAULT 'pending',
    placed_at timestamptz NOT NULL DEFAULT now(),
    shipping_fee numeric(8, 2) NOT NULL DEFAULT 0,
    CONSTRAINT orders_shipping_fee_check CHECK (shipping_fee >= 0 AND shipping_fee < 1000)
);
ALTER SEQUENCE order_number_seq OWNED BY orders.number;
CREATE INDEX orders_customer_idx ON orders (customer_id, placed_at DESC);

CREATE TABLE order_line (
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no smallint NOT NULL CHECK (line_no > 0),
    product_id integer NOT NULL REFERENCES product (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_line_product_idx ON order_line (product_id);

CREATE VIEW order_totals AS
    SELECT o.id AS order_id, o.number, o.customer_id, o.status,
           (sum(l.quantity * l.unit_price) + o.shipping_fee)::numeric(14,2) AS total
    FROM orders o JOIN order_line l ON l.order_id = o.id
    GROUP BY o.id;
COMMENT ON VIEW order_totals IS 'Each order with the sum of its lines and its shipping fee.';

CREATE MATERIALIZED VIEW daily_sales AS
    SELECT o.placed_at::date AS day, count(*)::integer AS orders, sum(t.total)::numeric(16,2) AS revenue
    FROM orders o JOIN order_totals t ON t.order_id = o.id
    WHERE o.status <> 'cancelled'
    GROUP BY o.placed_at::date;
COMMENT ON MATERIALIZED VIEW daily_sales IS 'Revenue per day, refreshed every night (CONCURRENTLY, hence its unique index).';
CREATE UNIQUE INDEX daily_sales_day_idx ON daily_sales (day);
