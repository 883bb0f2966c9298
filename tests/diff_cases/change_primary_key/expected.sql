ALTER TABLE item DROP CONSTRAINT item_pkey;
ALTER TABLE item ADD CONSTRAINT item_pkey PRIMARY KEY (account_id, id);
