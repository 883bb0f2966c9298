CREATE FUNCTION public.room_count() RETURNS bigint LANGUAGE sql STABLE AS $$
SELECT count(*) FROM public.rooms
$$;

-- from now on, functions are not executable by PUBLIC, and tables are readable by authenticated
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO authenticated;

CREATE FUNCTION public.is_free(p_room integer, p_during tstzrange) RETURNS boolean LANGUAGE sql STABLE AS $$
SELECT NOT EXISTS (SELECT 1 FROM public.bookings WHERE room_id = p_room AND during && p_during AND NOT cancelled)
$$;
GRANT EXECUTE ON FUNCTION public.is_free(integer, tstzrange) TO authenticated;

CREATE TABLE public.guests (
    id integer PRIMARY KEY,
    name text NOT NULL,
    email public.email,
    phone text
);
REVOKE SELECT ON public.guests FROM authenticated;
GRANT SELECT (id, name) ON public.guests TO authenticated;
GRANT SELECT (id, name), UPDATE (phone) ON public.guests TO anon;
REVOKE EXECUTE ON FUNCTION public.room_count() FROM PUBLIC;
GRANT SELECT ON public.rooms TO anon;
