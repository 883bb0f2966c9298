ALTER TABLE item ADD CONSTRAINT item_account_label_key UNIQUE (account_id, label);
