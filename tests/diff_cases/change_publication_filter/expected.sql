ALTER PUBLICATION shop_changes SET TABLE item (id, label, status) WHERE (qty > 1), account;
