CREATE DOMAIN sku_code AS varchar(12) CONSTRAINT sku_code_check CHECK (VALUE ~ '^[A-Z0-9-]+$');
COMMENT ON DOMAIN sku_code IS 'A stock keeping unit';
CREATE DOMAIN weight AS numeric DEFAULT 0 CONSTRAINT weight_not_negative CHECK (VALUE >= 0);
CREATE TYPE dimensions AS (width weight, height weight, unit text);
COMMENT ON TYPE dimensions IS 'Measured';
CREATE TYPE weight_range AS RANGE (subtype = numeric);
ALTER TABLE item ADD COLUMN sku sku_code, ADD COLUMN size dimensions, ADD COLUMN sizes dimensions[],
    ADD COLUMN available tstzrange, ADD COLUMN weights weight_range;
