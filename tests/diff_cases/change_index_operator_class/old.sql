CREATE INDEX idx_item_note ON item (note);
