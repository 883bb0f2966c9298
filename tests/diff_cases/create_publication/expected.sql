CREATE PUBLICATION shop_changes FOR TABLE item, account WITH (publish = 'insert, update');
COMMENT ON PUBLICATION shop_changes IS 'What the warehouse replicates';
