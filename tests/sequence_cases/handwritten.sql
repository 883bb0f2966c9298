-- The schema of tests/sequence_cases/spec/, written by hand as a person would (serial columns as serial).
CREATE SEQUENCE order_number_seq START 1000;
COMMENT ON SEQUENCE order_number_seq IS 'Order numbers, shown to customers';
CREATE SEQUENCE countdown AS integer INCREMENT BY -1 CACHE 5 CYCLE;
CREATE SEQUENCE ticket AS smallint INCREMENT 5 MINVALUE 10 MAXVALUE 500;

CREATE TABLE orders (
    id serial PRIMARY KEY,
    number bigint NOT NULL DEFAULT nextval('order_number_seq'),
    line smallserial,
    ticket smallint DEFAULT nextval('ticket')
);
ALTER SEQUENCE order_number_seq OWNED BY orders.number;

CREATE TABLE events (
    id bigserial PRIMARY KEY,
    note text
);
