"""Objects of the spec on tables made elsewhere (issue 13): the Supabase starter on a real PostgreSQL.

`auth.users` and `storage.objects` are Supabase's (declared under `external.tables`, made here by the
stand-ins, never by a migration); the trigger on auth.users, the storage policies and the grants are
the spec's. The starter's behaviour is judged with rows: a user signing up (an insert into auth.users,
as Supabase's auth server does) gets a profile row; an upload is judged by the storage policies as
role `authenticated`, never as a superuser or the table's owner. Drift reads them back. (Creating,
changing and dropping them, with the down migration, against hand-written SQL: the diff cases
`external_table_objects_created` and `external_table_objects_changed`.)
"""

from __future__ import annotations

import uuid

import pg
import psycopg
import pytest
from catalog_check import read_back
from diff_harness import CASES_DIR, full_sql, load, schema_of, spec_dicts, write_spec

ADA = uuid.UUID("00000000-0000-0000-0000-00000000000a")
BOB = uuid.UUID("00000000-0000-0000-0000-00000000000b")


@pytest.fixture
def starter(tmp_path):
    """The starter's schema (the `created` case's new spec), as IR."""
    _old, new = spec_dicts(load(CASES_DIR / "external_table_objects_created"))
    schema, _sources = schema_of(write_spec(tmp_path / "spec", new))
    return schema


@pytest.fixture
def starter_db(starter, db_url):
    pg.apply_sql(db_url, full_sql(starter))  # the migration seeds the avatars bucket (external storage.buckets)
    pg.apply_sql(db_url, "INSERT INTO storage.buckets (id, name, public) VALUES ('private', 'private', false);")
    return db_url


def test_signing_up_makes_a_profile_through_the_trigger_on_auth_users(starter_db):
    with pg.connect(starter_db) as conn:  # Supabase's auth server inserts the user
        conn.execute(
            "INSERT INTO auth.users (id, email, raw_user_meta_data) VALUES (%s, 'ada@example.com', "
            """'{"full_name": "Ada"}')""",
            (ADA,),
        )
        conn.commit()
    with pg.as_user(starter_db, ADA) as conn:
        rows = conn.execute("SELECT id, full_name FROM profiles").fetchall()
    assert rows == [{"id": ADA, "full_name": "Ada"}]


def test_the_bucket_row_is_seeded_into_the_external_table(starter_db):
    with pg.connect(starter_db) as conn:
        rows = conn.execute("SELECT id, name, public FROM storage.buckets ORDER BY id").fetchall()
    assert rows == [("avatars", "avatars", False), ("documents", "Documents", False), ("private", "private", False)]


def test_storage_policies_judge_uploads_as_role_authenticated(starter_db):
    with pg.connect(starter_db) as conn:
        conn.execute("INSERT INTO auth.users (id) VALUES (%s), (%s)", (ADA, BOB))
        conn.execute(
            "INSERT INTO storage.objects (id, bucket_id, name, owner) VALUES (gen_random_uuid(), 'private', 'x', %s)",
            (BOB,),
        )
        conn.commit()
    with pg.as_user(starter_db, ADA) as conn:
        assert conn.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == {
            "current_user": "authenticated",
            "rolsuper": False,
        }
        conn.execute(
            "INSERT INTO storage.objects (id, bucket_id, name, owner) "
            "VALUES (gen_random_uuid(), 'avatars', 'a.png', %s)",
            (ADA,),
        )
        for bucket, owner in (("private", ADA), ("avatars", BOB)):  # another bucket; someone else's name
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security policy"):
                conn.execute(
                    "INSERT INTO storage.objects (id, bucket_id, name, owner) VALUES (gen_random_uuid(), %s, 'b', %s)",
                    (bucket, owner),
                )
        seen = conn.execute("SELECT bucket_id, name FROM storage.objects").fetchall()
    assert seen == [{"bucket_id": "avatars", "name": "a.png"}]  # the private object is not readable


def test_drift_reads_the_objects_on_external_tables_back(starter, starter_db):
    report, _live, _found = read_back(starter_db, starter)
    assert not report.findings
    pg.apply_sql(
        starter_db,
        # by hand: a spec policy dropped, the spec trigger changed; the owner's own trigger and policy added
        """
        DROP POLICY avatars_insert_own ON storage.objects;
        DROP TRIGGER on_auth_user_created ON auth.users;
        CREATE TRIGGER on_auth_user_created AFTER INSERT OR DELETE ON auth.users
            FOR EACH ROW EXECUTE FUNCTION handle_new_user();
        CREATE FUNCTION storage.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER update_objects_updated_at BEFORE UPDATE ON storage.objects
            FOR EACH ROW EXECUTE FUNCTION storage.touch();
        CREATE POLICY owner_policy ON storage.objects FOR DELETE USING (false);
        CREATE TABLE auth.sessions (id uuid PRIMARY KEY);
        """,
    )
    report, _live, _found = read_back(starter_db, starter)
    assert sorted(f.line for f in report.findings) == [
        (
            "policy avatars_insert_own on storage.objects: missing from the database (the migrations have CREATE "
            "POLICY avatars_insert_own ON storage.objects FOR INSERT TO authenticated WITH CHECK "
            "(is_avatar(bucket_id) AND owner = auth.uid()))"
        ),
        (
            "trigger on_auth_user_created on auth.users: events is INSERT OR DELETE in the database, INSERT in the "
            "migrations"
        ),
    ]
