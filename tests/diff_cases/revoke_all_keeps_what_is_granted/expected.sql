REVOKE INSERT, UPDATE ON account FROM app_user;
