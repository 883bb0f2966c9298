ALTER TABLE item ADD COLUMN total numeric(12,2) GENERATED ALWAYS AS (price * qty) STORED;
COMMENT ON COLUMN item.total IS 'What the line costs';
