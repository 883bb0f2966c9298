CREATE FUNCTION item_total(p_account uuid) RETURNS numeric LANGUAGE sql STABLE SET work_mem = '64MB' AS $$
SELECT sum(qty * price) FROM item WHERE account_id = p_account
$$;
