CREATE DOMAIN label_text AS text CHECK (length(VALUE) > 0) CONSTRAINT no_star CHECK (strpos(VALUE, '*') = 0);
COMMENT ON DOMAIN label_text IS 'A label, as shown';
ALTER TABLE item ADD COLUMN tag label_text;
