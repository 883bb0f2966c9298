-- The places as a GIS developer would write them by hand.
CREATE EXTENSION IF NOT EXISTS cube WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS earthdistance WITH SCHEMA extensions;

CREATE TYPE place_kind AS ENUM ('museum', 'park', 'restaurant', 'station');

CREATE TABLE region (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    boundary extensions.geometry
);
COMMENT ON TABLE region IS 'An administrative region, its boundary as PostGIS geometry.';

CREATE TABLE place (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_id integer REFERENCES region (id) ON DELETE SET NULL,
    name text NOT NULL,
    kind place_kind NOT NULL,
    lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    location extensions.geography
);
COMMENT ON TABLE place IS 'A point of interest; `lat`/`lon` feed the earthdistance index, `location` the PostGIS queries.';
CREATE INDEX place_earth_idx ON place USING gist (extensions.ll_to_earth(lat, lon));
CREATE INDEX place_region_kind_idx ON place (region_id, kind);

CREATE FUNCTION places_within(from_lat double precision, from_lon double precision, radius_m double precision)
RETURNS TABLE(id bigint, name text, distance_m double precision)
LANGUAGE sql STABLE
AS $$
SELECT p.id, p.name,
       extensions.earth_distance(extensions.ll_to_earth(from_lat, from_lon), extensions.ll_to_earth(p.lat, p.lon))
FROM public.place p
WHERE extensions.earth_box(extensions.ll_to_earth(from_lat, from_lon), radius_m)
      OPERATOR(extensions.@>) extensions.ll_to_earth(p.lat, p.lon)
ORDER BY 3
$$;
