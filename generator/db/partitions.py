"""`schemagen partitions`: every time-partitioned table's maintenance function run, from a scheduler.

The same function the migrations create and call (resolve/timeparts.py), so
the CLI and pg_cron do exactly the same work. A partition that a busy table
kept the function from making or retiring (its lock timeout) is tried again
after a pause, `retries` times; what is still left is reported, exit 1, and
the next run does it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import psycopg

from .. import ir
from ..pg import quoting
from ..sql import views
from . import UserError
from .connect import connect, shown

APPLICATION = "schemagen partitions"


@dataclass(frozen=True)
class Call:
    template: ClassVar[str] = "db/maintain_call"
    function: str
    now: str  # the `now` argument, as SQL ("" for the function's default, now())


@dataclass
class Outcome:
    lines: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # partitions still skipped after the retries


def run(
    schema: ir.Schema,
    url: str,
    *,
    now: str | None = None,
    retries: int = 3,
    say: Callable[[str], None] = print,
    pause: Callable[[float], None] = time.sleep,
) -> Outcome:
    tables = [t for t in schema.tables if t.time_partitions is not None]
    outcome = Outcome()
    if not tables:
        say("no table of the spec declares time partitioning: nothing to do")
        return outcome
    with connect(url, APPLICATION) as conn:
        for t in tables:
            assert t.time_partitions is not None
            fn = t.time_partitions.function
            if conn.execute("SELECT to_regproc(%s)", (fn.q,)).fetchone() == (None,):
                raise UserError(
                    f"schemagen: {shown(url)} has no function {fn.display}: apply the migration that brings the "
                    f"time partitioning of {t.name.display} first (schemagen migrate)"
                )
            sql = views.statement(Call.template, Call(fn.q, quoting.literal(now) if now else "")).strip()
            for attempt in range(retries + 1):
                try:
                    rows = conn.execute(sql).fetchall()
                except psycopg.Error as exc:
                    raise UserError(f"schemagen: {fn.display} failed: {str(exc).strip()}") from None
                for action, partition, detail in rows:
                    line = f"{t.name.display}: {action} {partition}: {detail}"
                    outcome.lines.append(line)
                    say(line)
                skipped = [str(p) for action, p, _ in rows if action == "skipped"]
                if not skipped:
                    break
                if attempt < retries:
                    wait = min(2**attempt, 30)
                    say(f"{t.name.display}: the table is busy; again in {wait} s (retry {attempt + 1} of {retries})")
                    pause(wait)
                else:
                    outcome.left += skipped
            if not any(line.startswith(f"{t.name.display}:") for line in outcome.lines):
                say(f"{t.name.display}: every partition in place, nothing to do")
    return outcome
