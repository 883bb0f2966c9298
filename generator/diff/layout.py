"""A plan as migration text: the steps by phase, each with the comments that explain it.

Each phase starts with a marker line, `-- schemagen:phase <name> <transaction|no-transaction>`,
then its own settings, so that a run can resume at a phase (and a tool can
split a file by phase): everything from a marker on is complete by itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..pg import quoting
from ..templating import environment
from . import statements as st
from .engine import ordered_steps
from .model import PHASES, Applied, Phase, Plan, Step

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


def guarded(blocks: list[Block], applied: Applied, migration: str) -> list[Block]:
    """The blocks with the guard first: a run of the whole file once the main transaction has committed stops
    there, changing nothing, and names the marker lines to resume from (diff/guard.py)."""
    markers = [b.marker for b in blocks]
    main = next((i for i, m in enumerate(markers) if m.startswith(Phase.MAIN.marker + " ")), None)
    if main is None:
        return blocks
    later = [f"-- schemagen:phase {m}" for m in markers[main + 1 :]]
    message = (
        f"migration {migration} has run its main transaction already ({applied.sign}): running the whole file "
        "again would fail part way (or the database is not where the migration before it left it)"
    )
    hint = (
        f"Nothing was changed. If a phase after the main transaction stopped, fix its cause and run the file from "
        f"that phase's marker line ({', '.join(later)}); schemagen migrate resumes by itself."
        if later
        else "Nothing was changed: the migration is complete, there is nothing to run again."
    )
    guard = st.Guard(applied.condition, quoting.literal(message), quoting.literal(hint))
    note = "Stops a run of the whole file once the main transaction has committed: it says where to resume."
    first = dataclasses.replace(blocks[0], steps=[StepView([note], st.text(guard)), *blocks[0].steps])
    return [first, *blocks[1:]]


def migration_sql(plan: Plan, *, number: int, name: str, sources: list[str], purpose: str, down: bool) -> str:
    stops = ["--", f"-- {STOPS[down]}", *(f"--   - {line}" for line in plan.stops)] if plan.stops else []
    phases = blocks(plan)
    if plan.applied is not None:
        phases = guarded(phases, plan.applied, f"{number:04d}_{name}" + (" (down)" if down else ""))
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
        blocks=phases,
    )
    text: str = environment().get_template("sql/diff/migration.sql.j2").render(migration=view)
    return text
