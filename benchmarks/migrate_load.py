"""`schemagen migrate` under load: a migration that adds an index and changes a policy, applied
while clients write to the table, and a report holds it now and then.

    python benchmarks/migrate_load.py                                   # embedded PostgreSQL 18
    python benchmarks/migrate_load.py --pg-bin /usr/lib/postgresql/15/bin
    python benchmarks/migrate_load.py --rows 3000 --url postgresql://...   # an existing server (the suite's short run)

The migration is 0026 of a copy of this project: the spec with one more index on
sync_progress and its four tenant policies changed (a template that also requires a JWT
subject), written by `schemagen build`. The database gets 0024 with rows (as
benchmarks/migration_load.py seeds them), then 0025, both by `schemagen migrate`. Then
--clients threads write as `authenticated` (RLS applies): syncs started and advanced,
activity logged, cache rows, reads; one more signs users up as the service role; and a
report opens a read transaction on sync_progress for --report-hold seconds every
--report-every seconds (an ACCESS SHARE lock: it blocks no client, but the ALTER POLICY of
the main transaction must wait for it). `schemagen migrate --retries` applies 0026
meanwhile: the main phase waits at most its lock_timeout (1 s) for the report, gives up,
and runs again after a pause, so a client queued behind it waits at most that long.

Reported: the run's duration and retries, the longest wait of any client statement that
overlapped it (and the 99th percentile), client errors, and whether every row is still
there (each table's seed rows counted and checksummed before and after; every row a
client reported committed).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import migration_load  # beside this file: the server, the rows, the clients

LOCK_TIMEOUT_S = 1.0  # what the generated migration sets
STEM = "0026_index_and_policy"
TEMPLATE = """policy_templates:
  tenant_isolation_signed_in:
    description: As tenant_isolation, and only with a JWT subject.
    commands: [select, insert, update, delete]
    name: "{prefix}_{command}"
    using: >-
      (SELECT auth.uid()) IS NOT NULL AND EXISTS (SELECT 1 FROM auth.users_extended u
      WHERE u.id = (SELECT auth.uid()) AND u.org_id = {table}.org_id)
    check: >-
      (SELECT auth.uid()) IS NOT NULL AND EXISTS (SELECT 1 FROM auth.users_extended u
      WHERE u.id = (SELECT auth.uid()) AND u.org_id = {table}.org_id)
"""
BEFORE = """      idx_sync_progress_initiated_by: {columns: [initiated_by]}
    row_level_security: true
    apply_policies:
      - {template: tenant_isolation}
"""
AFTER = """      idx_sync_progress_initiated_by: {columns: [initiated_by]}
      idx_sync_progress_org_started: {columns: [org_id, started_at DESC]}
    row_level_security: true
    apply_policies:
      - {template: tenant_isolation_signed_in}
"""


def make_project(root: Path) -> Path:
    """A copy of the project whose spec adds the index and changes the policies; built, so it holds 0026."""
    shutil.copytree(REPO / "spec", root / "spec")
    shutil.copytree(REPO / "generated", root / "generated")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    spec = root / "spec" / "sync_operations.yaml"
    text = spec.read_text()
    assert BEFORE in text and "policy_templates:\n" in text
    spec.write_text(text.replace(BEFORE, AFTER).replace("policy_templates:\n", TEMPLATE, 1))
    schemagen(root, "build", "--name", "index_and_policy")
    migration = (root / "generated" / "migrations" / f"{STEM}.sql").read_text()
    assert "CREATE INDEX CONCURRENTLY" in migration and "ALTER POLICY sync_progress_select" in migration, migration[
        :3000
    ]
    return root


def schemagen(root: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "from schemagen.cli import run; run()", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"schemagen {' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Report:
    """A read transaction on sync_progress held `hold` seconds every `every` seconds."""

    def __init__(self, url: str, hold: float, every: float, stop: threading.Event) -> None:
        self.url, self.hold, self.every, self.stop = url, hold, every, stop
        self.held = 0
        self.go = threading.Event()  # set just before the migration starts: its first attempt meets the report

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            self.go.wait()
            while not self.stop.is_set():
                with conn.transaction():
                    conn.execute("SELECT count(*) FROM sync_progress").fetchone()
                    self.held += 1
                    self.stop.wait(self.hold)
                self.stop.wait(max(0.0, self.every - self.hold))


def run(admin_url: str, rows: int, clients_n: int, pause: float, hold: float, every: float) -> dict[str, Any]:
    name = f"schemagen_migrate_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = migration_load.with_db(admin_url, name)
    work = Path(tempfile.mkdtemp(prefix="schemagen-migrate-load-"))
    try:
        root = make_project(work / "project")
        began = time.perf_counter()
        users = migration_load.prepare(url, rows)  # stand-ins, 0024 and its rows
        schemagen(root, "migrate", "--database-url", url, "--baseline", "24", "--to", "25")
        seeded = time.perf_counter() - began
        before = migration_load.checksums(url)
        stop = threading.Event()
        clients: list[migration_load.Client] = [migration_load.Client(url, u, o, stop) for u, o in users[:clients_n]]
        clients.append(migration_load.Signups(url, "signups", "", stop))
        report = Report(url, hold, every, stop)
        threads = [threading.Thread(target=c.run, daemon=True) for c in clients] + [
            threading.Thread(target=report.run, daemon=True)
        ]
        for t in threads:
            t.start()
        time.sleep(pause)
        report.go.set()
        start = time.perf_counter()
        output = schemagen(root, "migrate", "--database-url", url, "--retries", "20")
        duration = time.perf_counter() - start
        time.sleep(pause)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        after = migration_load.checksums(url)
        errors = sum((c.errors for c in clients), Counter())
        logged = [row for c in clients for row in c.logged]
        syncs = [s for c in clients for s in c.syncs]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TEMP TABLE logged (id uuid, created_at timestamptz)")
            with conn.cursor().copy("COPY logged FROM STDIN") as copy:
                for row in logged:
                    copy.write_row(row)
            found = conn.execute(
                "SELECT count(*) FROM logged l JOIN sync_activity_log a USING (id, created_at)"
            ).fetchone()
            kept_syncs = conn.execute("SELECT count(*) FROM sync_progress WHERE sync_id = ANY(%s)", (syncs,)).fetchone()
            history = conn.execute("SELECT phase FROM schemagen.schemagen_migrations WHERE version = 26").fetchone()
            valid = conn.execute(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('public.idx_sync_progress_org_started')"
            ).fetchone()
        measured = migration_load.measure(clients, (start, start + duration))
        unexpected = {e: n for e, n in errors.items() if not any(x in e for x in migration_load.EXPECTED)}
        retries = len(re.findall(r"retry \d+ of", output))
        result: dict[str, Any] = {
            "rows": rows,
            "clients": clients_n,
            "seed_s": round(seeded, 1),
            "report": f"holds sync_progress {hold:g} s every {every:g} s ({report.held} times)",
            "migrate": {"duration_s": round(duration, 2), "retries": retries, **measured, "errors": dict(errors)},
            "lock_timeout_s": LOCK_TIMEOUT_S,
            "rows_kept": {
                "seed rows, count and checksum per table": {table: before[table] == after[table] for table in before},
                "activity rows the clients wrote": f"{found[0] if found else 0} of {len(logged)}",
                "syncs the clients started": f"{kept_syncs[0] if kept_syncs else 0} of {len(syncs)}",
            },
            "applied": history is not None and history[0] == "done" and valid is not None and bool(valid[0]),
            "output": output,
        }
        result["ok"] = (
            before == after
            and bool(found)
            and found[0] == len(logged)
            and bool(kept_syncs)
            and kept_syncs[0] == len(syncs)
            and not unexpected
            and result["applied"]
            and measured["max_wait_s"] <= 2 * LOCK_TIMEOUT_S
        )
        result["unexpected_errors"] = unexpected
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def update_readme(results: list[dict[str, Any]], readme: Path) -> None:
    rows = [
        f"| {r['server']} | {r['rows']:,} | {r['clients']} | {r['migrate']['duration_s']} | "
        f"{r['migrate']['retries']} | "
        f"{r['migrate']['max_wait_s']} | {r['migrate']['p99_wait_s']} | {r['migrate']['statements']:,} | "
        f"{'yes' if r['ok'] else 'NO'} |"
        for r in results
    ]
    block = "\n".join(
        [
            "<!-- migrate-load:start -->",
            "```sh",
            (
                "python benchmarks/migrate_load.py --update-readme                                        # "
                "embedded PostgreSQL 18"
            ),
            "python benchmarks/migrate_load.py --pg-bin /usr/lib/postgresql/15/bin --update-readme",
            "```",
            "",
            (
                "| server | activity rows | clients | migrate s | retries | longest client wait s | p99 wait s "
                "| client statements | no row lost, wait <= 2 x lock_timeout |"
            ),
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
            *rows,
            "",
            "Every run: `benchmarks/migrate_load_pg*.json`.",
            "<!-- migrate-load:end -->",
        ]
    )
    text = readme.read_text()
    pattern = re.compile(r"<!-- migrate-load:start -->.*?<!-- migrate-load:end -->", re.DOTALL)
    readme.write_text(pattern.sub(lambda _m: block, text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    migration_load.add_server_options(parser, 55491)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pause", type=float, default=3.0, help="seconds of load before and after the migration")
    parser.add_argument("--report-hold", type=float, default=2.5)
    parser.add_argument("--report-every", type=float, default=3.5)
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help="write the result to benchmarks/migrate_load_pg<major>.json and the README's table",
    )
    args = parser.parse_args(argv)
    with migration_load.target(args) as (url, version, _bin_dir):
        result = {
            "server": f"PostgreSQL {version.split()[0]}",
            "machine": migration_load.machine(),
            **run(url, args.rows, args.clients, args.pause, args.report_hold, args.report_every),
        }
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.update_readme:
        major = result["server"].split()[1].split(".")[0]
        (HERE / f"migrate_load_pg{major}.json").write_text(text + "\n")
        found = sorted(HERE.glob("migrate_load_pg*.json"), key=lambda p: -int(re.sub(r"\D", "", p.stem)))
        update_readme([json.loads(p.read_text()) for p in found], REPO / "README.md")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
