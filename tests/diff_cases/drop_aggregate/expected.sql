DROP VIEW account_value;
DROP AGGREGATE qty_text(integer);
