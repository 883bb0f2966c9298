"""Time partitions at scale: one maintenance run on a table of 36 monthly partitions, while clients insert.

The table (two indexes, an identity column) is made from a spec by `schemagen sql`, with the rule
`interval: 1 month, start: 2023-01-01, premake: 4, retain: 31 months, retired: drop, default: true`;
the maintenance as of 2026-06-15 makes its 36 partitions (2023-11 to 2026-10). Then ROWS rows are
loaded across the past months, and DEFAULT_ROWS rows dated 2026-11 (past premake: they wait in the
DEFAULT partition). The measured run is the maintenance as of 2026-07-15: it makes 2026-11 (moving
its rows out of the DEFAULT partition, under the table's lock) and drops 2023-11. Meanwhile CLIENTS
connections insert rows of the current month one by one, each timed; a monitor polls pg_locks every
2 ms for the ACCESS EXCLUSIVE lock on the table and reports the longest span it saw held.

    python benchmarks/time_partitions.py                                  # embedded PostgreSQL 18
    python benchmarks/time_partitions.py --pg-bin /usr/lib/postgresql/15/bin --rows 10000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import migration_load  # beside this file: the server

SPEC = """\
migration: {version: 1, name: bench}
tables:
  event:
    columns:
      id: {type: bigint, identity: always}
      at: {type: timestamptz, not_null: true}
      org: {type: integer, not_null: true}
      payload: {type: text}
    constraints:
      - primary_key: [id, at]
    indexes:
      idx_event_org_at: {columns: [org, at DESC]}
    partitioning:
      key: [at]
      interval: 1 month
      start: 2023-01-01
      premake: 4
      retain: 31 months
      retired: drop
      default: true
"""


def schema_sql() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bench.yaml").write_text(SPEC)
        exe = Path(sys.executable).with_name("schemagen")
        out = subprocess.run([str(exe), "sql", "--spec", tmp], check=True, capture_output=True, text=True).stdout
    return out.replace("SELECT * FROM public.maintain_event_partitions();", "")


def run(url: str, rows: int, default_rows: int, clients_n: int) -> dict[str, Any]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(schema_sql())
        conn.execute("SELECT * FROM public.maintain_event_partitions('2026-06-15 00:00+00')")
        count = conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.event'::regclass").fetchone()[
            0
        ]  # type: ignore[index]
        started = time.monotonic()
        # Past months, 2023-11 to 2026-06 (31 months), evenly.
        span = 31 * 30 * 86400
        conn.execute(
            "INSERT INTO public.event (at, org, payload) SELECT timestamptz '2023-11-01 00:00+00' "
            "+ (n::float8 / %s * %s) * interval '1 second', n %% 1000, 'x' FROM generate_series(1, %s) n",
            (rows, span, rows),
        )
        conn.execute(
            "INSERT INTO public.event (at, org, payload) SELECT timestamptz '2026-11-01 00:00+00' "
            "+ (n %% 2500000) * interval '1 second', n %% 1000, 'early' FROM generate_series(1, %s) n",
            (default_rows,),
        )
        conn.execute("VACUUM ANALYZE public.event")
        load_s = time.monotonic() - started
    stop = threading.Event()
    waits: list[float] = []
    errors: list[str] = []
    held: list[float] = [0.0]

    def client() -> None:
        try:
            with psycopg.connect(url, autocommit=True) as c:
                while not stop.is_set():
                    t0 = time.monotonic()
                    c.execute("INSERT INTO public.event (at, org) VALUES ('2026-07-15 12:00+00', 1)")
                    waits.append(time.monotonic() - t0)
        except psycopg.Error as exc:
            errors.append(str(exc))

    def monitor() -> None:
        with psycopg.connect(url, autocommit=True) as c:
            since: float | None = None
            while not stop.is_set():
                on = c.execute(
                    "SELECT EXISTS (SELECT FROM pg_locks WHERE relation = 'public.event'::regclass "
                    "AND mode = 'AccessExclusiveLock' AND granted)"
                ).fetchone()[0]  # type: ignore[index]
                now = time.monotonic()
                if on and since is None:
                    since = now
                elif not on and since is not None:
                    held[0] = max(held[0], now - since)
                    since = None
                time.sleep(0.002)

    threads = [threading.Thread(target=client) for _ in range(clients_n)] + [threading.Thread(target=monitor)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    with psycopg.connect(url, autocommit=True) as conn:
        t0 = time.monotonic()
        done = conn.execute(
            "SELECT action, partition_name, detail FROM public.maintain_event_partitions('2026-07-15 00:00+00')"
        ).fetchall()
        maintenance_s = time.monotonic() - t0
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join()
        in_default = conn.execute("SELECT count(*) FROM public.event_default").fetchone()[0]  # type: ignore[index]
        moved = conn.execute("SELECT count(*) FROM public.event_2026_11").fetchone()[0]  # type: ignore[index]
    waits.sort()
    return {
        "partitions": count,
        "rows": rows,
        "default_rows": default_rows,
        "load_s": round(load_s, 1),
        "maintenance_s": round(maintenance_s, 3),
        "actions": [list(r) for r in done],
        "longest_access_exclusive_s": round(held[0], 3),
        "client_inserts": len(waits),
        "longest_client_wait_s": round(waits[-1], 3) if waits else None,
        "p99_client_wait_s": round(waits[int(len(waits) * 0.99)], 4) if waits else None,
        "client_errors": errors,
        "rows_moved_out_of_default": moved,
        "left_in_default": in_default,
        "ok": not errors and moved == default_rows and in_default == 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    migration_load.add_server_options(parser, 55493)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--default-rows", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--save", action="store_true", help="write benchmarks/time_partitions_pg<major>.json")
    args = parser.parse_args(argv)
    with migration_load.target(args) as (url, version, _bin_dir):
        result = {
            "server": f"PostgreSQL {version.split()[0]}",
            "machine": migration_load.machine(),
            **run(url, args.rows, args.default_rows, args.clients),
        }
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.save:
        major = result["server"].split()[1].split(".")[0]
        (HERE / f"time_partitions_pg{major}.json").write_text(text + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
