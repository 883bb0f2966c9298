ALTER TABLE item ADD CONSTRAINT item_price_positive CHECK (price >= 0);
COMMENT ON CONSTRAINT item_price_positive ON item IS 'No refunds here.';
