CREATE OR REPLACE FUNCTION item_count(p_account uuid) RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE COST 50
    AS $$
SELECT count(*)::integer FROM item WHERE account_id = p_account
$$;
CREATE FUNCTION item_count(p_account uuid, p_min integer) RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
SELECT count(*)::integer FROM item WHERE account_id = p_account AND qty >= p_min
$$;
GRANT EXECUTE ON FUNCTION item_count(uuid, integer) TO app_user;
