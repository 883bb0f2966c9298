CREATE DOMAIN note_text AS text CHECK (length(VALUE) < 500);
CREATE TYPE floatrange AS RANGE (subtype = float8);
ALTER TABLE item ADD COLUMN memo note_text, ADD COLUMN span floatrange;
