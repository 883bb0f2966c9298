"""What one kind of object adds to a plan: its steps in graph nodes, the edges between them, and what it refuses.

Each kind (enums.py, tables.py, ...) builds its own `Steps` from the frozen
`Context` and returns it; engine.py merges them, in a fixed order, into the
plan. A kind reads what another one decided only through the Context, never
through another kind's steps.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import errors, ir
from ..sql import from_scratch
from . import statements
from .context import Context
from .model import BUILD, RELEASE, Node, Phase, Plan, Step

# Where each kind's steps sit when nothing forces another order: releases
# (drops) first, dependents before what they use; builds after, in the
# from-scratch migration's order.
RELEASE_RANK = {
    "maintain": 0,  # a time partitioning's pg_cron job
    "rows": 0,  # seed rows deleted before anything they need changes
    "grant": 0,
    "policy": 1,
    "rls": 1,
    "trigger": 2,
    "event_trigger": 2,  # funcs5
    "aggregate": 6,  # aggs6: after what calls it, before its functions
    "foreign_key": 3,
    "index": 4,
    "replica_identity": 4,
    "partition": 5,
    "table": 6,
    "function": 7,
    "enum": 8,
    "schema": 10,  # after everything in it, extensions too
    "view": 2,
    "sequence": 8,
    "sequence_owner": 3,
    "extension": 9,
    "domain": 8,  # types5
    "composite_type": 8,  # types5
    "range_type": 8,  # types5
    "default_privileges": 0,  # privileges K5: undone first
    "publication": 0,  # K1: a table leaves a publication before anything it needs changes
}
BUILD_RANK = {kind: 20 + rank for kind, rank in from_scratch.RANK.items()}
RENAME_RANK = -1
PRECHECK_RANK = -2
LATE_RANK = 40  # validations and other follow-ups of a build


def _kind(key: Any) -> str:
    return str(key[0])


@dataclass
class Part:
    """A part of a plan, as one pass writes it: nodes of steps, edges, refusals, the header's lines."""

    plan: Plan = field(default_factory=Plan)  # its nodes, edges, refusals, changes, stops, confirmed entries

    def node(self, key: Hashable, rank: int) -> Node:
        return self.plan.node(key, rank)

    def release(self, key: Hashable) -> Node:
        return self.node((RELEASE, key), RELEASE_RANK[_kind(key)])

    def build(self, key: Hashable) -> Node:
        return self.node((BUILD, key), BUILD_RANK[_kind(key)])

    def late(self, key: Hashable) -> Node:
        return self.node(("late", key), LATE_RANK)

    def rename_node(self) -> Node:
        return self.node(("rename",), RENAME_RANK)

    def add(
        self,
        node: Node,
        view: Any,
        phase: Phase = Phase.MAIN,
        notes: Iterable[str] = (),
        ignore: Iterable[str] = (),
        rerun: Any = None,
    ) -> Step:
        """A statement of `node`; `rerun` is its form that can run again, should it have to move after the main
        transaction."""
        sql = view if isinstance(view, str) else statements.text(view)
        step = Step(sql, phase, tuple(notes), tuple(ignore), None if rerun is None else statements.text(rerun))
        node.steps.append(step)
        return step

    def edge(self, first: Hashable, then: Hashable) -> None:
        self.plan.edge(first, then)

    def refuse(self, code: str, message: str, *locator: Hashable) -> None:
        self.plan.refuse(code, message, *locator)

    def change(self, line: str) -> None:
        self.plan.changes.append(line)

    def stop_if(self, check: statements.Precheck, summary: str) -> None:
        """A read-only check of the PRECHECK phase; `summary` says in the file's header what it refuses."""
        node = self.node(("precheck",), PRECHECK_RANK)
        self.add(node, check, Phase.PRECHECK, notes=(f"Stops the migration, at the end of this phase, if {summary}.",))
        self.plan.stops.append(summary)

    def renamed(self, view: Any, what: str, rule: str = "renaming-object") -> None:
        """An object whose definition is unchanged under a new name: renamed, not rebuilt."""
        self.add(self.rename_node(), view, notes=(f"Same {what}, new name.",), ignore=(rule,))


@dataclass
class Steps(Part):
    """What one kind of object writes, from the frozen `ctx`; no other kind reads it."""

    ctx: Context = field(kw_only=True)
    added_values: list[tuple[Hashable, Step, str]] = field(default_factory=list)  # ADD VALUE steps: node, step, value

    def create(self, key: Hashable) -> None:
        """Build `key` exactly as the from-scratch migration does."""
        self.add(self.build(key), statements.create(self.ctx.new_nodes[key].payload))

    def allowed(
        self, verb: str, *parts: str, message: str, locator: tuple[Hashable, ...], to: str | None = None
    ) -> bool:
        """True when the destructive change may go ahead; otherwise refuse it, at its place in the spec.

        `to` is the new type of a type change, which an entry may name
        (`change type s.t.c to varchar(5)`): the way to confirm a second type
        change of a column once the first one's entry is spent.
        """
        entry = ir.destructive_entry(verb, *parts)
        if not self.ctx.confirm:
            return True
        if self.confirmed(entry) or (to is not None and self.confirmed(ir.destructive_entry(verb, *parts, to=to))):
            return True
        hint = f"add `{entry}` to allow_destructive"
        if entry in self.ctx.spent:
            hint = (
                f"`{entry}` in allow_destructive confirmed a change of the last migration and is spent "
                f"(remove it); to confirm this change as well, add `{ir.destructive_entry(verb, *parts, to=to)}`"
                if to
                else f"`{entry}` in allow_destructive confirmed a change of the last migration and is spent: "
                "remove it, and confirm this change once that migration is followed by another"
            )
        self.refuse(errors.DESTRUCTIVE, f"{message}; if that is intended, {hint}", *locator)
        return False

    def confirmed(self, entry: str) -> bool:
        """Whether the spec confirms `entry` (an allow_destructive entry in its normal form); the
        migration then uses it up, and its saved state records so (Plan.confirmed)."""
        if entry not in self.ctx.new.intent.allow_destructive:
            return False
        self.plan.confirmed.add(entry)
        return True
