ALTER TABLE account RENAME TO customer;
-- PostgreSQL keeps the names of the table's constraints; the spec names them after the table.
ALTER TABLE customer RENAME CONSTRAINT account_pkey TO customer_pkey;
ALTER TABLE customer RENAME CONSTRAINT account_code_key TO customer_code_key;
-- So does PostgreSQL 18 with its named NOT NULL constraints (account_name_not_null), which older versions lack.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'customer'::regclass AND contype = 'n' LOOP
        EXECUTE format('ALTER TABLE customer RENAME CONSTRAINT %I TO %I', c.conname,
                       'customer_' || substr(c.conname, length('account_') + 1));
    END LOOP;
END
$$;
