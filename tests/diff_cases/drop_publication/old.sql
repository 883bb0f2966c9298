CREATE PUBLICATION shop_changes FOR TABLE item;
COMMENT ON PUBLICATION shop_changes IS 'First';
