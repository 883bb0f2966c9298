ALTER TABLE item ADD UNIQUE (account_id, label);
