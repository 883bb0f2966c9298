CREATE SEQUENCE ticket START 100 INCREMENT 10;
COMMENT ON SEQUENCE ticket IS 'Numbers printed on tickets';
ALTER TABLE item ADD COLUMN ticket bigint DEFAULT nextval('ticket');
GRANT USAGE ON SEQUENCE ticket TO app_user;
