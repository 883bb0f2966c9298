CREATE TABLE orders (
    id bigint NOT NULL,
    region text NOT NULL,
    total integer,
    PRIMARY KEY (id, region)
) PARTITION BY LIST (region);
CREATE INDEX orders_total_idx ON orders (total);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('de', 'fr');
CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');
COMMENT ON TABLE orders_us IS 'The United States';
CREATE TABLE orders_other PARTITION OF orders DEFAULT;
CREATE TABLE hits (id bigint PRIMARY KEY, n integer) PARTITION BY HASH (id);
CREATE TABLE hits_p0 PARTITION OF hits FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE hits_p1 PARTITION OF hits FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE hits_p3 PARTITION OF hits FOR VALUES WITH (MODULUS 4, REMAINDER 3);
