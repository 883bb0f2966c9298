"""How long `schemagen import` takes on a large database: the 1,000-table benchmark spec, migrated.

    python benchmarks/import_read.py                      # 1,000 tables, embedded PostgreSQL 18
    python benchmarks/import_read.py --tables 100 --url postgresql://postgres@127.0.0.1:5432/postgres

The database is prepared as benchmarks/drift_read.py prepares it (benchmarks/make_spec.py's spec built and its
first migration applied); timed is `schemagen import --database-url URL --out DIR` as a user runs it (a fresh
process: start-up, two catalog reads, the spec written), median of --runs. The target is 10 s for 1,000
tables (issue 14). benchmarks/run.py runs it too (--import-tables).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import drift_read
import migration_load

TARGET_S = 10.0


def measure(url: str, work: Path, runs: int) -> dict[str, Any]:
    seconds = []
    out = work / "imported"
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "schemagen"), "import", "--database-url", url, "--out", str(out)],
            check=False,
            capture_output=True,
            text=True,
        )
        seconds.append(time.perf_counter() - started)
        if proc.returncode != 0 or not list(out.glob("*.yaml")):  # the benchmark's spec imports whole
            raise SystemExit(f"schemagen import failed (exit {proc.returncode}):\n{proc.stderr}")
    lines = sum(len(p.read_text().splitlines()) for p in out.glob("*.yaml"))
    return {"import_command_s": round(statistics.median(seconds), 3), "runs": runs, "spec_lines": lines}


def run(admin_url: str, tables: int, work: Path, runs: int) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    url, _out = drift_read.prepare(admin_url, tables, work)
    result = {"tables": tables, **measure(url, work, runs), "target_s": TARGET_S}
    result["load_average_1min"] = round(os.getloadavg()[0], 1)  # the machine is shared: say how busy it was
    result["ok"] = result["import_command_s"] < TARGET_S or tables != 1000
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", help="an admin URL of a running server instead of starting one")
    parser.add_argument("--port", type=int, default=55493)
    parser.add_argument("--results", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    result = measured(args.tables, args.runs, args.url, args.port)
    text = json.dumps(result, indent=2)
    print(text)
    if args.results:
        args.results.write_text(text + "\n")
    return 0 if result["ok"] else 1


def measured(tables: int, runs: int, url: str | None = None, port: int = 55493) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="schemagen-import-") as tmp:
        if url:
            return run(url, tables, Path(tmp), runs)
        with private_server(port) as admin:
            return run(admin, tables, Path(tmp), runs)


@contextlib.contextmanager
def private_server(port: int = 55493) -> Iterator[str]:
    """The first migration creates every table in one transaction: a lock per table, index and partition."""
    with migration_load.server(migration_load.embedded_bin(), port, "-c max_locks_per_transaction=4096") as admin:
        yield admin


@contextlib.contextmanager
def database(tables: int, work: Path, port: int = 55493) -> Iterator[str]:
    """The URL of a database holding the `tables`-table benchmark spec, migrated, on a private server."""
    work.mkdir(parents=True, exist_ok=True)
    with private_server(port) as admin:
        url, _out = drift_read.prepare(admin, tables, work)
        yield url


if __name__ == "__main__":
    sys.exit(main())
