COMMENT ON TYPE item_status IS NULL;
COMMENT ON COLUMN item.label IS NULL;
COMMENT ON TABLE item IS 'Things we sell.';
COMMENT ON INDEX idx_event_account IS 'Recent first.';
COMMENT ON FUNCTION touch() IS 'Stamps updated_at.';
COMMENT ON TRIGGER item_touch ON item IS 'Keeps updated_at current.';
