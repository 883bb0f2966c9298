ALTER TABLE item VALIDATE CONSTRAINT item_replaces_fkey;
