DROP TRIGGER on_auth_user_created ON auth.users;
CREATE TRIGGER on_auth_user_created AFTER INSERT OR UPDATE ON auth.users FOR EACH ROW EXECUTE FUNCTION handle_new_user();
DROP POLICY avatars_insert_own ON storage.objects;
ALTER POLICY avatars_public_read ON storage.objects TO anon, authenticated USING (is_avatar(bucket_id) AND name IS NOT NULL);
GRANT UPDATE ON storage.objects TO authenticated;
