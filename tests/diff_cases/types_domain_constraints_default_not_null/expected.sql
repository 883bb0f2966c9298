ALTER DOMAIN label_text DROP CONSTRAINT no_star;
ALTER DOMAIN label_text DROP CONSTRAINT label_text_check;
ALTER DOMAIN label_text ADD CONSTRAINT label_text_check CHECK (length(VALUE) > 1);
ALTER DOMAIN label_text ADD CONSTRAINT short CHECK (length(VALUE) < 40);
ALTER DOMAIN label_text SET DEFAULT 'none';
ALTER DOMAIN label_text SET NOT NULL;
COMMENT ON DOMAIN label_text IS 'A label, at least two characters';
