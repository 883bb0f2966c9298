CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION handle_new_user();
CREATE POLICY avatars_public_read ON storage.objects FOR SELECT USING (is_avatar(bucket_id));
CREATE POLICY avatars_insert_own ON storage.objects FOR INSERT TO authenticated
    WITH CHECK (is_avatar(bucket_id) AND owner = auth.uid());
GRANT INSERT ON storage.objects TO authenticated;
