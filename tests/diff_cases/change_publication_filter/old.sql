CREATE PUBLICATION shop_changes FOR TABLE item (id, label) WHERE (qty > 0) WITH (publish = 'insert');
