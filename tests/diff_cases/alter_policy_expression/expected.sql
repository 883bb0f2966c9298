ALTER POLICY item_owner ON item TO app_user, public USING (account_id = current_setting('app.account')::uuid);
