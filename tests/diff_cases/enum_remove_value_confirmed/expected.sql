-- PostgreSQL cannot drop an enum label: a new type, the column converted through text.
ALTER TYPE item_status RENAME TO item_status_old;
CREATE TYPE item_status AS ENUM ('draft', 'active');
COMMENT ON TYPE item_status IS 'Where an item is in its life.';
DROP INDEX idx_item_active;
ALTER TABLE item ALTER COLUMN status DROP DEFAULT;
ALTER TABLE item ALTER COLUMN status TYPE item_status USING status::text::item_status;
ALTER TABLE item ALTER COLUMN status SET DEFAULT 'draft';
CREATE INDEX idx_item_active ON item (account_id, updated_at DESC) WHERE status = 'active';
DROP TYPE item_status_old;
