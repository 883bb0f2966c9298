-- The schema of tests/usertype_cases/spec/, written by hand.
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION citext WITH SCHEMA extensions;
CREATE TYPE mood AS ENUM ('happy', 'sad');

CREATE DOMAIN email AS extensions.citext CHECK (VALUE ~ '^[^@]+@[^@]+$');
COMMENT ON DOMAIN email IS 'An e-mail address';
CREATE DOMAIN quantity AS integer NOT NULL DEFAULT 1
    CONSTRAINT quantity_positive CHECK (VALUE > 0)
    CONSTRAINT quantity_small CHECK (VALUE < 1000);
CREATE DOMAIN code AS varchar(8) COLLATE "C";
CREATE DOMAIN price AS numeric(12, 2) CHECK (VALUE >= 0);
CREATE DOMAIN happy_mood AS mood CHECK (VALUE <> 'sad');
CREATE DOMAIN tags AS text[];

CREATE TYPE address AS (street text, zip code, contacts email[]);
COMMENT ON TYPE address IS 'A postal address';
COMMENT ON COLUMN address.street IS 'Street and number';
CREATE DOMAIN street_address AS address CHECK ((VALUE).street IS NOT NULL);
CREATE TYPE shipment AS (to_address address, weight double precision);

CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE price_band AS RANGE (subtype = numeric, multirange_type_name = price_bands);
COMMENT ON TYPE price_band IS 'Prices from and to';

CREATE TABLE item (
    id integer PRIMARY KEY,
    contact email,
    contacts email[],
    qty quantity,
    sku code,
    cost price,
    mood happy_mood,
    labels tags,
    home address,
    homes address[],
    parcel shipment,
    office street_address,
    during tstzrange,
    days datemultirange,
    counts int4range[],
    ids int8range,
    amounts numrange,
    local_time tsrange,
    day_span daterange,
    weights floatrange,
    weight_sets floatmultirange,
    band price_band,
    bands price_bands
);
