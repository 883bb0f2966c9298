-- The tracker as a Supabase project's migration would write it by hand (auth, storage and the roles exist).
CREATE SCHEMA private;
COMMENT ON SCHEMA private IS 'SECURITY DEFINER helpers; not served by the API';

CREATE TYPE member_role AS ENUM ('owner', 'admin', 'member');

CREATE TABLE organization (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE membership (
    org_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    role member_role NOT NULL DEFAULT 'member',
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX membership_user_idx ON membership (user_id);
CREATE TABLE profile (
    id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    display_name text
);
CREATE TABLE project (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    name text NOT NULL
);
CREATE INDEX project_org_idx ON project (org_id);
CREATE TABLE task (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
    project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    done boolean NOT NULL DEFAULT false
);
CREATE INDEX task_org_project_idx ON task (org_id, project_id);
ALTER TABLE task REPLICA IDENTITY FULL;
ALTER PUBLICATION supabase_realtime ADD TABLE task;

CREATE FUNCTION private.user_org_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
AS $$
SELECT m.org_id FROM public.membership m WHERE m.user_id = auth.uid()
$$;

CREATE FUNCTION handle_new_user() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
AS $$
BEGIN
  INSERT INTO public.profile (id, display_name) VALUES (NEW.id, split_part(NEW.email, '@', 1));
  RETURN NEW;
END;
$$;
CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION handle_new_user();

ALTER TABLE organization ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see their organizations" ON organization FOR SELECT TO authenticated
    USING (id IN (SELECT private.user_org_ids()));
ALTER TABLE membership ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members see their colleagues" ON membership FOR SELECT TO authenticated
    USING (org_id IN (SELECT private.user_org_ids()));
ALTER TABLE profile ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Profiles are readable by signed-in users" ON profile FOR SELECT TO authenticated USING (true);
CREATE POLICY "Users update their own profile" ON profile FOR UPDATE TO authenticated
    USING (id = auth.uid()) WITH CHECK (id = auth.uid());
ALTER TABLE project ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Projects: members only (select)" ON project FOR SELECT TO authenticated USING (org_id IN (SELECT private.user_org_ids()));
CREATE POLICY "Projects: members only (insert)" ON project FOR INSERT TO authenticated WITH CHECK (org_id IN (SELECT private.user_org_ids()));
CREATE POLICY "Projects: members only (update)" ON project FOR UPDATE TO authenticated
    USING (org_id IN (SELECT private.user_org_ids())) WITH CHECK (org_id IN (SELECT private.user_org_ids()));
CREATE POLICY "Projects: members only (delete)" ON project FOR DELETE TO authenticated USING (org_id IN (SELECT private.user_org_ids()));
ALTER TABLE task ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Tasks: members only (select)" ON task FOR SELECT TO authenticated USING (org_id IN (SELECT private.user_org_ids()));
CREATE POLICY "Tasks: members only (insert)" ON task FOR INSERT TO authenticated WITH CHECK (org_id IN (SELECT private.user_org_ids()));
CREATE POLICY "Tasks: members only (update)" ON task FOR UPDATE TO authenticated
    USING (org_id IN (SELECT private.user_org_ids())) WITH CHECK (org_id IN (SELECT private.user_org_ids()));
CREATE POLICY "Tasks: members only (delete)" ON task FOR DELETE TO authenticated USING (org_id IN (SELECT private.user_org_ids()));

CREATE POLICY "Members read their organization's files" ON storage.objects FOR SELECT TO authenticated
    USING (bucket_id = 'org-files' AND split_part(name, '/', 1)::uuid IN (SELECT private.user_org_ids()));
CREATE POLICY "Members upload into their organization's folder" ON storage.objects FOR INSERT TO authenticated
    WITH CHECK (bucket_id = 'org-files' AND owner = auth.uid() AND split_part(name, '/', 1)::uuid IN (SELECT private.user_org_ids()));

GRANT SELECT, INSERT, UPDATE, DELETE ON organization, membership, profile, project, task TO authenticated;
GRANT SELECT, INSERT ON storage.objects TO authenticated;
GRANT USAGE ON SCHEMA private TO authenticated;
GRANT EXECUTE ON FUNCTION private.user_org_ids() TO authenticated;

INSERT INTO storage.buckets (id, name, public) VALUES ('org-files', 'org-files', false) ON CONFLICT (id) DO NOTHING;
