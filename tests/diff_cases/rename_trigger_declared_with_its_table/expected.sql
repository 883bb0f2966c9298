ALTER TRIGGER last_updated ON item RENAME TO item_last_updated;
