DROP FUNCTION event_rows();
DROP TABLE event;
