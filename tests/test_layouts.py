"""`layout = "supabase" | "flyway"`: the chain written as another runner's files, judged by that
runner's rules on a real PostgreSQL, and by Supabase's own CLI when npm can install it.

Supabase's CLI reads `supabase/migrations/<digits>_<name>.sql`, runs each file in one
transaction (it runs CREATE/DROP INDEX CONCURRENTLY on their own), runs RESET ALL before
each, and records the version when the file ends. Flyway reads `V<version>__<name>.sql`
(and `U...` for undo), runs each in one transaction unless the script's `.conf` says
`executeInTransaction=false`, and orders versions part by part as numbers. Flyway itself
cannot be installed from the registries this project reaches (it comes from Maven), so its
rules are the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pg
import psycopg
import pytest
from locking import exclusive

REPO = Path(__file__).resolve().parent.parent
SCHEMAGEN = [sys.executable, "-c", "from schemagen.cli import run; run()"]
SUPABASE_PATTERN = re.compile(r"^([0-9]+)_(.*)\.sql$")  # pkg/migration/file.go: migrateFilePattern
FLYWAY_PATTERN = re.compile(r"^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$")
STANDALONE = re.compile(
    r"^\s*(CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY|REINDEX\b.*CONCURRENTLY|VACUUM|ALTER\s+SYSTEM|CLUSTER)\b",
    re.IGNORECASE | re.DOTALL,
)
SUPABASE_CLI = "supabase@3.1.0"  # pinned: its runner's rules change between releases (supabase/cli#2898, #5139)
ACTIVITY_ROWS = 12_000  # enough for the copy loop to take several batches of 5,000


def build(tmp_path: Path, layout: str) -> Path:
    """A copy of the project with `layout` set, built; returns its root."""
    root = tmp_path / layout
    shutil.copytree(REPO / "spec", root / "spec")
    shutil.copytree(REPO / "generated", root / "generated")
    (root / "pyproject.toml").write_text(f'[tool.schemagen]\nlayout = "{layout}"\n')
    result = subprocess.run([*SCHEMAGEN, "build"], cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return root


def statements(text: str) -> list[str]:
    return pg.split_statements(text)


def dump(url: str) -> str:
    return pg.schema_dump(url, exclude_schemas=("schemagen", "supabase_migrations"))


def seed(url: str) -> None:
    with pg.connect(url) as conn:
        conn.execute("INSERT INTO organization (id) VALUES (gen_random_uuid())")
        conn.execute(
            "INSERT INTO sync_activity_log (id, org_id, sync_id, action, status, created_at) SELECT "
            "gen_random_uuid(), (SELECT id FROM organization), "
            "'seed-' || g, 'batch_process', 'completed', timestamptz '2026-03-01' + (g %% 600) * interval "
            "'1 day' FROM generate_series(1, %s) g",
            (ACTIVITY_ROWS,),
        )


def activity(url: str) -> tuple[int, str]:
    with pg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*), md5(string_agg(id::text || created_at::text, ',' ORDER BY id)) FROM sync_activity_log"
        ).fetchone()
        assert row is not None
        return int(row[0]), str(row[1])


def migrate(url: str, *args: str) -> None:
    result = subprocess.run(
        [*SCHEMAGEN, "migrate", *args, "--database-url", url], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def run_like_supabase(url: str, files: list[Path]) -> None:
    """Supabase's CLI's rules: RESET ALL, then the file's statements in one transaction (CONCURRENTLY
    ones on their own, outside it), then its version recorded; the first error stops everything."""
    with pg.connect(url) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS supabase_migrations")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text PRIMARY KEY, name text)"
        )
        for path in files:
            match = SUPABASE_PATTERN.match(path.name)
            assert match, path.name
            conn.execute("RESET ALL")
            conn.execute("BEGIN")
            for statement in statements(path.read_text()):
                if STANDALONE.match(re.sub(r"--[^\n]*", "", statement)):
                    conn.execute("COMMIT")
                    conn.execute(statement)
                    conn.execute("BEGIN")
                else:
                    conn.execute(statement)
            conn.execute("INSERT INTO supabase_migrations.schema_migrations VALUES (%s, %s)", match.groups())
            conn.execute("COMMIT")


@pytest.fixture
def reference_db(pg_admin_url) -> Iterator[str]:
    """The chain applied by `schemagen migrate`, with the same rows: what every layout must end in."""
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, pg.standin_sql())
        migrate(url, "--to", "24")
        seed(url)
        migrate(url)
        yield url


# -- Supabase -----------------------------------------------------------------------------


def supabase_files(root: Path) -> list[Path]:
    return sorted((root / "supabase" / "migrations").iterdir(), key=lambda p: int(p.name.split("_")[0]))


def test_supabase_names_fit_the_cli_pattern_and_are_derived_from_the_version(tmp_path):
    root = build(tmp_path, "supabase")
    files = supabase_files(root)
    names = [p.name for p in files]
    assert all(SUPABASE_PATTERN.match(n) for n in names), names
    versions = [SUPABASE_PATTERN.match(n).group(1) for n in names]  # type: ignore[union-attr]
    assert all(len(v) == 14 for v in versions) and len(set(versions)) == len(versions)
    assert versions == sorted(versions) and names == sorted(names)  # string order is the chain's order
    assert names[0] == "20000124000000_sync_operations.sql"  # 2000-01-01 + (24 - 1) days: never today's date
    assert [n.split("_", 1)[1] for n in names[1:]] == [
        "harden_sync_operations_precheck.sql",
        "harden_sync_operations_copy_1.sql",
        "harden_sync_operations_copy_2.sql",
        "harden_sync_operations_copy_3.sql",
        "harden_sync_operations_main.sql",
        "harden_sync_operations_after.sql",
        "harden_sync_operations_final.sql",
    ]
    assert not any(".down" in n for n in names)  # the CLI would read 0025_x.down.sql as a version of its own
    manifest = json.loads((root / "generated" / "manifest.json").read_text())["files"]
    assert f"../supabase/migrations/{names[0]}" in manifest  # checked by build --check like any generated file
    again = build(tmp_path / "again", "supabase")
    assert [p.read_bytes() for p in supabase_files(again)] == [p.read_bytes() for p in files]


def test_supabase_files_apply_one_transaction_each_and_end_like_schemagen_migrate(tmp_path, standin_db, reference_db):
    files = supabase_files(build(tmp_path, "supabase"))
    for path in files:  # the runner's transaction, not the file's
        assert not any(
            re.match(r"(BEGIN|START|COMMIT|END)\b", s, re.IGNORECASE) for s in statements(path.read_text())
        ), path.name
    run_like_supabase(standin_db, files[:1])
    seed(standin_db)
    rows = activity(standin_db)
    run_like_supabase(standin_db, files[1:])
    assert dump(standin_db) == dump(reference_db)
    # every row moved by the copy, none lost or doubled
    assert activity(standin_db) == rows and rows[0] == ACTIVITY_ROWS


def test_the_schemagen_files_themselves_do_not_run_as_supabase_runs_a_file(standin_db):
    """Why the layout exists: 0025 as written cannot run in one transaction."""
    run_like_supabase_file = REPO / "generated" / "migrations" / "0025_harden_sync_operations.sql"
    migrate(standin_db, "--to", "24")
    with (
        pytest.raises(psycopg.Error, match="cannot run inside a transaction block|invalid transaction termination"),
        pg.connect(standin_db) as conn,
        conn.transaction(),
    ):
        for statement in statements(run_like_supabase_file.read_text()):
            if not re.match(r"(BEGIN|COMMIT)\b", statement):
                conn.execute(statement)


def _supabase_cli() -> Path | None:
    """Supabase's CLI from npm (its binary comes in the package @supabase/cli-linux-x64), cached in the temp
    directory."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    prefix = Path(tempfile.gettempdir()) / f"schemagen-{SUPABASE_CLI.replace('@', '-')}"
    binary = prefix / "node_modules" / ".bin" / "supabase"
    with exclusive(prefix):  # parallel workers, and other runs of the suite, share the cache
        if not binary.exists():
            result = subprocess.run(
                [npm, "install", "--prefix", str(prefix), SUPABASE_CLI, "--no-audit", "--no-fund", "--no-save"],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if result.returncode != 0:
                return None
    probe = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=120, check=False)
    return binary if probe.returncode == 0 else None


@contextlib.contextmanager
def _tcp_url(url: str) -> Iterator[str]:
    """The CLI takes only a postgresql:// URL with a host and port: a server on a Unix socket gets a loopback relay."""
    parts = urlsplit(url)
    socket_dir = parse_qs(parts.query).get("host", [""])[0]
    if not socket_dir.startswith("/"):
        yield url
        return
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(f"{socket_dir}/.s.PGSQL.{parse_qs(parts.query).get('port', ['5432'])[0]}")
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pipe, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        user = parts.username or "postgres"
        yield f"postgresql://{user}@127.0.0.1:{port}{parts.path}?sslmode=disable"
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_supabase_cli_applies_the_layout_and_ends_like_schemagen_migrate(tmp_path, standin_db, reference_db):
    cli = _supabase_cli()
    if cli is None:
        pytest.skip(f"Supabase's CLI ({SUPABASE_CLI}) could not be installed from npm here; its rules are tested above")
    root = build(tmp_path, "supabase")
    first = tmp_path / "first"
    (first / "supabase" / "migrations").mkdir(parents=True)
    shutil.copy(supabase_files(root)[0], first / "supabase" / "migrations")
    env = {**os.environ, "SUPABASE_YES": "1", "DO_NOT_TRACK": "1"}
    rows = None
    with _tcp_url(standin_db) as url:
        for workdir in (first, root):
            result = subprocess.run(
                [str(cli), "migration", "up", f"--remote={url}", "--yes", "--workdir", str(workdir)],
                capture_output=True,
                text=True,
                timeout=600,
                env=env,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            if workdir is first:
                seed(standin_db)
                rows = activity(standin_db)
        again = subprocess.run(
            [str(cli), "migration", "up", f"--remote={url}", "--yes", "--workdir", str(root)],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
            check=False,
        )
        assert again.returncode == 0 and "up to date" in (again.stdout + again.stderr), again.stdout + again.stderr
    assert dump(standin_db) == dump(reference_db)
    assert activity(standin_db) == rows
    with pg.connect(standin_db) as conn:
        recorded = [
            r[0] for r in conn.execute("SELECT version FROM supabase_migrations.schema_migrations ORDER BY version")
        ]
    assert recorded == [SUPABASE_PATTERN.match(p.name).group(1) for p in supabase_files(root)]  # type: ignore[union-attr]


# -- Flyway -------------------------------------------------------------------------------


def flyway_version(name: str) -> tuple[int, ...]:
    match = FLYWAY_PATTERN.match(name)
    assert match, name
    return tuple(int(p) for p in re.split(r"[._]", match.group(2)))


def run_like_flyway(url: str, files: list[Path]) -> None:
    """Flyway's rules: a script in one transaction, unless its .conf says executeInTransaction=false
    (then each statement on its own, autocommit)."""
    with pg.connect(url) as conn:
        for path in files:
            conf = path.with_name(path.name + ".conf")
            in_transaction = not (conf.exists() and "executeInTransaction=false" in conf.read_text())
            if in_transaction:
                conn.execute("BEGIN")
            for statement in statements(path.read_text()):
                conn.execute(statement)
            if in_transaction:
                conn.execute("COMMIT")


def test_flyway_files_follow_flyways_rules_and_undo_takes_them_back(tmp_path, standin_db, reference_db, pg_admin_url):
    root = build(tmp_path, "flyway")
    folder = root / "db" / "migration"
    scripts = sorted((p for p in folder.iterdir() if p.suffix == ".sql"), key=lambda p: flyway_version(p.name))
    ups = [p for p in scripts if p.name.startswith("V")]
    undos = [p for p in scripts if p.name.startswith("U")]
    assert ups[0].name == "V24__sync_operations.sql" and [flyway_version(p.name) for p in ups[1:]] == [
        (25, k) for k in range(1, 6)
    ]
    # every undo has its versioned migration
    assert {flyway_version(p.name) for p in undos} <= {flyway_version(p.name) for p in ups}
    for path in scripts:
        text = path.read_text()
        conf = path.with_name(path.name + ".conf")
        if conf.exists():
            assert conf.read_text() == "executeInTransaction=false\n"
        else:  # Flyway's own transaction: nothing in it may refuse one, nor end it
            for statement in statements(text):
                assert not STANDALONE.match(re.sub(r"--[^\n]*", "", statement)), (path.name, statement[:80])
                assert not re.match(r"(BEGIN|COMMIT|END)\b", statement), path.name
    run_like_flyway(standin_db, ups[:1])
    seed(standin_db)
    rows = activity(standin_db)
    run_like_flyway(standin_db, ups[1:])
    assert activity(standin_db) == rows
    assert dump(standin_db) == dump(reference_db)
    # flyway undo: newest first
    run_like_flyway(standin_db, sorted(undos, key=lambda p: flyway_version(p.name), reverse=True))
    with pg.fresh_database(pg_admin_url) as at_24:
        pg.apply_sql(at_24, pg.standin_sql())
        migrate(at_24, "--to", "24")
        assert dump(standin_db) == dump(at_24)
    assert activity(standin_db) == rows


# -- settings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('layout = "liquibase"', "[tool.schemagen] layout must be one of schemagen, supabase, flyway, not 'liquibase'"),
        (
            'history_schema = "Deploy History"',
            "[tool.schemagen] history_schema must be a schema name of lowercase letters, digits and _",
        ),
        ("history_schema = 7", "[tool.schemagen] history_schema must be a string"),
    ],
)
def test_a_bad_layout_or_history_schema_setting_is_exit_1(tmp_path, setting, message):
    shutil.copytree(REPO / "spec", tmp_path / "spec")
    (tmp_path / "pyproject.toml").write_text(f"[tool.schemagen]\n{setting}\n")
    result = subprocess.run([*SCHEMAGEN, "build"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / "generated").exists()
