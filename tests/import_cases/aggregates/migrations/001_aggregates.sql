-- Aggregates (aggs6): over a built-in function, and over functions of the schema's own (one with settings).
CREATE TABLE public.line (id bigint PRIMARY KEY, qty integer NOT NULL, price numeric);
CREATE FUNCTION public.qty_step(total bigint, qty integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
SELECT total + qty
$$;
CREATE FUNCTION public.qty_merge(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
SELECT a + b
$$;
CREATE FUNCTION public.qty_label(total bigint) RETURNS text LANGUAGE sql IMMUTABLE
    SET work_mem = '64MB' SET statement_timeout = '5s' AS $$
SELECT total || ' pieces'
$$;
CREATE AGGREGATE public.product(numeric) (SFUNC = numeric_mul, STYPE = numeric, INITCOND = '1', PARALLEL = SAFE);
COMMENT ON AGGREGATE public.product(numeric) IS 'Multiplies.';
CREATE AGGREGATE public.qty_text(integer) (
    SFUNC = public.qty_step, STYPE = bigint, FINALFUNC = public.qty_label, COMBINEFUNC = public.qty_merge, INITCOND = '0'
);
