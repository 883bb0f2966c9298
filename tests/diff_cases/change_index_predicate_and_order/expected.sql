DROP INDEX idx_item_active;
CREATE INDEX idx_item_active ON item (account_id, updated_at) WHERE status <> 'archived';
