"""`schemagen migrate` on a real PostgreSQL: the whole chain, twice; two runs at once; a run
killed part way and resumed; refusals (edited or unknown migrations, a held lock, bad URLs),
each with exit 1 and its message; `--to` / `down --to` round trips; `--baseline`; retries
on a lock timeout.

Every run is the installed command in a process of its own, as a deploy job runs it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pg
import psycopg
import pytest

REPO = Path(__file__).resolve().parent.parent
GENERATED = REPO / "generated"
UP_0025 = "0025_harden_sync_operations"
SCHEMAGEN = [sys.executable, "-c", "from schemagen.cli import run; run()"]


def migrate(
    url: str | None, *args: str, out: Path = GENERATED, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`schemagen migrate ARGS --database-url URL --out OUT` in a process of its own."""
    command = [*SCHEMAGEN, "migrate", *args, "--out", str(out)] + (["--database-url", url] if url is not None else [])
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | (env or {})
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300, env=environment, check=False)


def start(url: str, *args: str) -> subprocess.Popen[str]:
    command = [*SCHEMAGEN, "migrate", *args, "--out", str(GENERATED), "--database-url", url]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The error of a run that must exit 1, with no traceback."""
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


def history(url: str) -> list[tuple[int, str, str]]:
    with pg.connect(url) as conn:
        return [  # type: ignore[misc]
            tuple(r)
            for r in conn.execute(
                "SELECT version, checksum, phase FROM schemagen.schemagen_migrations ORDER BY version"
            )
        ]


def manifest_checksum(stem: str, out: Path = GENERATED) -> str:
    return str(json.loads((out / "manifest.json").read_text())["files"][f"migrations/{stem}.sql"])


def seed_future_rows(url: str, rows: int) -> None:
    """Rows in the MAXVALUE partition that 0025 splits: its copy phase moves them, in batches."""
    with pg.connect(url) as conn:
        conn.execute("INSERT INTO organization (id) SELECT gen_random_uuid() FROM generate_series(1, 10)")
        conn.execute(
            "INSERT INTO sync_activity_log (id, org_id, sync_id, action, status, created_at) "
            "SELECT gen_random_uuid(), (SELECT id FROM organization ORDER BY id LIMIT 1), 'seed-' || g, "
            "'batch_process', 'completed', "
            "timestamptz '2026-03-01' + (g %% 600) * interval '1 day' FROM generate_series(1, %s) g",
            (rows,),
        )


def activity_rows(url: str) -> tuple[int, int]:
    with pg.connect(url) as conn:
        row = conn.execute("SELECT count(*), count(DISTINCT (id, created_at)) FROM sync_activity_log").fetchone()
        assert row is not None
        return int(row[0]), int(row[1])


@pytest.fixture
def second_db(pg_admin_url):
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, pg.standin_sql())
        yield url


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of generated/ that a test may change (the migrations' bytes and the manifest)."""
    out = tmp_path / "generated"
    shutil.copytree(GENERATED / "migrations", out / "migrations")
    shutil.copy(GENERATED / "manifest.json", out / "manifest.json")
    return out


def rewrite(out: Path, stem: str, text: str) -> None:
    """Change a migration and its manifest entry alike (what `build` refuses, but a hand can do)."""
    (out / "migrations" / f"{stem}.sql").write_text(text)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"][f"migrations/{stem}.sql"] = hashlib.sha256(text.encode()).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


# -- the chain ---------------------------------------------------------------------------


def test_a_fresh_database_takes_the_whole_chain_then_has_nothing_to_do(standin_db, second_db):
    output = ok(migrate(standin_db))
    assert "0024_sync_operations: applied" in output and f"{UP_0025}: applied" in output
    for phase in ("precheck", "copy", "main", "after", "final"):
        assert f"  {phase} " in output, output  # progress per phase, with its time
    assert history(standin_db) == [
        (24, manifest_checksum("0024_sync_operations"), "done"),
        (25, manifest_checksum(UP_0025), "done"),
    ]
    again = ok(migrate(standin_db))
    assert f"nothing to do: the database is at {UP_0025}" in again
    # The same catalog as the files applied with psql's rules (statement by statement, stopping at an error).
    for stem in ("0024_sync_operations", UP_0025):
        pg.apply_sql_per_statement(second_db, (GENERATED / "migrations" / f"{stem}.sql").read_text())
    assert pg.schema_dump(standin_db, exclude_schemas=("schemagen",)) == pg.schema_dump(second_db)


def test_dry_run_prints_the_phases_and_changes_nothing(standin_db):
    output = ok(migrate(standin_db, "--dry-run"))
    assert "0024_sync_operations: would apply" in output
    assert f"{UP_0025}: would apply (generated/migrations/{UP_0025}.sql)" in output
    # a phase starts at its marker line
    marker = (
        (GENERATED / "migrations" / f"{UP_0025}.sql")
        .read_text()
        .splitlines()
        .index("-- schemagen:phase copy no-transaction")
    )
    assert f"  copy      no transaction  lines {marker + 1}-" in output
    with pg.connect(standin_db) as conn:
        assert conn.execute(
            "SELECT to_regclass('schemagen.schemagen_migrations'), to_regclass('public.sync_progress')"
        ).fetchone() == (None, None)


def test_the_round_trip_to_down_and_up_again_ends_in_the_same_catalog(standin_db, second_db):
    ok(migrate(standin_db, "--to", "24"))
    assert [v for v, _c, _p in history(standin_db)] == [24]
    ok(migrate(standin_db))
    taken_back = ok(migrate(standin_db, "down", "--to", "24"))
    assert f"{UP_0025}: taken back" in taken_back
    assert [v for v, _c, _p in history(standin_db)] == [24]
    ok(migrate(second_db, "--to", "24"))
    assert pg.schema_dump(standin_db) == pg.schema_dump(second_db)  # the down undid 0025 entirely
    ok(migrate(standin_db))
    ok(migrate(second_db))
    assert pg.schema_dump(standin_db) == pg.schema_dump(second_db)


def test_baseline_records_without_running_then_applies_the_rest(standin_db):
    # made by hand, as before schemagen migrate
    pg.apply_sql(standin_db, (GENERATED / "migrations" / "0024_sync_operations.sql").read_text())
    without = refused(migrate(standin_db))
    assert "phase main of 0024_sync_operations failed" in without and "already exists" in without
    assert "adopt it with `schemagen migrate --baseline VERSION`" in without
    output = ok(migrate(standin_db, "--baseline", "24"))
    assert "0024_sync_operations: recorded as applied, not run (--baseline)" in output
    assert f"{UP_0025}: applied" in output
    with pg.connect(standin_db) as conn:
        assert conn.execute(
            "SELECT version, duration_ms, phase FROM schemagen.schemagen_migrations ORDER BY version"
        ).fetchall() == [  # type: ignore[index]
            (24, None, "done"),
            (
                25,
                conn.execute("SELECT duration_ms FROM schemagen.schemagen_migrations WHERE version = 25").fetchone()[0],
                "done",
            ),
        ]
    assert "--baseline adopts a database without history" in refused(migrate(standin_db, "--baseline", "24"))


def test_history_schema_comes_from_the_command_line(standin_db):
    ok(migrate(standin_db, "--to", "24", "--history-schema", "deploy_history"))
    with pg.connect(standin_db) as conn:
        assert conn.execute("SELECT count(*) FROM deploy_history.schemagen_migrations").fetchone() == (1,)
        assert conn.execute("SELECT to_regclass('schemagen.schemagen_migrations')").fetchone() == (None,)
    assert "--history-schema" in refused(migrate(standin_db, "--history-schema", "Bad-Name"))


# -- two runs at once ---------------------------------------------------------------------


def _connected(url: str, runs: int) -> None:
    """Until `runs` runs of schemagen migrate are connected (an event, not a time); the lock is taken meanwhile, so
    each then waits for it."""
    deadline = time.monotonic() + 120
    with pg.connect(url) as conn:
        while time.monotonic() < deadline:
            found = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'schemagen migrate' "
                "AND datname = current_database()"
            ).fetchone()
            if found and found[0] >= runs:
                return
            time.sleep(0.02)
    raise AssertionError(f"{runs} runs never connected")


def test_two_runs_at_once_one_applies_the_other_waits_then_finds_nothing(standin_db):
    from schemagen.db.history import History

    ok(migrate(standin_db, "--to", "24"))
    seed_future_rows(standin_db, 60_000)  # 0025's copy phase takes a while
    with pg.connect(standin_db) as holder:  # both start while the lock is taken: neither can be done before the other
        holder.execute("SELECT pg_advisory_lock(%s)", (History(holder, "schemagen").key,))
        first, second = start(standin_db), start(standin_db)
        _connected(standin_db, 2)
    outputs = [p.communicate(timeout=300) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    applied = [out for out, _err in outputs if f"{UP_0025}: applied" in out]
    found_nothing = [out for out, _err in outputs if f"nothing to do: the database is at {UP_0025}" in out]
    assert len(applied) == 1 and len(found_nothing) == 1 and applied[0] is not found_nothing[0], outputs
    assert "waiting up to 300 s for the lock held by another run (pid " in found_nothing[0]
    assert [v for v, _c, p in history(standin_db) if p == "done"] == [24, 25]
    assert activity_rows(standin_db) == (60_000, 60_000)


def test_a_run_that_waits_too_long_for_the_lock_names_its_holder(standin_db):
    from schemagen.db.history import History

    with pg.connect(standin_db) as holder:
        holder.execute("SET application_name = 'deploy job 41'")
        holder.execute("SELECT pg_advisory_lock(%s)", (History(holder, "schemagen").key,))
        pid = holder.info.backend_pid
        began = time.monotonic()
        error = refused(migrate(standin_db, "--lock-wait", "1"))
        assert time.monotonic() - began >= 1
    assert f"another migration run holds the lock on schemagen.schemagen_migrations (pid {pid}, user " in error
    assert "application 'deploy job 41'" in error and "waited 1 s (--lock-wait)" in error
    assert f"SELECT pg_terminate_backend({pid});" in error


def test_a_lock_released_between_the_try_and_the_look_up_is_taken_without_a_waiting_message(standin_db):
    """The holder ends after pg_try_advisory_lock failed and before its look-up found it: the run takes the lock on
    its next try, and says it waits for someone only when it can name them (the flaky message of two runs at once)."""
    from schemagen.db.history import History

    told: list[str] = []
    with pg.connect(standin_db) as holder, pg.connect(standin_db) as conn:
        key = History(holder, "schemagen").key
        holder.execute("SELECT pg_advisory_lock(%s)", (key,))

        class Released(History):
            def holder(self):  # the holder's session ends just before the look-up
                holder.execute("SELECT pg_advisory_unlock(%s)", (key,))
                return super().holder()

        Released(conn, "schemagen").lock(5, told.append)
        assert conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        ).fetchone() == (1,)
    assert told == []


# -- a run killed part way -------------------------------------------------------------------


def _kill_when(url: str, condition: str, process: subprocess.Popen[str], timeout: float = 60) -> int:
    """pg_terminate_backend the run's connection as soon as pg_stat_activity shows `condition`."""
    deadline = time.monotonic() + timeout
    with pg.connect(url) as conn:
        while time.monotonic() < deadline and process.poll() is None:
            row = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'schemagen migrate' AND "
                f"datname = current_database() AND {condition}"
            ).fetchone()
            if row:
                conn.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                return int(row[0])
            time.sleep(0.02)
    raise AssertionError(f"the run never reached {condition}: {process.communicate()}")


def test_a_run_killed_in_the_copy_phase_resumes_and_ends_like_an_uninterrupted_one(standin_db, second_db):
    for url in (standin_db, second_db):
        ok(migrate(url, "--to", "24"))
        seed_future_rows(url, 60_000)
    run = start(standin_db)
    _kill_when(standin_db, "query LIKE '%schemagen_sync_activity_log_copied%' AND state = 'active'", run)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 1, (out, err)
    assert (
        f"{UP_0025}.sql:" in err and f"phase copy of {UP_0025} failed: the connection to the database was lost" in err
    ), err
    assert "Traceback" not in err
    assert [(v, p) for v, _c, p in history(standin_db)] == [(24, "done"), (25, "precheck")]
    resumed = ok(migrate(standin_db))
    assert f"{UP_0025}: resuming after phase precheck" in resumed
    assert "  precheck " in resumed and "  copy " in resumed  # the checks run again before the main transaction
    ok(migrate(second_db))
    assert pg.schema_dump(standin_db) == pg.schema_dump(second_db)
    assert activity_rows(standin_db) == activity_rows(second_db) == (60_000, 60_000)


def test_a_run_killed_in_the_main_transaction_kept_nothing_of_it_and_resumes(standin_db, second_db):
    for url in (standin_db, second_db):
        ok(migrate(url, "--to", "24"))
    with pg.connect(standin_db) as blocker:
        blocker.execute("BEGIN")
        # main's ALTER TABLE waits for it (lock_timeout 1s, retried)
        blocker.execute("LOCK TABLE sync_progress IN ACCESS SHARE MODE")
        run = start(standin_db, "--retries", "20")
        _kill_when(standin_db, "wait_event_type = 'Lock'", run)
        blocker.execute("ROLLBACK")
    out, err = run.communicate(timeout=60)
    assert run.returncode == 1 and f"phase main of {UP_0025} failed: the connection to the database was lost" in err, (
        out,
        err,
    )
    assert "none of it was kept" in err
    assert [(v, p) for v, _c, p in history(standin_db)] == [(24, "done"), (25, "copy")]
    with pg.connect(standin_db) as conn:  # the main transaction's changes are not there: eta_seconds is still integer
        assert conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
            "'sync_progress'::regclass AND attname = 'eta_seconds'"
        ).fetchone() == ("integer",)
    ok(migrate(standin_db))
    ok(migrate(second_db))
    assert pg.schema_dump(standin_db) == pg.schema_dump(second_db)


# -- lock timeouts and retries ------------------------------------------------------------------


def _hold(url: str, ready: threading.Event, release: threading.Event) -> None:
    """Hold a lock that the main phase of 0025 waits for, until `release` is set."""
    with pg.connect(url) as conn:
        conn.execute("BEGIN")
        conn.execute("LOCK TABLE sync_progress IN ACCESS SHARE MODE")
        ready.set()
        release.wait(120)
        conn.execute("ROLLBACK")


def _release_after_a_timeout(url: str, release: threading.Event) -> None:
    """Set `release` once the run waits on the lock in a second attempt: its first one timed out, however long
    the machine took to get it there (an event, not a time)."""
    deadline = time.monotonic() + 120
    attempts: set[tuple[object, object]] = set()
    with pg.connect(url) as conn:
        while time.monotonic() < deadline and len(attempts) < 2:
            row = conn.execute(
                "SELECT pid, query_start FROM pg_stat_activity WHERE application_name = 'schemagen migrate' AND "
                "datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row:
                attempts.add((row[0], row[1]))
            time.sleep(0.02)
    release.set()


def test_a_phase_that_times_out_on_a_lock_is_retried_with_backoff(standin_db):
    ok(migrate(standin_db, "--to", "24"))
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold, args=(standin_db, ready, release))
    holder.start()
    ready.wait(10)
    releaser = threading.Thread(target=_release_after_a_timeout, args=(standin_db, release))
    releaser.start()
    output = ok(migrate(standin_db, "--retries", "5"))
    releaser.join()
    holder.join()
    assert f"lock timeout at generated/migrations/{UP_0025}.sql:" in output and "retry 1 of 5 in 1 s" in output, output
    assert f"{UP_0025}: applied" in output


def test_a_phase_that_still_times_out_after_its_retries_stops_with_exit_1(standin_db):
    ok(migrate(standin_db, "--to", "24"))
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold, args=(standin_db, ready, release))
    holder.start()
    ready.wait(10)
    error = refused(migrate(standin_db, "--retries", "1"))
    release.set()
    holder.join()
    assert f"phase main of {UP_0025} failed: canceling statement due to lock timeout (SQLSTATE 55P03)" in error, error
    assert "after 1 retry (--retries)" in error and "none of it was kept" in error
    assert [(v, p) for v, _c, p in history(standin_db)] == [(24, "done"), (25, "copy")]


# -- refusals -------------------------------------------------------------------------------


def test_a_migration_edited_after_it_was_applied_is_refused_with_both_checksums(standin_db, project):
    ok(migrate(standin_db, out=project))
    applied = manifest_checksum(UP_0025, project)
    path = project / "migrations" / f"{UP_0025}.sql"
    rewrite(
        project, UP_0025, path.read_text().replace("SET statement_timeout = '30min';", "SET statement_timeout = '1h';")
    )
    edited = manifest_checksum(UP_0025, project)
    error = refused(migrate(standin_db, out=project))
    assert (
        f"{UP_0025}.sql: changed since it was applied to this database: applied with checksum {applied}, "
        f"the file's is {edited}" in error
    ), error


def test_a_migration_edited_without_its_manifest_is_refused_before_connecting(project):
    path = project / "migrations" / f"{UP_0025}.sql"
    path.write_text(path.read_text() + "-- a note\n")
    error = refused(migrate("postgresql://nobody@127.0.0.1:1/none", out=project))
    assert f"{UP_0025}.sql:1:1: E061 migration was edited by hand" in error, error


def test_a_version_the_folder_lacks_is_refused(standin_db):
    ok(migrate(standin_db))
    with pg.connect(standin_db) as conn:
        conn.execute(
            "INSERT INTO schemagen.schemagen_migrations (version, name, checksum, schemagen_version, "
            "phase) VALUES (26, 'from_elsewhere', 'abc', '0.1.0', 'done')"
        )
    error = refused(migrate(standin_db))
    assert (
        "the database has migration 0026 (from_elsewhere) applied, which generated/migrations/ does not have" in error
    ), error
    assert "0026" in refused(migrate(standin_db, "down", "--to", "24"))


def test_a_migration_skipped_under_a_later_one_is_refused(standin_db):
    ok(migrate(standin_db))
    with pg.connect(standin_db) as conn:
        conn.execute("DELETE FROM schemagen.schemagen_migrations WHERE version = 24")
    assert "0024_sync_operations not applied while a later migration is" in refused(migrate(standin_db))


def test_rows_the_checks_refuse_stop_the_run_before_any_change(standin_db):
    ok(migrate(standin_db, "--to", "24"))
    with pg.connect(standin_db) as conn:
        conn.execute("INSERT INTO organization (id) VALUES (gen_random_uuid())")
        # 0024 takes it (it expires in the future); 0025's CHECK expires_at > computed_at does not
        conn.execute(
            "INSERT INTO sync_preview_cache (org_id, sync_type, cache_key, computed_at, expires_at) SELECT "
            "id, 'odoo', 'k', now() + interval '2 hours', now() + interval '1 hour' FROM organization"
        )
    error = refused(migrate(standin_db))
    assert (
        f"generated/migrations/{UP_0025}.sql:" in error
        and f"phase precheck of {UP_0025} failed: the migration cannot run: rows hold data it cannot take" in error
    ), error
    assert "violate CHECK preview_cache_expires_after_computed" in error
    assert [(v, p) for v, _c, p in history(standin_db)] == [(24, "done")]


def test_to_and_down_refuse_what_they_cannot_do(standin_db):
    ok(migrate(standin_db))
    assert "--to 99: no such migration in generated/migrations/ (there are 24, 25)" in refused(
        migrate(standin_db, "--to", "99")
    )
    assert f"the database is at {UP_0025}, past --to 24: take it back with `schemagen migrate down --to 24`" in refused(
        migrate(standin_db, "--to", "24")
    )
    assert "0024_sync_operations has no down migration" in refused(migrate(standin_db, "down", "--to", "23"))
    with pg.connect(standin_db) as conn:
        conn.execute("UPDATE schemagen.schemagen_migrations SET phase = 'main' WHERE version = 25")
    assert f"{UP_0025} stopped part way (after phase main): complete it with `schemagen migrate`" in refused(
        migrate(standin_db, "down", "--to", "24")
    )
    assert "Missing option '--to'" in refused(migrate(standin_db, "down"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql://nobody@127.0.0.1:1/none",
            "schemagen: cannot connect to postgresql://nobody@127.0.0.1:1/none: connection failed",
        ),
        ("postgresql://me:secret@127.0.0.1:1/none", "cannot connect to postgresql://me:***@127.0.0.1:1/none"),
        (
            "host=127.0.0.1 port=1 password='s e cret' dbname=none",
            "cannot connect to host=127.0.0.1 port=1 password=*** dbname=none",
        ),
        ("not a url", "schemagen: --database-url is not a PostgreSQL connection URL (not a url)"),
        (
            "postgresql://db.example/app?nosuchoption=1",
            (
                "is not a PostgreSQL connection URL (postgresql://db.example/app?nosuchoption=1): invalid URI "
                "query parameter"
            ),
        ),
        ("mysql://db.example/app", "is not a PostgreSQL connection URL"),
    ],
)
def test_a_bad_or_unreachable_database_url_is_exit_1_without_a_traceback(url, message):
    error = refused(migrate(url))
    assert message in error, error
    assert "secret" not in error


def test_without_a_url_it_says_how_to_give_one_and_reads_database_url(standin_db):
    assert "no database given: pass --database-url URL or set DATABASE_URL" in refused(migrate(None))
    assert "0024_sync_operations: applied" in ok(migrate(None, "--to", "24", env={"DATABASE_URL": standin_db}))


def test_more_refusals_each_exit_1_with_its_message(standin_db, tmp_path):
    assert "--baseline 99: no such migration" in refused(migrate(standin_db, "--baseline", "99"))
    assert "--to 24 is below --baseline 25" in refused(migrate(standin_db, "--baseline", "25", "--to", "24"))
    empty = tmp_path / "empty"
    (empty / "migrations").mkdir(parents=True)
    assert "no migration in " in refused(migrate(standin_db, out=empty)) and "run `schemagen build` first" in refused(
        migrate(standin_db, out=empty)
    )
    ok(migrate(standin_db))
    with pg.connect(standin_db) as conn:
        conn.execute("UPDATE schemagen.schemagen_migrations SET phase = 'bogus' WHERE version = 25")
    error = refused(migrate(standin_db))
    assert (
        f"the history says phase bogus of {UP_0025} completed, but the file has no such phase (precheck, "
        "copy, main, after, final)" in error
    ), error


def test_a_role_that_may_not_create_the_history_schema_gets_the_databases_refusal(standin_db):
    with pg.connect(standin_db) as conn:
        conn.execute("DROP ROLE IF EXISTS schemagen_test_deployer")
        conn.execute("CREATE ROLE schemagen_test_deployer LOGIN")
        conn.execute(  # type: ignore[operator]
            "REVOKE CREATE ON DATABASE " + psycopg.conninfo.conninfo_to_dict(standin_db)["dbname"] + " FROM PUBLIC"
        )
    try:
        url = standin_db.replace("postgresql://postgres:", "postgresql://schemagen_test_deployer:")
        error = refused(migrate(url))
        assert (
            "schemagen: the database refused: permission denied for database" in error and "(SQLSTATE 42501)" in error
        ), error
    finally:
        with pg.connect(standin_db) as conn:
            conn.execute("DROP ROLE schemagen_test_deployer")


def test_down_dry_run_and_a_down_resumed_after_a_failure(standin_db):
    ok(migrate(standin_db))
    plan = ok(migrate(standin_db, "down", "--to", "24", "--dry-run"))
    assert f"{UP_0025}: would take back (run its down) (generated/migrations/{UP_0025}.down.sql)" in plan
    assert [v for v, _c, _p in history(standin_db)] == [24, 25]
    with pg.connect(standin_db) as conn:  # a down stopped after its main transaction: the row says how far it got
        conn.execute("UPDATE schemagen.schemagen_migrations SET phase = 'down:precheck' WHERE version = 25")
    assert (
        f"the down of {UP_0025} stopped part way (after its phase precheck): finish it with `schemagen "
        "migrate down --to 24`" in refused(migrate(standin_db))
    )
    resumed = ok(migrate(standin_db, "down", "--to", "24"))
    assert (
        f"{UP_0025}: resuming its down after phase precheck" in resumed
        and "  precheck " in resumed
        and "  copy " in resumed
    )
    assert [v for v, _c, _p in history(standin_db)] == [24]
