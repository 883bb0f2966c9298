REVOKE UPDATE ON item, account FROM app_user;
GRANT UPDATE (label, note) ON item TO app_user;
