ALTER FUNCTION touch() RENAME TO set_updated_at;
COMMENT ON FUNCTION set_updated_at() IS 'Stamps updated_at.';
ALTER FUNCTION item_count(uuid) RENAME TO items_of;
