ALTER PUBLICATION shop_changes DROP TABLE item;
ALTER PUBLICATION shop_changes ADD TABLE account, event;
ALTER PUBLICATION shop_changes SET (publish = 'insert');
COMMENT ON PUBLICATION shop_changes IS 'Second';
