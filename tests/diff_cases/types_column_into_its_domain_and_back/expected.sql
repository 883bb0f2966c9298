ALTER TABLE item ALTER COLUMN note TYPE short_text;
