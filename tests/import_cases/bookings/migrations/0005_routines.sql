-- Overloaded functions, a procedure and an event trigger (issue 13's routines).
CREATE FUNCTION public.area(r double precision) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT pi() * r * r
$$;
CREATE FUNCTION public.area(w double precision, h double precision) RETURNS double precision LANGUAGE sql IMMUTABLE
COST 5 AS $$
SELECT w * h
$$;
GRANT EXECUTE ON FUNCTION public.area(double precision, double precision) TO anon;

CREATE PROCEDURE public.forget_guests(cutoff integer) LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM public.guests WHERE id < cutoff;
END;
$$;

CREATE FUNCTION public.note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'ddl: %', tg_tag;
END;
$$;
CREATE EVENT TRIGGER note_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.note_ddl();
