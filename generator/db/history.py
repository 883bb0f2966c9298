"""The history table `<history_schema>.schemagen_migrations` and the advisory lock around it.

One row a migration: version, name, the manifest's checksum of its file, when it was
completed, how long its phases took (over every run), who applied it, with which
schemagen, and `phase`, the last phase it completed: `done` once complete. A row whose
phase is not `done` is a migration part way; `down:<phase>`, one whose down migration
stopped part way. `schemagen drift` reads the last applied migration as
`max(version) WHERE phase = 'done'`.

The SQL lives in templates/sql/db/history.sql.j2.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import Any

import psycopg

from .. import __version__
from ..pg import quoting
from ..templating import environment
from . import UserError

TABLE = "schemagen_migrations"
DONE = "done"
DOWN = "down:"
POLL = (
    0.5  # seconds between two tries of the lock  # prefix of the phase of a row whose down migration stopped part way
)


@dataclass(frozen=True)
class Row:
    version: int
    name: str
    checksum: str
    phase: str

    @property
    def done(self) -> bool:
        return self.phase == DONE


@dataclass(frozen=True)
class Holder:
    pid: int | None
    text: str  # `pid N, user U, application A, from H, connected since T, state S`


@cache
def _sql() -> Any:

    return environment().get_template("sql/db/history.sql.j2").module


def sql(macro: str, *args: object) -> str:
    return str(getattr(_sql(), macro)(*args)).strip()


def schemagen_version() -> str:

    try:
        return metadata.version("schemagen")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree that was never installed
        return __version__


class History:
    def __init__(self, conn: psycopg.Connection[tuple[object, ...]], schema: str) -> None:
        self.conn = conn
        self.schema = schema
        self.table = quoting.qualified(schema, TABLE)
        # One lock per history table, as Flyway and Atlas do: two chains kept in two history schemas do not wait for
        # each other.
        self.key = int.from_bytes(
            hashlib.sha256(f"schemagen migrate {schema}".encode()).digest()[:8], "big", signed=True
        )

    def exists(self) -> bool:
        row = self.conn.execute(sql("table_exists"), {"table": self.table}).fetchone()
        return bool(row and row[0])

    def ensure(self) -> None:
        """Create the schema and the table on first use (under the lock: no two runners race)."""
        if self.exists():
            return
        self.conn.execute(sql("create_schema", quoting.ident(self.schema)))
        self.conn.execute(sql("create_table", self.table))
        self.conn.execute(sql("comment", self.table))

    def rows(self) -> list[Row]:
        if not self.exists():
            return []
        rows = self.conn.execute(sql("rows", self.table)).fetchall()
        return [Row(int(v), str(n), str(c), str(p)) for v, n, c, p in rows]  # type: ignore[call-overload]

    def record(self, version: int, name: str, checksum: str, phase: str, duration_ms: int) -> None:
        params = {
            "version": version,
            "name": name,
            "checksum": checksum,
            "phase": phase,
            "duration_ms": duration_ms,
            "schemagen_version": schemagen_version(),
        }
        self.conn.execute(sql("complete" if phase == DONE else "record", self.table), params)

    def baseline(self, version: int, name: str, checksum: str) -> None:
        self.conn.execute(
            sql("baseline", self.table),
            {"version": version, "name": name, "checksum": checksum, "schemagen_version": schemagen_version()},
        )

    def forget(self, version: int) -> None:
        self.conn.execute(sql("forget", self.table), {"version": version})

    # -- the lock ------------------------------------------------------------------

    def lock(self, wait_seconds: float, waiting: Any = None) -> None:
        """Take the session-level advisory lock, waiting up to `wait_seconds` for another runner;
        refuse, naming the holder, when it is still held then. `waiting(holder)` is told once
        when someone else holds it.

        The wait is a poll of pg_try_advisory_lock, never a blocking pg_advisory_lock: a
        statement waiting for the lock keeps a snapshot open, and the holder's
        CREATE INDEX CONCURRENTLY waits for every older snapshot of the database, so
        each would wait for the other until the holder's lock_timeout.
        """
        deadline = time.monotonic() + wait_seconds
        while True:
            got = self.conn.execute(sql("try_lock"), {"key": self.key}).fetchone()
            if got and got[0]:
                return
            if waiting is not None and (holder := self.holder()).pid is not None:
                waiting(holder.text)  # told once, when a holder is known (it may have ended since the try)
                waiting = None
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(POLL, left))
        holder = self.holder()
        end = f", or end it: SELECT pg_terminate_backend({holder.pid});" if holder.pid else "."
        raise UserError(
            f"schemagen: another migration run holds the lock on {self.schema}.{TABLE} ({holder.text}); "
            f"waited {wait_seconds:g} s (--lock-wait). Run again when it has finished{end}"
        )

    def holder(self) -> Holder:
        """Who holds the lock, from pg_locks and pg_stat_activity."""
        params = {"high": (self.key >> 32) & 0xFFFFFFFF, "low": self.key & 0xFFFFFFFF}
        row = self.conn.execute(sql("lock_holder"), params).fetchone()
        if row is None:
            return Holder(None, "its session has just ended")
        pid, user, application, host, since, state = row
        parts = [f"pid {pid}", f"user {user}"]
        parts += [f"application '{application}'"] if application else []
        parts += [f"from {host}"] if host else []
        parts += [f"connected since {since:%Y-%m-%d %H:%M:%S}"] if since is not None else []
        parts += [f"state {state}"] if state else []
        return Holder(int(str(pid)), ", ".join(parts))

    def unlock(self) -> None:
        self.conn.execute(sql("unlock"), {"key": self.key})
