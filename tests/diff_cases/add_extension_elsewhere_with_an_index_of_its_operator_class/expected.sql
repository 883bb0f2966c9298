CREATE SCHEMA ext;
CREATE EXTENSION pg_trgm WITH SCHEMA ext;
CREATE INDEX idx_item_label_trgm ON item USING gin (label ext.gin_trgm_ops);
