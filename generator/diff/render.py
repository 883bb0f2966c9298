"""A plan as migration text: the steps by phase, each with the comments that explain it."""

from __future__ import annotations

from dataclasses import dataclass

from ..templating import environment
from .engine import ordered_steps
from .model import Phase, Plan, Step

# A client queued behind a statement that waits for a lock waits as long: with the heavy work
# outside the main transaction (its statements hold their locks for well under a second, see
# benchmarks/migration_load.py), 1 s of waiting keeps every client under 2 s. A migration that
# cannot get a lock in 1 s stops, changed nothing in that phase, and is run again.
LOCK_TIMEOUT = "1s"
STATEMENT_TIMEOUT = "30min"  # the longest statement allowed: a rewrite or an index build of a large table
HEADINGS = {
    Phase.PRECHECK: "First, read-only: checks that stop the migration before it changes anything.",
    Phase.BEFORE: "Outside a transaction, first: enum values (usable only once committed), indexes dropped CONCURRENTLY.",
    Phase.COPY: "Outside a transaction, each statement on its own (run the file again after a failure: it goes on where it stopped): rows copied in batches into the partitions to be, while the old ones stay readable and writable; what changes meanwhile is recorded, and applied under the short lock below.",
    Phase.MAIN: "The changes, in one transaction. Each ALTER holds its table's ACCESS EXCLUSIVE lock until COMMIT; a statement that also rewrites or scans a table under it says so.",
    Phase.AFTER: "Outside a transaction: indexes built CONCURRENTLY (if one fails, drop the INVALID index it leaves and run the rest again).",
    Phase.FINAL: "Last, in a transaction of its own: validations (their scans do not hold the locks taken above) and keys on the indexes just built.",
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
    heading: str
    opening: list[str]
    steps: list[StepView]
    closing: list[str]


@dataclass(frozen=True)
class MigrationView:
    number: str
    name: str
    direction: str
    sources: str
    purpose: str
    changes: list[str]
    lock_timeout: str
    statement_timeout: str
    blocks: list[Block]


def blocks(plan: Plan) -> list[Block]:
    by_phase: dict[Phase, list[StepView]] = {}
    for step in ordered_steps(plan):
        by_phase.setdefault(step.phase, []).append(StepView.of(step))
    result = []
    for phase, steps in sorted(by_phase.items()):
        txn = phase.transactional
        result.append(Block(HEADINGS[phase], ["BEGIN;"] if txn else [], steps, ["COMMIT;"] if txn else []))
    return result


def migration_sql(plan: Plan, *, number: int, name: str, sources: list[str], purpose: str, down: bool) -> str:
    view = MigrationView(
        number=f"{number:04d}",
        name=name,
        direction=" (down)" if down else "",
        sources=", ".join(sources),
        purpose=purpose,
        changes=[f"- {line}" for line in plan.changes],
        lock_timeout=LOCK_TIMEOUT,
        statement_timeout=STATEMENT_TIMEOUT,
        blocks=blocks(plan),
    )
    text: str = environment().get_template("sql/diff/migration.sql.j2").render(migration=view)
    return text
