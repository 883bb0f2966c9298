CREATE TABLE plan (
    code varchar(20) PRIMARY KEY,
    price numeric(8, 2) NOT NULL,
    label text,
    status item_status NOT NULL DEFAULT 'active'
);
COMMENT ON TABLE plan IS 'The plans a customer can choose.';
INSERT INTO plan (code, price, label) VALUES ('free', 0, 'Free (it''s free)'), ('pro', 20.5, NULL);
UPDATE plan SET status = 'draft' WHERE code = 'pro';
