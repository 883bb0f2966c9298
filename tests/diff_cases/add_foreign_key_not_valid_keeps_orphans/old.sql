ALTER TABLE item ADD COLUMN replaces integer;
