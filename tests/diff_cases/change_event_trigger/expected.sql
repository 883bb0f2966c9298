DROP EVENT TRIGGER ddl_notice;
CREATE EVENT TRIGGER ddl_notice ON ddl_command_end WHEN TAG IN ('DROP TABLE') EXECUTE FUNCTION note_ddl();
