CREATE INDEX idx_account_name ON account (name);
