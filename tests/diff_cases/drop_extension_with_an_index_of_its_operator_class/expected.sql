DROP INDEX idx_item_label_trgm;
DROP EXTENSION pg_trgm;
