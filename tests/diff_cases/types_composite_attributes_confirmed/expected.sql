ALTER TYPE dims DROP ATTRIBUTE h;
ALTER TYPE dims ADD ATTRIBUTE unit text;
COMMENT ON COLUMN dims.w IS 'Width';
COMMENT ON TYPE dims IS 'Width and a unit';
