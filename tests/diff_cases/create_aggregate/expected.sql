CREATE FUNCTION qty_step(bigint, integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
SELECT $1 + $2
$$;
CREATE FUNCTION qty_merge(bigint, bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
SELECT $1 + $2
$$;
CREATE FUNCTION qty_label(bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT $1 || ' pieces'
$$;
CREATE AGGREGATE product(numeric) (SFUNC = numeric_mul, STYPE = numeric, INITCOND = '1', PARALLEL = SAFE);
COMMENT ON AGGREGATE product(numeric) IS 'Multiplies.';
CREATE AGGREGATE qty_text(integer) (SFUNC = qty_step, STYPE = bigint, FINALFUNC = qty_label, COMBINEFUNC = qty_merge, INITCOND = '0');
CREATE VIEW account_value AS
    SELECT account_id, product(price) AS price_product, qty_text(qty) AS pieces FROM item GROUP BY account_id;
