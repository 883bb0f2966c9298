ALTER TABLE item ADD CONSTRAINT item_note_key UNIQUE NULLS NOT DISTINCT (note);
CREATE UNIQUE INDEX account_name_key ON account (name, code) NULLS NOT DISTINCT;
