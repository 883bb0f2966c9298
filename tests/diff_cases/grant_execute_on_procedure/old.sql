CREATE PROCEDURE count_items(p_account uuid, INOUT n integer DEFAULT 0) LANGUAGE plpgsql
    AS $$
BEGIN
    SELECT count(*)::integer INTO n FROM item WHERE account_id = p_account;
END;
$$;
COMMENT ON PROCEDURE count_items(uuid, integer) IS 'Counts an account''s items.';
CREATE PROCEDURE stamp_item(integer) LANGUAGE sql
    AS $$
UPDATE item SET note = coalesce(note, 'stamped') WHERE id = $1
$$;
