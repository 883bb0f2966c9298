"""Migration 0025 (harden_sync_operations) fixes the reference's defects, proven on PostgreSQL.

Two databases hold the same rows: one at 0024 (the reference, defects and
all), one at 0024 then 0025. Each defect is shown on the first and gone on the
second, acting as the tenant role wherever RLS matters.
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pg
import psycopg
import pytest
from click.testing import CliRunner
from diff_harness import after_main, squawk
from schemagen import resolve
from schemagen.cli import main
from schemagen.lint import Options, lint
from schemagen.spec import config
from schemagen.sql import from_scratch

REPO = Path(__file__).resolve().parent.parent
MIGRATIONS = REPO / "generated" / "migrations"
M0024 = MIGRATIONS / "0024_sync_operations.sql"
M0025 = MIGRATIONS / "0025_harden_sync_operations.sql"
DOWN = MIGRATIONS / "0025_harden_sync_operations.down.sql"
# The bytes of 0024 when it was first written: a written migration never changes.
SHA_0024 = "361a24b4dbc449955840cbf8bd81d082940ed9d06857d541d1b061ff19dda07b"
TODAY = datetime.date(2026, 11, 25)

ORG, USER, OTHER_ORG = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
# Activity rows before 0025: in the monthly partitions and in the MAXVALUE one that 0025 splits up.
LOG_DATES = ["2025-11-15", "2026-01-10", "2026-03-05", "2026-05-20", "2026-05-21", "2027-12-31"]

COUNT_UID_CALLS = """
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM set_config(
        'test.uid_calls', (coalesce(nullif(current_setting('test.uid_calls', true), ''), '0')::int + 1)::text, false
    );
    RETURN nullif(current_setting('request.jwt.claim.sub', true), '')::uuid;
END $$;
"""


def seed(url: str) -> None:
    with pg.connect(url) as conn:
        conn.execute("INSERT INTO organization (id) VALUES (%s), (%s)", (ORG, OTHER_ORG))
        conn.execute("INSERT INTO auth.users_extended (id, org_id) VALUES (%s, %s)", (USER, ORG))
        for i, day in enumerate(LOG_DATES):
            conn.execute(
                "INSERT INTO sync_activity_log (id, org_id, sync_id, action, status, created_at) VALUES "
                "(gen_random_uuid(), %s, %s, 'sync_start', 'completed', %s)",
                (ORG, f"old-{i}", day),
            )
        for org in (ORG, OTHER_ORG):
            for i in range(30):
                conn.execute(
                    "INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items) VALUES (%s, %s, "
                    "'product', 100)",
                    (org, f"seed-{i}"),
                )
        conn.execute(
            "INSERT INTO sync_preview_cache (org_id, sync_type, cache_key) VALUES (%s, 'odoo', 'fresh')", (ORG,)
        )
        conn.execute(
            "INSERT INTO sync_preview_cache (org_id, sync_type, cache_key, expires_at) VALUES (%s, "
            "'shopify', 'expiring', now() + interval '1 second')",
            (ORG,),
        )


@pytest.fixture(scope="module")
def databases(pg_admin_url):
    """{"0024": url, "0025": url}: both seeded with the same rows before the second gets 0025."""
    with pg.fresh_database(pg_admin_url) as old, pg.fresh_database(pg_admin_url) as new:
        for url in (old, new):
            pg.apply_sql(url, pg.standin_sql())
            pg.apply_sql(url, M0024.read_text())
            seed(url)
        time.sleep(1.2)  # the 'expiring' preview row is now expired, in both
        pg.apply_sql_per_statement(new, M0025.read_text())
        yield {"0024": old, "0025": new}


def query(url: str, sql: str, *args: object) -> list[tuple]:
    with pg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(sql, args or None).fetchall()]


# -- the migration itself ------------------------------------------------------


def test_0024_is_byte_identical_and_0025_is_its_successor():
    assert hashlib.sha256(M0024.read_bytes()).hexdigest() == SHA_0024
    assert "-- Migration 0025: harden_sync_operations" in M0025.read_text()


def test_project_spec_lints_clean():
    settings = config.load(REPO)
    schema, origins, _ = resolve.load_located(settings)
    findings = [f for f in lint(schema, origins, Options.from_settings(settings, TODAY)) if f.suppressed is None]
    assert [f for f in findings if f.severity in ("warning", "error")] == []


def test_0025_and_its_down_pass_squawk(tmp_path):
    for path in (M0025, DOWN):
        assert squawk(path.read_text(), tmp_path, path.stem) == []


def test_0024_then_0025_equals_the_spec_from_scratch(databases, pg_admin_url):
    settings = config.load(REPO)
    schema, sources = resolve.load_schema(settings)
    with pg.fresh_database(pg_admin_url) as fresh:
        pg.apply_sql(fresh, pg.standin_sql())
        pg.apply_sql(fresh, from_scratch.migration_sql(schema, sources))
        pg.assert_same_schema(databases["0025"], fresh, label_a="0024 + 0025", label_b="spec from scratch")


def test_down_migration_restores_0024(pg_admin_url):
    with pg.fresh_database(pg_admin_url) as url, pg.fresh_database(pg_admin_url) as reference:
        for db in (url, reference):
            pg.apply_sql(db, pg.standin_sql())
            pg.apply_sql(db, M0024.read_text())
        with pg.connect(url) as conn:
            conn.execute("INSERT INTO organization (id) VALUES (%s)", (ORG,))
            conn.execute(
                "INSERT INTO sync_activity_log (id, org_id, action, status, created_at) VALUES "
                "(gen_random_uuid(), %s, 'sync_start', 'completed', '2026-06-01')",
                (ORG,),
            )
        pg.apply_sql_per_statement(url, M0025.read_text())
        pg.apply_sql_per_statement(url, after_main(M0025.read_text()))  # its later phases run again harmlessly
        pg.apply_sql_per_statement(url, DOWN.read_text())
        pg.apply_sql_per_statement(url, after_main(DOWN.read_text()))
        pg.assert_same_schema(url, reference, label_a="0024 + 0025 + down", label_b="0024")
        assert query(url, "SELECT tableoid::regclass::text FROM sync_activity_log") == [("sync_activity_log_future",)]


def test_the_down_file_says_which_data_it_cannot_take_back():
    header = DOWN.read_text().split("-- schemagen:phase")[0]
    assert (
        "Data the earlier schema cannot hold is not taken back: this down migration stops before it changes anything"
        in header
    )
    assert (
        "--   - a row of sync_preview_cache fails CHECK preview_cache_not_expired (expires_at > NOW()): it "
        "depends on the time" in header
    )
    assert "--   - a value of sync_progress.eta_seconds does not fit integer" in header


def test_the_down_stops_before_any_change_while_rows_hold_what_0024_cannot(pg_admin_url):
    """An expired preview row (0024's CHECK refuses it) and an ETA over 2^31 (0024's integer cannot hold it): both
    named, nothing changed."""
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, pg.standin_sql())
        pg.apply_sql(url, M0024.read_text())
        seed(url)
        pg.apply_sql_per_statement(url, M0025.read_text())
        pg.apply_sql(
            url, "UPDATE sync_preview_cache SET expires_at = now() + interval '1 day' WHERE cache_key = 'expiring'"
        )
        with pg.connect(url) as conn:
            stale = conn.execute(
                "INSERT INTO sync_preview_cache (org_id, sync_type, cache_key, computed_at, expires_at) "
                "VALUES (%s, 'odoo', 'stale', now() - interval '2 hours', now() - interval '1 hour') "
                "RETURNING id",
                (ORG,),
            ).fetchone()[0]
        with pg.as_user(url, USER) as conn:
            slow = conn.execute(
                "INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, started_at) VALUES "
                "(%s, 'slow', 'product', 10000000, now() - interval '3 hours') RETURNING id",
                (ORG,),
            ).fetchone()["id"]
            conn.execute("UPDATE sync_progress SET processed_count = 1 WHERE id = %s", (slow,))
        assert query(url, "SELECT eta_seconds > 2147483647 FROM sync_progress WHERE id = %s", slow) == [(True,)]
        before = (
            pg.schema_dump(url),
            query(url, "SELECT count(*) FROM sync_activity_log"),
            query(url, "SELECT id, expires_at FROM sync_preview_cache ORDER BY id"),
        )
        with pytest.raises(psycopg.Error) as stopped:
            pg.apply_sql_per_statement(url, DOWN.read_text())
        after = (
            pg.schema_dump(url),
            query(url, "SELECT count(*) FROM sync_activity_log"),
            query(url, "SELECT id, expires_at FROM sync_preview_cache ORDER BY id"),
        )
        assert after == before  # every index, partition and row of 0025 is still there
        assert isinstance(stopped.value, psycopg.errors.RaiseException), stopped.value
        message = str(stopped.value)
        assert (
            "1 row(s) of sync_preview_cache violate CHECK preview_cache_not_expired (expires_at > NOW()) "
            f"(first: id={stale})" in message
        )
        assert (
            "column sync_progress.eta_seconds: 1 row(s) hold a value that integer cannot hold unchanged "
            f"(first: id={slow})" in message
        )
        pg.apply_sql(
            url,
            "DELETE FROM sync_preview_cache WHERE expires_at < now(); DELETE FROM sync_progress WHERE "
            "eta_seconds > 2147483647",
        )
        pg.apply_sql_per_statement(url, DOWN.read_text())  # the same file, once the rows are fixed
        assert query(url, "SELECT count(*) FROM pg_class WHERE relname = 'sync_activity_log_future'") == [(1,)]


def log_as_tenant(url: str, sync_id: str, created_at: str) -> str:
    """An activity row written as the tenant, as the completion trigger writes it; returns its partition."""
    with pg.as_user(url, USER) as conn:
        row = conn.execute(
            "INSERT INTO sync_activity_log (id, org_id, sync_id, action, status, created_at) VALUES "
            "(gen_random_uuid(), %s, %s, 'sync_complete', 'completed', %s) RETURNING "
            "tableoid::regclass::text AS part",
            (ORG, sync_id, created_at),
        ).fetchone()
        return str(row["part"])


def test_a_row_outside_every_month_lands_in_the_default_partition(databases):
    """A row dated past the last month (a completion logged at now() in 2028) is kept, not refused."""
    assert log_as_tenant(databases["0024"], "late-0024", "2031-01-01") == "sync_activity_log_future"
    assert log_as_tenant(databases["0025"], "late-0025", "2031-01-01") == "sync_activity_log_default"
    # before the first month too: the reference refuses it
    with pytest.raises(psycopg.errors.CheckViolation, match="no partition of relation"):
        log_as_tenant(databases["0024"], "early-0024", "2025-01-01")
    assert log_as_tenant(databases["0025"], "early-0025", "2025-01-01") == "sync_activity_log_default"


def test_a_later_month_is_added_while_the_default_partition_holds_rows(pg_admin_url, tmp_path):
    """The next month, added to the spec, becomes migration 0026: it takes its rows out of the default partition."""
    shutil.copytree(REPO / "spec", tmp_path / "spec")
    shutil.copytree(REPO / "generated", tmp_path / "generated")
    spec_file = tmp_path / "spec" / "sync_operations.yaml"
    last = '        sync_activity_log_2027_12: {from: "2027-12-01", to: "2028-01-01"}\n'
    spec_file.write_text(
        spec_file.read_text().replace(
            last, last + '        sync_activity_log_2028_01: {from: "2028-01-01", to: "2028-02-01"}\n'
        )
    )
    result = CliRunner().invoke(
        main, ["build", "--spec", str(tmp_path / "spec"), "--out", str(tmp_path / "generated"), "--name", "add_2028_01"]
    )
    assert result.exit_code == 0, result.output
    up, down = (
        (tmp_path / "generated" / "migrations" / f"0026_add_2028_01{suffix}").read_text()
        for suffix in (".sql", ".down.sql")
    )
    where = "SELECT sync_id, tableoid::regclass::text FROM sync_activity_log WHERE sync_id LIKE 'late-%' ORDER BY 1"
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, pg.standin_sql())
        pg.apply_sql(url, M0024.read_text())
        seed(url)
        pg.apply_sql_per_statement(url, M0025.read_text())
        assert log_as_tenant(url, "late-2028-01", "2028-01-15") == "sync_activity_log_default"
        assert log_as_tenant(url, "late-2031", "2031-01-01") == "sync_activity_log_default"
        pg.apply_sql_per_statement(url, up)
        assert query(url, where) == [
            ("late-2028-01", "sync_activity_log_2028_01"),
            ("late-2031", "sync_activity_log_default"),
        ]
        assert query(url, "SELECT count(*) FROM sync_activity_log") == [(len(LOG_DATES) + 2,)]
        pg.apply_sql_per_statement(url, down)
        assert query(url, where) == [
            ("late-2028-01", "sync_activity_log_default"),
            ("late-2031", "sync_activity_log_default"),
        ]


def test_rows_survive_and_the_maxvalue_partition_is_split_into_months(databases):
    for version in ("0024", "0025"):
        assert query(databases[version], "SELECT count(*) FROM sync_progress") == [(60,)]
        assert query(databases[version], "SELECT count(*) FROM sync_preview_cache") == [(2,)]
    rows = (
        "SELECT sync_id, created_at::date::text, tableoid::regclass::text FROM sync_activity_log WHERE sync_id "
        "LIKE 'old-%' ORDER BY sync_id"
    )
    assert [r[2] for r in query(databases["0024"], rows)] == [
        "sync_activity_log_2025_11",
        "sync_activity_log_2026_01",
    ] + ["sync_activity_log_future"] * 4
    assert query(databases["0025"], rows) == [
        (f"old-{i}", day, f"sync_activity_log_{day[:4]}_{day[5:7]}") for i, day in enumerate(LOG_DATES)
    ]
    assert query(databases["0025"], "SELECT count(*) FROM pg_class WHERE relname = 'sync_activity_log_future'") == [
        (0,)
    ]


# -- the defects -----------------------------------------------------------------


def test_a_row_inserted_complete_is_logged(databases):
    logged = {}
    for version, url in databases.items():
        sync_id = f"complete-at-insert-{version}"
        with pg.as_user(url, USER) as conn:
            conn.execute(
                "INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, processed_count) "
                "VALUES (%s, %s, 'order', 5, 5)",
                (ORG, sync_id),
            )
            logged[version] = conn.execute(
                "SELECT action::text, status::text, record_count FROM sync_activity_log WHERE sync_id = %s", (sync_id,)
            ).fetchall()
    assert logged["0024"] == []  # the reference's trigger fires only AFTER UPDATE
    assert logged["0025"] == [{"action": "sync_complete", "status": "completed", "record_count": 5}]


def test_a_slow_start_of_a_large_sync_can_be_updated(databases):
    for version, url in databases.items():
        sync_id = f"slow-{version}"
        with pg.as_user(url, USER) as conn:
            row = conn.execute(
                "INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, started_at) VALUES "
                "(%s, %s, 'product', 10000000, now() - interval '3 hours') RETURNING id",
                (ORG, sync_id),
            ).fetchone()
            update = "UPDATE sync_progress SET processed_count = 1 WHERE id = %s RETURNING eta_seconds, elapsed_seconds"
            if version == "0024":
                with pytest.raises(psycopg.errors.NumericValueOutOfRange, match="integer out of range"):
                    conn.execute(update, (row["id"],))
            else:
                got = conn.execute(update, (row["id"],)).fetchone()
                # the remaining items at the observed rate
                assert got["eta_seconds"] == (10_000_000 - 1) * got["elapsed_seconds"]


def test_expired_preview_rows_can_be_updated(databases):
    for version, url in databases.items():
        with pg.as_user(url, USER) as conn:
            statement = (
                "UPDATE sync_preview_cache SET delta_json = '{\"seen\": true}' WHERE cache_key = 'expiring' "
                "RETURNING expires_at < now() AS expired"
            )
            if version == "0024":
                with pytest.raises(psycopg.errors.CheckViolation, match="preview_cache_not_expired"):
                    conn.execute(statement)
            else:
                assert conn.execute(statement).fetchone() == {"expired": True}
    # the replacement keeps the intent: an entry cannot expire before it was computed
    with (
        pg.as_user(databases["0025"], USER) as conn,
        pytest.raises(psycopg.errors.CheckViolation, match="preview_cache_expires_after_computed"),
    ):
        conn.execute(
            "INSERT INTO sync_preview_cache (org_id, sync_type, expires_at) VALUES (%s, 'odoo', now() - "
            "interval '1 minute')",
            (ORG,),
        )


def restore(admin_url: str, source: str) -> subprocess.CompletedProcess[str]:
    """pg_dump of `source` (schema and rows) restored into a new database, stopping at the first error.

    With the client tools of the server's own major version: a newer
    pg_restore writes settings an older server refuses (18's
    transaction_timeout on 16), which says nothing about the dump. Without
    them the test is skipped, saying which tools to install.
    """
    major = pg.server_major(source)
    dump_bin, restore_bin = pg.client_tool("pg_dump", major), pg.client_tool("pg_restore", major)
    if dump_bin is None or restore_bin is None:
        pytest.skip(
            f"no pg_dump and pg_restore of PostgreSQL {major} (the server's version) on this machine: "
            "install its client tools or name their directory in SCHEMAGEN_TEST_PG_BIN"
        )
    with pg.fresh_database(admin_url) as target:
        dump = subprocess.run(
            [str(dump_bin), "--format=custom", "--dbname", source], capture_output=True, check=True, timeout=120
        ).stdout
        proc = subprocess.run(
            [str(restore_bin), "--exit-on-error", "--dbname", target],
            input=dump,
            check=False,
            capture_output=True,
            timeout=120,
        )
        if proc.returncode == 0:
            assert query(target, "SELECT count(*) FROM sync_preview_cache WHERE expires_at < now()") == [(1,)]
        return subprocess.CompletedProcess(proc.args, proc.returncode, "", proc.stderr.decode())


def test_a_restore_without_client_tools_of_the_servers_version_is_skipped_with_the_reason(
    databases, pg_admin_url, monkeypatch
):
    """A server whose version no local pg_restore has (a 16 beside tools of 15 and 18): skipped with the reason, not
    failed on a setting."""
    every = pg._client_candidates
    monkeypatch.setattr(pg, "server_major", lambda url: 16)
    monkeypatch.setattr(pg, "_client_candidates", lambda tool: [p for p in every(tool) if pg._tool_major(p) != 16])
    pg.client_tool.cache_clear()
    try:
        with pytest.raises(pytest.skip.Exception, match="no pg_dump and pg_restore of PostgreSQL 16"):
            restore(pg_admin_url, databases["0025"])
    finally:
        pg.client_tool.cache_clear()


def test_a_dump_holding_expired_rows_restores(databases, pg_admin_url):
    old = restore(pg_admin_url, databases["0024"])
    assert old.returncode == 1 and "preview_cache_not_expired" in old.stderr  # pg_restore's exit for errors
    new = restore(pg_admin_url, databases["0025"])
    assert new.returncode == 0, new.stderr


def test_policies_evaluate_auth_uid_once_per_statement(databases):
    """auth.uid() counts its calls; an UPDATE checks USING and WITH CHECK, each once per statement after 0025."""
    calls: dict[tuple[str, str], int] = {}
    statements = {
        "select": "SELECT count(*) FROM sync_progress",
        "update 30 rows": "UPDATE sync_progress SET job_id = 'job' WHERE sync_id LIKE 'seed-%%'",
        "update 1 row": "UPDATE sync_progress SET job_id = 'job' WHERE sync_id = 'seed-1'",
    }
    for version, url in databases.items():
        with pg.connect(url) as conn:
            conn.execute(COUNT_UID_CALLS)
        with pg.as_user(url, USER) as conn:
            for name, sql in statements.items():
                conn.execute("SELECT set_config('test.uid_calls', '0', false)")
                conn.execute(sql)
                calls[(version, name)] = int(
                    conn.execute("SELECT current_setting('test.uid_calls') AS c").fetchone()["c"]
                )
    assert calls[("0024", "update 30 rows")] >= 30  # once per row
    assert calls[("0025", "select")] == 1
    assert calls[("0025", "update 30 rows")] == calls[("0025", "update 1 row")] == 2


def test_every_function_has_a_fixed_search_path(databases):
    rows = query(
        databases["0025"],
        "SELECT proname, proconfig FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY proname",
    )
    assert len(rows) == 5
    assert all(config == ["search_path=public"] for _name, config in rows), rows


def test_redundant_indexes_are_gone_and_foreign_keys_have_one(databases):
    url = databases["0025"]
    names = {r[0] for r in query(url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
    assert not {"idx_sync_preview_cache_key", "idx_sync_progress_org_sync"} & names
    leading = query(
        url,
        """
        SELECT c.conrelid::regclass::text, a.attname, EXISTS (
            SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1] AND i.indisvalid)
        FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND c.conparentid = 0
        ORDER BY 1, 2
        """,
    )
    assert ("sync_preview_cache", "computed_by", True) in leading and ("sync_progress", "initiated_by", True) in leading
    assert all(indexed for _table, _column, indexed in leading), leading
