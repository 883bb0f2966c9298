"""generated/tests/sync_operations.sql under pg_prove, with the real pgTAP, on PostgreSQL 15.

Debian's PostgreSQL 15 server with its pgTAP package (`postgresql-15-pgtap`, which brings pg_prove
through `libtap-parser-sourcehandler-pgtap-perl`; .ci/run installs them): a private server is
started, the reference database built with `schemagen migrate`, and the file run by pg_prove on the
healthy database and on two sabotaged ones. pg_prove's verdict on every check is the one
`schemagen test` gives on the same database. Skipped, saying what is missing, without them.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pg
import psycopg
import pytest
from click.testing import CliRunner
from schemagen.cli import main

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import migration_load  # benchmarks/: the private server
from test_dbtests import NO_TENANCY

PG15 = Path("/usr/lib/postgresql/15/bin")
PGTAP = Path("/usr/share/postgresql/15/extension/pgtap.control")
FILE = REPO / "generated" / "tests" / "sync_operations.sql"
INSTALL = "apt-get install -y postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl"


def missing() -> str | None:
    if not (PG15 / "initdb").exists():
        return f"no PostgreSQL 15 server in {PG15} ({INSTALL})"
    if not PGTAP.exists():
        return f"no pgTAP for PostgreSQL 15 ({INSTALL})"
    if shutil.which("pg_prove") is None:
        return f"no pg_prove ({INSTALL})"
    return None


pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with migration_load.server(PG15, free_port()) as url:
        with pg.connect(url) as conn:
            conn.execute("CREATE ROLE authenticated NOLOGIN")
            conn.execute("CREATE ROLE anon NOLOGIN")
        yield url


def reference(server: str) -> str:
    url = pg.create_database(server, prefix="pgtap")
    pg.apply_sql(url, pg.standin_sql() + "CREATE EXTENSION pgtap;")
    result = CliRunner().invoke(main, ["migrate", "--database-url", url, "--out", str(REPO / "generated")])
    assert result.exit_code == 0, result.output
    return url


def verdicts(tap: str) -> dict[str, bool]:
    found = {}
    for line in tap.splitlines():
        m = re.match(r"^(not ok|ok) \d+ - (.*)$", line)
        if m:
            found[m.group(2)] = m.group(1) == "ok"
    return found


def pg_prove(url: str, file: Path = FILE) -> tuple[int, dict[str, bool], str]:
    parts = psycopg_parts(url)
    proc = subprocess.run(
        [
            "pg_prove",
            "--verbose",
            "--psql-bin",
            str(PG15 / "psql"),
            "-h",
            parts["host"],
            "-p",
            parts["port"],
            "-U",
            parts["user"],
            "-d",
            parts["dbname"],
            str(file),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.returncode, verdicts(proc.stdout), proc.stdout + proc.stderr


def psycopg_parts(url: str) -> dict[str, str]:
    info = psycopg.conninfo.conninfo_to_dict(url)
    return {k: str(info.get(k, "")) for k in ("host", "port", "user", "dbname")}


def schemagen_test(url: str, spec: Path = REPO / "spec") -> tuple[int, dict[str, bool], str]:
    result = CliRunner().invoke(main, ["test", "--database-url", url, "--spec", str(spec)])
    return result.exit_code, verdicts(result.output), result.output


@pytest.mark.parametrize(
    "sabotage",
    [
        "",
        (
            "ALTER POLICY sync_progress_select ON sync_progress USING (true); "
            "DROP TRIGGER sync_progress_update_timestamp ON sync_progress"
        ),
        "ALTER TABLE sync_activity_log DISABLE ROW LEVEL SECURITY; GRANT SELECT ON sync_preview_cache TO PUBLIC",
    ],
    ids=["healthy", "policy-and-trigger", "rls-and-grant"],
)
def test_pg_prove_gives_the_verdicts_of_schemagen_test(server: str, sabotage: str) -> None:
    url = reference(server)
    try:
        if sabotage:
            pg.apply_sql(url, sabotage)
        prove_status, prove, prove_output = pg_prove(url)
        test_status, ours, our_output = schemagen_test(url)
        assert len(prove) > 200, prove_output[-3000:]
        assert prove == ours, "verdicts differ:\n" + "\n".join(
            f"{label}: pg_prove {prove.get(label)}, schemagen test {ours.get(label)}"
            for label in sorted(set(prove) | set(ours))
            if prove.get(label) != ours.get(label)
        )
        if sabotage:
            assert prove_status != 0 and test_status == 1
            assert not all(prove.values())
        else:
            assert prove_status == 0, prove_output[-3000:]
            assert test_status == 0, our_output[-3000:]
            assert all(prove.values())
    finally:
        pg.drop_database(server, url)


def test_pg_prove_agrees_on_a_table_marked_without_rls_in_a_spec_without_tenancy(server: str, tmp_path: Path) -> None:
    """tests/test_dbtests.py's NO_TENANCY spec: the marked table passes under pg_prove as under `schemagen test`, the
    unmarked one fails under both."""
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "lookup.yaml").write_text(NO_TENANCY)
    out = tmp_path / "generated"
    built = CliRunner().invoke(main, ["build", "--spec", str(spec), "--out", str(out)])
    assert built.exit_code == 0, built.output
    sql = CliRunner().invoke(main, ["sql", "--spec", str(spec)])
    url = pg.create_database(server, prefix="pgtap_lookup")
    try:
        pg.apply_sql(url, "CREATE EXTENSION pgtap;" + sql.output)
        prove_status, prove, prove_output = pg_prove(url, out / "tests" / "lookup.sql")
        test_status, ours, _ = schemagen_test(url, spec)
        assert prove == ours != {}, prove_output[-3000:]
        assert prove_status != 0 and test_status == 1
        failed = [label for label, ok in prove.items() if not ok]
        assert failed == [next(label for label in prove if label.startswith("table public.note is in exposed schema"))]
        assert prove[
            "table public.country: row level security disabled (the spec says it is intended: lint S105 ignored)"
        ]
    finally:
        pg.drop_database(server, url)
