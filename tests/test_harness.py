"""The harness itself: server, throwaway databases, reference SQL, dumps, diffs."""

from __future__ import annotations

import pg
import psycopg
import pytest
from reference_sql import extract_schema_sql, reference_sql


def test_server_is_a_superuser_connection(pg_admin_url):
    with pg.connect(pg_admin_url) as conn:
        assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
        row = conn.execute(
            "SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'authenticated'"
        ).fetchone()
    assert row == (False, False, False), "role authenticated must exist, NOLOGIN, no superuser/bypassrls"


def test_fresh_database_is_empty_and_dropped_afterwards(pg_admin_url):
    with pg.fresh_database(pg_admin_url) as url:
        assert pg.database_exists(pg_admin_url, url)
        with pg.connect(url) as conn:
            n = conn.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            ).fetchone()[0]
        assert n == 0
    assert not pg.database_exists(pg_admin_url, url)


def test_each_test_gets_its_own_database(db_url, pg_admin_url):
    assert db_url != pg_admin_url
    with pg.connect(db_url) as conn:
        name = conn.execute("SELECT current_database()").fetchone()[0]
    assert name.startswith("schemagen_test_")


def test_reference_sql_is_runnable_text():
    sql = reference_sql()
    # enums first, usage block left out, everything else kept
    assert sql.lstrip().startswith("CREATE TYPE")
    assert sql.index("CREATE TYPE sync_status_type") < sql.index("CREATE TABLE sync_preview_cache")
    assert "SELECT * FROM auto_cleanup_preview_cache()" not in sql
    assert sql.count("CREATE POLICY") == 12
    assert sql.count("CREATE TYPE") == 4
    assert "ENABLE ROW LEVEL SECURITY" in sql


def test_extract_schema_sql_moves_enums_and_skips_usage():
    md = (
        "# x\n```sql\nCREATE TABLE t (k kind);\n```\n"
        "```sql\nSELECT * FROM auto_cleanup_preview_cache();\n```\n"
        "```sql\nCREATE TYPE kind AS ENUM ('a(b)', 'it''s');\n```\n"
    )
    assert extract_schema_sql(md) == "CREATE TYPE kind AS ENUM ('a(b)', 'it''s');\n\nCREATE TABLE t (k kind);\n"


def test_reference_applies_on_standins(standin_db):
    pg.apply_sql(standin_db, reference_sql())
    with pg.connect(standin_db) as conn:
        tables = dict(
            conn.execute(
                "SELECT relname, relrowsecurity FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                "AND relname IN ('sync_preview_cache', 'sync_progress', 'sync_activity_log')"
            ).fetchall()
        )
        policies = conn.execute("SELECT count(*) FROM pg_policies WHERE schemaname = 'public'").fetchone()[0]
        partitions = conn.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'sync_activity_log'::regclass"
        ).fetchone()[0]
        triggers = {
            r[0]
            for r in conn.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'sync_progress'::regclass AND NOT tgisinternal"
            )
        }
    assert tables == {"sync_preview_cache": True, "sync_progress": True, "sync_activity_log": True}
    assert policies == 12
    assert partitions == 5
    assert triggers == {
        "sync_progress_update_elapsed",
        "sync_progress_validate_totals",
        "sync_progress_update_timestamp",
        "sync_progress_log_completion",
    }


def test_reference_as_written_fails_without_enum_reordering(standin_db):
    """Documents the reference's ordering defect that reference_sql() corrects."""
    from reference_sql import reference_text, sql_blocks

    blocks = [b for b in sql_blocks(reference_text()) if "SELECT * FROM auto_cleanup" not in b]
    with pytest.raises(psycopg.errors.UndefinedObject, match='type "sync_type" does not exist'):
        pg.apply_sql(standin_db, "\n".join(blocks))


def test_dump_is_normalised(migrated_db):
    dump = pg.schema_dump(migrated_db)
    assert "CREATE TABLE public.sync_progress" in dump
    assert "CREATE POLICY sync_progress_select" in dump
    for line in dump.splitlines():
        assert not line.startswith(("\\restrict", "\\unrestrict", "SET ", "--", "SELECT pg_catalog.set_config"))
    assert "\n\n\n" not in dump


def _build_twice(admin_url, tweak_b=None):
    a, b = pg.create_database(admin_url), pg.create_database(admin_url)
    try:
        for url in (a, b):
            pg.build_database(url, pg.standin_sql(), reference_sql())
        if tweak_b:
            pg.apply_sql(b, tweak_b)
        return a, b
    except BaseException:
        pg.drop_database(admin_url, a)
        pg.drop_database(admin_url, b)
        raise


@pytest.fixture
def two_dbs(pg_admin_url):
    made = []

    def build(tweak_b=None):
        a, b = _build_twice(pg_admin_url, tweak_b)
        made.extend([a, b])
        return a, b

    yield build
    for url in made:
        pg.drop_database(pg_admin_url, url)


def test_same_build_gives_same_dump(two_dbs):
    a, b = two_dbs()
    pg.assert_same_schema(a, b)
    assert pg.schema_dump(a) == pg.schema_dump(b)


def test_missing_index_is_reported_by_name(two_dbs):
    a, b = two_dbs("DROP INDEX idx_sync_progress_entity;")
    with pytest.raises(AssertionError) as exc:
        pg.assert_same_schema(a, b, label_a="full", label_b="missing one index")
    message = str(exc.value)
    assert "--- full" in message and "+++ missing one index" in message
    removed = [ln for ln in message.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    assert any("idx_sync_progress_entity" in ln for ln in removed), message
    assert not any("idx_sync_progress_updated" in ln for ln in removed), message


def test_comment_differences_can_be_ignored(two_dbs):
    a, b = two_dbs("COMMENT ON TABLE sync_progress IS 'multi-line\n; comment with ''quotes''';")
    with pytest.raises(AssertionError, match="COMMENT ON TABLE public.sync_progress"):
        pg.assert_same_schema(a, b)
    pg.assert_same_schema(a, b, ignore_comments=True)


def test_ignore_comments_still_sees_other_differences(two_dbs):
    a, b = two_dbs("COMMENT ON TABLE sync_progress IS 'x'; DROP INDEX idx_sync_activity_log_status;")
    with pytest.raises(AssertionError, match="idx_sync_activity_log_status"):
        pg.assert_same_schema(a, b, ignore_comments=True)


def test_as_user_is_not_privileged(migrated_db, tenants):
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        row = conn.execute(
            "SELECT current_user AS who, auth.uid() AS uid, "
            "(SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) AS privileged, "
            "(SELECT tableowner FROM pg_tables WHERE tablename = 'sync_progress') AS owner"
        ).fetchone()
    assert row["who"] == "authenticated"
    assert row["uid"] == tenants.a.user_id
    assert row["privileged"] is False
    assert row["owner"] != "authenticated"


def test_inject_failure_goes_before_final_commit():
    script = "BEGIN;\nCREATE TABLE t (x int);\nCOMMIT;\n"
    assert pg.inject_failure(script) == "BEGIN;\nCREATE TABLE t (x int);\n" + pg.INJECTED_FAILURE + "COMMIT;\n"
    assert pg.inject_failure("CREATE TABLE t (x int);").endswith(pg.INJECTED_FAILURE)
    # an END; inside a function body is not a COMMIT
    body = "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\nRETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\n"
    assert pg.inject_failure(body) == body + pg.INJECTED_FAILURE
    assert pg.inject_failure("BEGIN;\n" + body + "commit;\n") == "BEGIN;\n" + body + pg.INJECTED_FAILURE + "commit;\n"


def test_atomicity_check_accepts_a_transactional_script(pg_admin_url):
    pg.check_migration_atomic(pg_admin_url, "BEGIN;\n" + reference_sql() + "\nCOMMIT;\n")


def test_atomicity_check_rejects_a_script_without_its_own_transaction(pg_admin_url):
    # The reference SQL has no BEGIN/COMMIT: run statement by statement, as
    # psql -f does, a late failure leaves the earlier objects behind.
    with pytest.raises(AssertionError, match=r"\+CREATE TABLE public\.sync_progress"):
        pg.check_migration_atomic(pg_admin_url, reference_sql())


def test_atomicity_check_reports_a_migration_that_breaks_early(pg_admin_url):
    with pytest.raises(AssertionError, match="failed before the injected statement"):
        pg.check_migration_atomic(pg_admin_url, "BEGIN;\nCREATE TABLE nope (x no_such_type);\nCOMMIT;\n")
