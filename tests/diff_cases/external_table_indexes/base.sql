-- The Supabase starter's base, written by hand: Supabase's own tables (as `schemagen standins` makes them), then the app's.
DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE SCHEMA IF NOT EXISTS auth;
GRANT USAGE ON SCHEMA auth TO anon;
GRANT USAGE ON SCHEMA auth TO authenticated;
CREATE SCHEMA IF NOT EXISTS storage;
GRANT USAGE ON SCHEMA storage TO anon;
GRANT USAGE ON SCHEMA storage TO authenticated;
CREATE TABLE auth.users (id uuid NOT NULL PRIMARY KEY, email text, raw_user_meta_data jsonb);
GRANT SELECT ON auth.users TO anon, authenticated;
CREATE TABLE storage.buckets (id text NOT NULL PRIMARY KEY, name text NOT NULL, public boolean);
GRANT SELECT ON storage.buckets TO anon, authenticated;
CREATE TABLE storage.objects (id uuid NOT NULL PRIMARY KEY, bucket_id text, name text, owner uuid);
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON storage.objects TO anon, authenticated;
ALTER TABLE storage.objects ADD CONSTRAINT objects_bucket_id_fkey FOREIGN KEY (bucket_id) REFERENCES storage.buckets(id);
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
    AS $f$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $f$;

CREATE TABLE profiles (
    id uuid PRIMARY KEY REFERENCES auth.users(id) ON DELETE CASCADE,
    full_name text
);
CREATE FUNCTION handle_new_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $f$
BEGIN
    INSERT INTO public.profiles (id, full_name) VALUES (NEW.id, NEW.raw_user_meta_data->>'full_name');
    RETURN NEW;
END;
$f$;
CREATE FUNCTION is_avatar(bucket text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $f$
SELECT bucket = 'avatars'
$f$;
ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_profile ON profiles FOR SELECT TO authenticated USING (auth.uid() = id);
GRANT SELECT ON profiles TO authenticated;
