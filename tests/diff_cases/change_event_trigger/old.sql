CREATE FUNCTION note_ddl() RETURNS event_trigger LANGUAGE plpgsql SET search_path = ''
    AS $$
BEGIN
    RAISE NOTICE 'ddl: %', tg_tag;
END;
$$;
CREATE EVENT TRIGGER ddl_notice ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION note_ddl();
COMMENT ON EVENT TRIGGER ddl_notice IS 'Says what DDL ran.';
