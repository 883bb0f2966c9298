CREATE TABLE memo (id integer PRIMARY KEY, body text);
CREATE PUBLICATION shop_changes FOR TABLE memo, account;
