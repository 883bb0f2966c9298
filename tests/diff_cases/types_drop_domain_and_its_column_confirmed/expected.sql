ALTER TABLE item DROP COLUMN memo, DROP COLUMN span;
DROP DOMAIN note_text;
DROP TYPE floatrange;
