-- PostGIS's geometry and geography, as types of their own that read and print text (the server has no PostGIS).
-- Their input and output functions live in a schema of their own, as an extension's objects would be apart.
CREATE SCHEMA postgis_standin;
CREATE TYPE extensions.geometry;
CREATE FUNCTION postgis_standin.geometry_in(cstring) RETURNS extensions.geometry LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION postgis_standin.geometry_out(extensions.geometry) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE TYPE extensions.geometry (INPUT = postgis_standin.geometry_in, OUTPUT = postgis_standin.geometry_out, LIKE = text);
CREATE TYPE extensions.geography;
CREATE FUNCTION postgis_standin.geography_in(cstring) RETURNS extensions.geography LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION postgis_standin.geography_out(extensions.geography) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE TYPE extensions.geography (INPUT = postgis_standin.geography_in, OUTPUT = postgis_standin.geography_out, LIKE = text);
