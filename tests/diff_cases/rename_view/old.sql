CREATE VIEW item_labels AS SELECT id, label FROM item;
COMMENT ON VIEW item_labels IS 'Items as customers see them.';
CREATE VIEW active_labels AS SELECT id, label FROM item_labels WHERE id > 1;
GRANT SELECT ON item_labels TO app_user;
