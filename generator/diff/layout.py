"""A plan as migration text: the steps by phase, each with the comments that explain it.

Each phase starts with a marker line, `-- schemagen:phase <name> <transaction|no-transaction>`,
then its own settings, so that a run can resume at a phase (and a tool can
split a file by phase): everything from a marker on is complete by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..templating import environment
from .engine import ordered_steps
from .model import PHASES, Phase, Plan, Step

# A client queued behind a statement that waits for a lock waits as long: with the heavy work
# outside the main transaction (its statements hold their locks for well under a second, see
# benchmarks/migration_load.py), 1 s of waiting keeps every client under 2 s. A migration that
# cannot get a lock in 1 s stops, changed nothing in that phase, and is run again.
LOCK_TIMEOUT = "1s"
STATEMENT_TIMEOUT = "30min"  # the longest statement allowed: a rewrite or an index build of a large table
STOPS = {
    False: "Stops before it changes anything while a row holds data the new schema cannot take (the error names "
    "the rows; fix them, then run it again):",
    True: "Data the earlier schema cannot hold is not taken back: this down migration stops before it changes "
    "anything while a row holds any (the error names the rows; fix or delete them, then run it again):",
}


@dataclass(frozen=True)
class StepView:
    comments: list[str]
    sql: str

    @classmethod
    def of(cls, step: Step) -> StepView:
        comments = list(step.notes)
        if step.ignore:
            comments.append(f"squawk-ignore {', '.join(step.ignore)}")
        return cls(comments, step.sql)


@dataclass(frozen=True)
class Block:
    marker: str
    heading: tuple[str, ...]
    transactional: bool  # BEGIN ... COMMIT around the steps
    read_only: bool  # BEGIN READ ONLY
    steps: list[StepView]


@dataclass(frozen=True)
class MigrationView:
    number: str
    name: str
    direction: str
    sources: str
    purpose: str
    changes: list[str]
    stops: list[str]  # the header's comment lines about what the prechecks refuse ([] when none)
    lock_timeout: str
    statement_timeout: str
    blocks: list[Block]


def blocks(plan: Plan) -> list[Block]:
    by_phase: dict[Phase, list[StepView]] = {}
    for step in ordered_steps(plan):
        by_phase.setdefault(step.phase, []).append(StepView.of(step))
    result = []
    for phase, steps in sorted(by_phase.items()):
        info = PHASES[phase]
        result.append(Block(f"{phase.marker} {info.marker}", info.heading, info.transactional, info.read_only, steps))
    return result


def migration_sql(plan: Plan, *, number: int, name: str, sources: list[str], purpose: str, down: bool) -> str:
    stops = ["--", f"-- {STOPS[down]}", *(f"--   - {line}" for line in plan.stops)] if plan.stops else []
    view = MigrationView(
        number=f"{number:04d}",
        name=name,
        direction=" (down)" if down else "",
        sources=", ".join(sources),
        purpose=purpose,
        changes=[f"- {line}" for line in plan.changes],
        stops=stops,
        lock_timeout=LOCK_TIMEOUT,
        statement_timeout=STATEMENT_TIMEOUT,
        blocks=blocks(plan),
    )
    text: str = environment().get_template("sql/diff/migration.sql.j2").render(migration=view)
    return text
