CREATE INDEX idx_item_updated_brin ON item USING brin (updated_at) WITH (pages_per_range = 16);
CREATE INDEX idx_item_label_pattern ON item (label COLLATE "C" varchar_pattern_ops DESC NULLS LAST, qty) INCLUDE (price);
