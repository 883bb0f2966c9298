ALTER TYPE item_status ADD VALUE 'review' BEFORE 'active';
ALTER TABLE item ALTER COLUMN status SET DEFAULT 'review';
