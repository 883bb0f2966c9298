-- The staff records as a DBA would write them by hand (the roles exist in the cluster).
CREATE SCHEMA private;
COMMENT ON SCHEMA private IS 'Functions run with their owner''s rights';
-- set first, so that the tables below get it too (as every table postgres makes in public later)
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO hr_admin;

CREATE TABLE employee (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL UNIQUE,
    salary numeric(10, 2) NOT NULL CHECK (salary > 0),
    bank_account text
);
CREATE TABLE salary_change (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employee_id integer NOT NULL REFERENCES employee (id),
    old_salary numeric(10, 2) NOT NULL,
    new_salary numeric(10, 2) NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION private.raise_salary(p_employee integer, p_percent numeric) RETURNS numeric(10,2)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
AS $$
DECLARE
  before numeric(10,2);
  after numeric(10,2);
BEGIN
  SELECT salary INTO before FROM public.employee WHERE id = p_employee FOR UPDATE;
  after := round(before * (1 + p_percent / 100), 2);
  UPDATE public.employee SET salary = after WHERE id = p_employee;
  INSERT INTO public.salary_change (employee_id, old_salary, new_salary) VALUES (p_employee, before, after);
  RETURN after;
END;
$$;
REVOKE EXECUTE ON FUNCTION private.raise_salary(integer, numeric) FROM PUBLIC;

GRANT SELECT (id, name, email) ON employee TO hr_reader;
GRANT SELECT, INSERT, UPDATE ON employee TO hr_admin;
GRANT SELECT ON employee, salary_change TO payroll;
GRANT UPDATE (bank_account) ON employee TO payroll;
GRANT USAGE ON SCHEMA private TO payroll;
GRANT EXECUTE ON FUNCTION private.raise_salary(integer, numeric) TO payroll;
