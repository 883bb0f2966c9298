CREATE SCHEMA private;
COMMENT ON SCHEMA private IS 'Helpers the API does not expose.';
CREATE TABLE private.audit_note (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body text NOT NULL
);
CREATE FUNCTION private.is_staff() RETURNS boolean LANGUAGE sql STABLE SET search_path = ''
    AS $$
SELECT current_setting('app.staff', true) = 'on'
$$;
GRANT USAGE ON SCHEMA private TO app_user;
GRANT SELECT ON private.audit_note TO app_user;
GRANT EXECUTE ON FUNCTION private.is_staff() TO app_user;
