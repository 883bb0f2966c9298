ALTER TABLE item ALTER COLUMN price TYPE numeric(12, 2);
