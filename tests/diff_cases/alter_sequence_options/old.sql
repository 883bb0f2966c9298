CREATE SEQUENCE ticket AS integer MAXVALUE 1000;
COMMENT ON SEQUENCE ticket IS 'Numbers printed on tickets';
ALTER SEQUENCE ticket OWNED BY item.qty;
