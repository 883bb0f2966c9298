CREATE FUNCTION item_count(p_account uuid, p_min integer) RETURNS integer LANGUAGE sql STABLE
    AS $$
SELECT count(*)::integer FROM item WHERE account_id = p_account AND qty >= p_min
$$;
GRANT EXECUTE ON FUNCTION item_count(uuid, integer) TO app_user;
