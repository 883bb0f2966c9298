ALTER TABLE account RENAME TO customer;
ALTER TABLE customer RENAME COLUMN name TO full_name;
ALTER TABLE customer RENAME CONSTRAINT account_pkey TO customer_pkey;
ALTER TABLE customer RENAME CONSTRAINT account_code_key TO customer_code_key;
-- PostgreSQL 18's named NOT NULL constraints keep their names too (older versions have none).
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'customer'::regclass AND contype = 'n' LOOP
        EXECUTE format('ALTER TABLE customer RENAME CONSTRAINT %I TO %I', c.conname,
                       replace(replace(c.conname, 'account_', 'customer_'), '_name_', '_full_name_'));
    END LOOP;
END
$$;
