"""Privileges in full (issue 13, K5) on a real PostgreSQL, where Supabase's default privileges are in force.

The ACLs the from-scratch SQL gives equal those of the same schema written by hand; a migration that adds
revokes and column grants gives the same ACLs, and its down migration gives back exactly the ACLs before
(EXECUTE to PUBLIC and the default privileges' ALL to anon included); as the role (SET ROLE, neither
superuser nor owner), what is revoked really fails; drift and the database tests name a privilege granted
by hand.
"""

from __future__ import annotations

from pathlib import Path

import pg
import psycopg
import pytest
import yaml
from catalog_check import read_back
from click.testing import CliRunner
from schemagen import diff, resolve
from schemagen.cli import main
from schemagen.spec import loader
from schemagen.sql import from_scratch

# Supabase's setup, as its init scripts make it: the API's roles get everything made in public.
SUPABASE_DEFAULTS = """
DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated;
"""

OLD = {
    "migration": {"version": 1, "name": "start"},
    "external": {"roles": ["anon", "authenticated"]},
    "tables": {
        "profiles": {
            "columns": {
                "id": {"type": "uuid", "primary_key": True},
                "name": {"type": "text"},
                "secret": {"type": "text"},
            },
            "row_level_security": True,  # no policy: a privilege lets a role query it, and see no row
        }
    },
    "functions": {
        "is_admin": {
            "returns": "boolean",
            "language": "sql",
            "security": "definer",
            "search_path": [],
            "body": "SELECT true",
        },
        "hello": {"returns": "integer", "language": "sql", "body": "SELECT 1"},
    },
}
NEW = {
    **OLD,
    "revokes": [
        {"privileges": ["all"], "tables": ["profiles"], "from": ["anon"]},
        {"privileges": ["execute"], "functions": ["is_admin"], "from": ["public", "anon", "authenticated"]},
    ],
    "grants": [{"privileges": ["select"], "tables": ["profiles"], "columns": ["id", "name"], "to": ["anon"]}],
}
BY_HAND_OLD = """
CREATE TABLE public.profiles (id uuid PRIMARY KEY, name text, secret text);
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
CREATE FUNCTION public.is_admin() RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$SELECT true$$;
CREATE FUNCTION public.hello() RETURNS integer LANGUAGE sql AS $$SELECT 1$$;
"""
BY_HAND_NEW = (
    BY_HAND_OLD
    + """
REVOKE ALL ON public.profiles FROM anon;
REVOKE EXECUTE ON FUNCTION public.is_admin() FROM PUBLIC, anon, authenticated;
GRANT SELECT (id, name) ON public.profiles TO anon;
"""
)
# Every privilege on the schema's tables, their columns and functions, as aclexplode reads it (a NULL ACL is the
# default one: the owner's, and a function's EXECUTE to PUBLIC).
ACLS = """
SELECT 'table ' || c.relname, coalesce(r.rolname::text, 'PUBLIC'), a.privilege_type, a.is_grantable
FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
UNION ALL
SELECT 'column ' || c.relname || '.' || t.attname, coalesce(r.rolname::text, 'PUBLIC'), a.privilege_type, a.is_grantable
FROM pg_class c JOIN pg_attribute t ON t.attrelid = c.oid AND t.attnum > 0, aclexplode(t.attacl) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
UNION ALL
SELECT 'function ' || p.proname, coalesce(r.rolname::text, 'PUBLIC'), a.privilege_type, a.is_grantable
FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE p.pronamespace = 'public'::regnamespace
ORDER BY 1, 2, 3
"""


def schema_of(spec: dict, tmp: Path, name: str):
    directory = tmp / name
    directory.mkdir()
    (directory / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return resolve.resolve(loader.load_dir(directory, tmp)), directory


def acls(url: str) -> list[tuple]:
    with pg.connect(url) as conn:
        return conn.execute(ACLS).fetchall()


def fails_as(url: str, role: str, sql: str) -> bool:
    """Whether `sql`, run as `role` (SET ROLE: neither superuser nor owner), is refused for lack of a privilege."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"SET ROLE {role}")
        try:
            conn.execute(sql)
        except psycopg.errors.InsufficientPrivilege:
            return True
    return False


def test_from_scratch_acls_equal_the_hand_written_ones_and_deny_as_the_role(pg_admin_url: str, tmp_path: Path) -> None:
    new, _ = schema_of(NEW, tmp_path, "new")
    sql = from_scratch.migration_sql(new, ["spec.yaml"])
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, SUPABASE_DEFAULTS + sql)
        pg.apply_sql(theirs, SUPABASE_DEFAULTS + BY_HAND_NEW)
        assert acls(ours) == acls(theirs)
        assert fails_as(ours, "anon", "SELECT secret FROM profiles")
        assert not fails_as(ours, "anon", "SELECT id, name FROM profiles")
        assert fails_as(ours, "anon", "UPDATE profiles SET name = 'x'")
        assert not fails_as(ours, "authenticated", "SELECT secret FROM profiles")  # revoked from anon only
        for role in ("anon", "authenticated"):
            assert fails_as(ours, role, "SELECT is_admin()")
            assert not fails_as(ours, role, "SELECT hello()")
        report, _live, _found = read_back(ours, new)
        assert not report.findings, [f.line for f in report.findings]


def test_the_migration_and_its_down_give_the_acls_of_the_hand_written_sql(pg_admin_url: str, tmp_path: Path) -> None:
    old, _ = schema_of(OLD, tmp_path, "old")
    new, _ = schema_of(NEW, tmp_path, "new")
    migration = diff.migration(old, new, number=2, name="privileges", previous="0001_start", sources=["spec.yaml"])
    with (
        pg.fresh_database(pg_admin_url) as db,
        pg.fresh_database(pg_admin_url) as hand_old,
        pg.fresh_database(pg_admin_url) as hand_new,
    ):
        pg.apply_sql(db, SUPABASE_DEFAULTS + from_scratch.migration_sql(old, ["spec.yaml"]))
        pg.apply_sql(hand_old, SUPABASE_DEFAULTS + BY_HAND_OLD)
        pg.apply_sql(hand_new, SUPABASE_DEFAULTS + BY_HAND_NEW)
        before = acls(db)
        assert before == acls(hand_old)
        pg.apply_sql(db, migration.up)
        assert acls(db) == acls(hand_new)
        assert fails_as(db, "anon", "SELECT is_admin()")
        pg.apply_sql(db, migration.down)
        assert acls(db) == before  # EXECUTE to PUBLIC, and the default privileges' ALL to anon, given back
        assert not fails_as(db, "anon", "SELECT secret FROM profiles")
        assert not read_back(db, old)[0].findings


def test_on_plain_postgresql_the_down_migration_gives_back_only_what_the_object_had(
    pg_admin_url: str, tmp_path: Path
) -> None:
    """Without Supabase's default privileges anon had nothing on the table: the down migration gives it nothing."""
    old, _ = schema_of(OLD, tmp_path, "old")
    new, _ = schema_of(NEW, tmp_path, "new")
    migration = diff.migration(old, new, number=2, name="privileges", previous="0001_start", sources=["spec.yaml"])
    roles = SUPABASE_DEFAULTS.split("ALTER DEFAULT")[0]
    with pg.fresh_database(pg_admin_url) as db:
        pg.apply_sql(db, roles + from_scratch.migration_sql(old, ["spec.yaml"]))
        before = acls(db)
        pg.apply_sql(db, migration.up)
        pg.apply_sql(db, migration.down)
        assert acls(db) == before


@pytest.mark.parametrize(
    ("sabotage", "named"),
    [
        ("GRANT EXECUTE ON FUNCTION is_admin() TO anon", "EXECUTE on function public.is_admin() to anon"),
        ("GRANT EXECUTE ON FUNCTION is_admin() TO PUBLIC", "EXECUTE on function public.is_admin() to PUBLIC"),
        ("GRANT SELECT (secret) ON profiles TO anon", "SELECT on column public.profiles (secret) to anon"),
        ("GRANT UPDATE ON profiles TO anon", "UPDATE on table public.profiles to anon"),
    ],
)
def test_drift_names_a_privilege_granted_by_hand(pg_admin_url: str, tmp_path: Path, sabotage: str, named: str) -> None:
    new, _ = schema_of(NEW, tmp_path, "new")
    with pg.fresh_database(pg_admin_url) as db:
        pg.apply_sql(db, SUPABASE_DEFAULTS + from_scratch.migration_sql(new, ["spec.yaml"]))
        pg.apply_sql(db, sabotage)
        lines = [f.line for f in read_back(db, new)[0].findings]
        assert any(named in line for line in lines), lines


@pytest.mark.parametrize(
    ("sabotage", "named"),
    [
        ("GRANT EXECUTE ON FUNCTION is_admin() TO PUBLIC", "function public.is_admin(): PUBLIC holds no privilege"),
        ("GRANT EXECUTE ON FUNCTION is_admin() TO anon", "function public.is_admin(): role anon holds no privilege"),
        ("GRANT SELECT (secret) ON profiles TO PUBLIC", "table public.profiles: PUBLIC holds no column privilege"),
        ("GRANT SELECT ON profiles TO anon", "table public.profiles: role anon holds no privilege"),
    ],
)
def test_schemagen_test_names_a_privilege_granted_by_hand(
    pg_admin_url: str, tmp_path: Path, sabotage: str, named: str
) -> None:
    _new, directory = schema_of(NEW, tmp_path, "new")
    (directory / "pyproject.toml").write_text("", encoding="utf-8")
    with pg.fresh_database(pg_admin_url) as db:
        pg.apply_sql(db, SUPABASE_DEFAULTS + from_scratch.migration_sql(_new, ["spec.yaml"]))
        healthy = CliRunner().invoke(main, ["test", "--spec", str(directory), "--database-url", db])
        assert healthy.exit_code == 0, healthy.output
        pg.apply_sql(db, sabotage)
        result = CliRunner().invoke(main, ["test", "--spec", str(directory), "--database-url", db])
        assert result.exit_code == 1, result.output
        failed = [line for line in result.output.splitlines() if line.startswith("not ok")]
        assert any(named in line for line in failed), result.output


# -- default privileges ------------------------------------------------------------------
DEFAULTS = {
    **OLD,
    "schemas": {"private": {}},
    "default_privileges": [
        {"on": "functions", "privileges": ["execute"], "from": ["public"]},
        {"in_schema": "public", "on": "functions", "privileges": ["execute"], "from": ["anon", "authenticated"]},
        {"in_schema": "private", "on": "tables", "privileges": ["select"], "to": ["authenticated"]},
    ],
    "tables": {**OLD["tables"], "private.note": {"columns": {"id": {"type": "integer", "primary_key": True}}}},
    "grants": [{"privileges": ["usage"], "schemas": ["private"], "to": ["authenticated"]}],
}
BY_HAND_DEFAULTS = (
    """
CREATE SCHEMA private;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA private GRANT SELECT ON TABLES TO authenticated;
CREATE TABLE private.note (id integer PRIMARY KEY);
GRANT USAGE ON SCHEMA private TO authenticated;
"""
    + BY_HAND_OLD
)
DEFAULT_ACLS = """
SELECT pg_get_userbyid(d.defaclrole), d.defaclnamespace::regnamespace::text, d.defaclobjtype::text,
    coalesce(r.rolname::text, 'PUBLIC'), a.privilege_type
FROM pg_default_acl d, aclexplode(d.defaclacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
ORDER BY 1, 2, 3, 4, 5
"""


def default_acls(url: str) -> list[tuple]:
    with pg.connect(url) as conn:
        return (
            conn.execute(DEFAULT_ACLS).fetchall()
            + conn.execute(
                "SELECT c.relname, coalesce(r.rolname::text, 'PUBLIC'), a.privilege_type FROM pg_class c, "
                "aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a "
                "LEFT JOIN pg_roles r ON r.oid = a.grantee "
                "WHERE c.relnamespace = 'private'::regnamespace AND c.relkind = 'r' ORDER BY 1, 2, 3"
            ).fetchall()
        )


def test_default_privileges_from_scratch_equal_the_hand_written_ones(pg_admin_url: str, tmp_path: Path) -> None:
    schema, _ = schema_of(DEFAULTS, tmp_path, "defaults")
    sql = from_scratch.migration_sql(schema, ["spec.yaml"])
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, SUPABASE_DEFAULTS + sql)
        pg.apply_sql(theirs, SUPABASE_DEFAULTS + BY_HAND_DEFAULTS)
        assert default_acls(ours) == default_acls(theirs)
        assert acls(ours) == acls(theirs)
        for role in ("anon", "authenticated"):  # the functions were made after the default privileges
            assert fails_as(ours, role, "SELECT is_admin()")
            assert fails_as(ours, role, "SELECT hello()")
        assert not fails_as(ours, "authenticated", "SELECT * FROM private.note")
        assert not read_back(ours, schema)[0].findings


def test_default_privileges_added_then_undone_restore_the_acls(pg_admin_url: str, tmp_path: Path) -> None:
    old, _ = schema_of({**OLD, "schemas": {"private": {}}}, tmp_path, "old")
    new, _ = schema_of({**DEFAULTS, "tables": OLD["tables"]}, tmp_path, "new")
    migration = diff.migration(old, new, number=2, name="defaults", previous="0001_start", sources=["spec.yaml"])
    with pg.fresh_database(pg_admin_url) as db, pg.fresh_database(pg_admin_url) as fresh:
        pg.apply_sql(db, SUPABASE_DEFAULTS + from_scratch.migration_sql(old, ["spec.yaml"]))
        pg.apply_sql(fresh, SUPABASE_DEFAULTS + from_scratch.migration_sql(new, ["spec.yaml"]))
        before = default_acls(db), acls(db)
        pg.apply_sql(db, migration.up)
        assert (default_acls(db), acls(db)) == (default_acls(fresh), acls(fresh))  # as if made after them
        assert fails_as(db, "anon", "SELECT hello()")
        assert not read_back(db, new)[0].findings
        pg.apply_sql(db, migration.down)
        assert (default_acls(db), acls(db)) == before
        assert not fails_as(db, "anon", "SELECT hello()")


@pytest.mark.parametrize(
    ("sabotage", "named"),
    [
        (
            "ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC",
            "default privilege EXECUTE on functions to PUBLIC for role postgres: not in the migrations",
        ),
        (
            "ALTER DEFAULT PRIVILEGES IN SCHEMA private REVOKE SELECT ON TABLES FROM authenticated",
            "default privilege SELECT on tables in schema private to authenticated for role postgres: missing",
        ),
    ],
)
def test_drift_names_a_default_privilege_changed_by_hand(
    pg_admin_url: str, tmp_path: Path, sabotage: str, named: str
) -> None:
    schema, _ = schema_of(DEFAULTS, tmp_path, "defaults")
    with pg.fresh_database(pg_admin_url) as db:
        pg.apply_sql(db, SUPABASE_DEFAULTS + from_scratch.migration_sql(schema, ["spec.yaml"]))
        pg.apply_sql(db, sabotage)
        lines = [f.line for f in read_back(db, schema)[0].findings]
        assert any(named in line for line in lines), lines
