DROP FUNCTION item_count(uuid, integer);
