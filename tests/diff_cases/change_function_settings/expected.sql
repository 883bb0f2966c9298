CREATE OR REPLACE FUNCTION item_total(p_account uuid) RETURNS numeric LANGUAGE sql STABLE
    SET work_mem = '32MB' SET statement_timeout = '5s' AS $$
SELECT sum(qty * price) FROM item WHERE account_id = p_account
$$;
