COMMENT ON EXTENSION citext IS 'Case-insensitive text';
COMMENT ON EXTENSION hstore IS 'data type for storing sets of (key, value) pairs';
