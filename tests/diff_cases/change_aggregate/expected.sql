CREATE FUNCTION qty_short(bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT $1 || ' pcs'
$$;
CREATE OR REPLACE AGGREGATE product(numeric) (SFUNC = numeric_mul, STYPE = numeric, INITCOND = '2', PARALLEL = SAFE);
COMMENT ON AGGREGATE product(numeric) IS 'Multiplies by two first.';
DROP VIEW account_value;
DROP AGGREGATE qty_text(integer);
CREATE AGGREGATE qty_text(integer) (SFUNC = qty_step, STYPE = bigint, FINALFUNC = qty_short, COMBINEFUNC = qty_merge, INITCOND = '0');
CREATE VIEW account_value AS
    SELECT account_id, product(price) AS price_product, qty_text(qty) AS pieces FROM item GROUP BY account_id;
