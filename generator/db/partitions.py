"""`schemagen partitions`: every time-partitioned table's maintenance function run, from a scheduler.

The same function the migrations create and call (resolve/timeparts.py), so
the CLI and pg_cron do exactly the same work. A partition that a busy table
kept the function from making or retiring (its lock timeout) is tried again
after a pause, `retries` times; what is still left is reported, exit 1, and
the next run does it.

`listing` (`schemagen partitions --list`) only reads the catalog: each table's
partitions as they are, attached with their bounds or detached (kept as tables
of their own by `retired: detach`), as a Markdown page for the docs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import psycopg

from .. import ir
from ..pg import periods, quoting
from ..sql import views
from ..templating import environment
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


@dataclass(frozen=True)
class Listed:
    name: str
    bounds: str
    state: str  # "attached" | "detached"


@dataclass(frozen=True)
class ListedTable:
    name: str
    rule: str
    rows: tuple[Listed, ...]


def listing(schema: ir.Schema, url: str) -> str:
    """The partitions that exist, per time-partitioned table: a Markdown page (templates/docs/partitions.md.j2)."""
    env = environment()
    query = env.get_template("sql/db/partition_list.sql.j2").render()
    zone = env.get_template("sql/db/session_timezone.sql.j2").render()
    listed = []
    with connect(url, APPLICATION) as conn:
        for t in schema.tables:
            rule = t.time_partitions
            if rule is None:
                continue
            if conn.execute("SELECT to_regclass(%s)", (t.name.q,)).fetchone() == (None,):
                raise UserError(f"schemagen: {shown(url)} has no table {t.name.display}: apply its migration first")
            conn.execute(zone, {"zone": rule.timezone})
            rows = conn.execute(query, {"table": t.name.q, "prefix": t.name.name + "_"}).fetchall()
            found = (_listed(t, rule, str(n), bool(a), None if b is None else str(b)) for n, a, b in rows)
            listed.append(ListedTable(t.name.display, _rule_line(rule), tuple(p for p in found if p is not None)))
    return env.get_template("docs/partitions.md.j2").render(tables=listed)


def _listed(t: ir.Table, rule: ir.TimePartitions, name: str, attached: bool, bound: str | None) -> Listed | None:
    """An attached partition with its bounds; a table of the schema named as one of the rule's periods (a detached
    partition keeps no bounds: its name's period); None for any other table."""
    if attached:
        return Listed(f"`{name}`", f"`{bound}`", "attached")
    day = periods.period_of(t.name.name, name, rule.interval, rule.first_day)
    if day is None:
        return None
    return Listed(
        f"`{name}`", f"{day} to {periods.shift(day, rule.interval, 1)} (its name's {rule.interval})", "detached"
    )


def _rule_line(rule: ir.TimePartitions) -> str:
    kept = "all kept" if rule.retain is None else f"{rule.retain} kept, older ones: {rule.retired}"
    return f"One partition per {rule.interval} from {rule.start} in {rule.timezone}, {rule.premake} made ahead, {kept}."
