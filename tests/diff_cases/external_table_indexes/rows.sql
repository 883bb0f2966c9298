INSERT INTO storage.buckets (id, name, public) VALUES ('avatars', 'avatars', true), ('private', 'private', false);
INSERT INTO auth.users (id, email, raw_user_meta_data) VALUES ('00000000-0000-0000-0000-00000000000a', 'ada@example.com', '{"full_name": "Ada"}');
INSERT INTO profiles (id, full_name) VALUES ('00000000-0000-0000-0000-00000000000a', 'Ada');
INSERT INTO storage.objects (id, bucket_id, name, owner) VALUES ('00000000-0000-0000-0000-0000000000f1', 'avatars', 'ada.png', '00000000-0000-0000-0000-00000000000a');
