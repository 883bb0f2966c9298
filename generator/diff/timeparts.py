"""Time partitioning (README, "Time partitions"): the maintenance runs once in the migration that brings or
changes the rule, and a pg_cron job it made goes with the rule.

The function itself is an ordinary function of the IR (routines.py creates,
replaces and drops it); the partitions it makes are its own, which
partitions.py leaves out of both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..pg import quoting
from .context import Context
from .steps import Steps


@dataclass(frozen=True)
class Unschedule:
    template: ClassVar[str] = "diff/unschedule"
    job: str


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {t.name: t for t in ctx.old.tables}
    new = {t.name: t for t in ctx.new.tables}
    for t1 in ctx.new.tables:
        t0 = old.get(t1.name)
        if t1.time_partitions is not None and (t0 is None or t0.time_partitions != t1.time_partitions):
            out.create(("maintain", t1.name))
            if t0 is not None:
                out.change(f"maintain the time partitions of {t1.name.display}")
    for t0 in ctx.old.tables:
        rule0, later = t0.time_partitions, new.get(t0.name)
        rule1 = later.time_partitions if later is not None else None
        if rule0 is not None and rule0.schedule and (rule1 is None or not rule1.schedule):
            job = quoting.literal(f"schemagen maintain {t0.name}")
            out.add(out.release(("maintain", t0.name)), Unschedule(job))
    return out
