ALTER TABLE item ADD CONSTRAINT item_replaces_fkey FOREIGN KEY (replaces) REFERENCES item (id) NOT VALID;
