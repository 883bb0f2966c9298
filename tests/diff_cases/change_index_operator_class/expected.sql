DROP INDEX idx_item_note;
CREATE INDEX idx_item_note ON item (note text_pattern_ops, lower(label) COLLATE "C" DESC NULLS LAST) WITH (fillfactor = 80);
