DROP VIEW item_labels;
ALTER TABLE item RENAME COLUMN label TO title;
CREATE VIEW item_labels AS SELECT id, title FROM item;
COMMENT ON VIEW item_labels IS 'Items as customers see them.';
GRANT SELECT ON item_labels TO app_user;
