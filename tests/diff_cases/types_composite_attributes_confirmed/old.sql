CREATE TYPE dims AS (w double precision, h double precision);
COMMENT ON TYPE dims IS 'Width and height';
ALTER TABLE item ADD COLUMN dims dims;
