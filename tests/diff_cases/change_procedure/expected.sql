CREATE OR REPLACE PROCEDURE count_items(p_account uuid, INOUT n integer DEFAULT 0) LANGUAGE plpgsql
    AS $$
BEGIN
    SELECT count(*)::integer INTO n FROM item WHERE account_id = p_account AND qty > 0;
END;
$$;
DROP PROCEDURE stamp_item(integer);
