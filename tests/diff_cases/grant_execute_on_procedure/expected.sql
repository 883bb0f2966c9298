REVOKE EXECUTE ON PROCEDURE count_items(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE stamp_item(integer), count_items(uuid, integer) TO app_user;
