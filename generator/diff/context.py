"""The diff's shared state: the two schemas, the plan being built, and what the kinds tell each other.

Each kind of object (enums.py, tables.py, partitions.py, relations.py,
routines.py, security.py, grants.py) reads and adds to one `Context`; engine.py
creates it and calls the kinds in order. Every lookup is a dict keyed by name:
the cost is linear in the size of the two schemas.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .. import errors, ir
from ..ir import Name, order
from ..pg import sqlparse
from ..sql import from_scratch
from . import statements
from .model import BUILD, RELEASE, Node, Phase, Plan, Step

# Where each kind's steps sit when nothing forces another order: releases
# (drops) first, dependents before what they use; builds after, in the
# from-scratch migration's order.
K = TypeVar("K")

RELEASE_RANK = {
    "grant": 0,
    "policy": 1,
    "rls": 1,
    "trigger": 2,
    "foreign_key": 3,
    "index": 4,
    "partition": 5,
    "table": 6,
    "function": 7,
    "enum": 8,
}
BUILD_RANK = {kind: 20 + rank for kind, rank in from_scratch.RANK.items()}
RENAME_RANK = -1
PRECHECK_RANK = -2
LATE_RANK = 40  # validations and other follow-ups of a build
DROPS_DATA = "Drops data:"  # how the note of a statement that deletes rows or values starts in a drift repair


@dataclass
class Context:
    old: ir.Schema  # the previous state, with the declared renames applied
    new: ir.Schema
    plan: Plan
    confirm: bool  # refuse destructive changes the spec does not confirm (up migrations)
    spent: frozenset[str]  # allow_destructive entries the last migration used: they confirm nothing more
    old_nodes: dict[Hashable, order.Node]
    new_nodes: dict[Hashable, order.Node]
    before_enum: dict[Name, Name] = field(default_factory=dict)  # enum name -> its name before this migration
    before_value: dict[tuple[Name, str], str] = field(default_factory=dict)
    rebuilt_enums: set[Name] = field(default_factory=set)
    replaced_functions: set[Name] = field(default_factory=set)
    retyped: dict[Name, set[str]] = field(default_factory=dict)  # table -> columns whose type changes
    renamed_columns: dict[Name, set[str]] = field(default_factory=dict)  # table -> new names of renamed columns
    replaced_keys: set[tuple[Name, tuple[str, ...]]] = field(default_factory=set)  # unique keys dropped and re-added
    disruptive: set[Hashable] = field(default_factory=set)  # objects whose build can break what uses them
    rewritten: set[Name] = field(default_factory=set)  # tables the main transaction rewrites (a type change)
    before_table: dict[Name, Name] = field(default_factory=dict)  # renamed table -> its name before this migration
    # (table, renamed column) -> its name before
    before_column: dict[tuple[Name, str], str] = field(default_factory=dict)
    # ADD VALUE steps: node, index, the value's literal
    added_values: list[tuple[Node, int, str]] = field(default_factory=list)
    drift: bool = False  # a repair of a database that drifted (schemagen drift --sql), not a migration

    @functools.cached_property
    def old_tables(self) -> dict[Name, ir.Table]:
        return {t.name: t for t in self.old.tables}

    @functools.cached_property
    def new_tables(self) -> dict[Name, ir.Table]:
        return {t.name: t for t in self.new.tables}

    @functools.cached_property
    def changed_enums(self) -> frozenset[Name]:
        """Enums this migration creates or whose values it changes."""
        before = {e.name: e.values for e in self.old.enums}
        return frozenset(e.name for e in self.new.enums if before.get(e.name) != e.values)

    def release(self, key: Hashable) -> Node:
        return self.plan.node((RELEASE, key), RELEASE_RANK[_kind(key)])

    def build(self, key: Hashable) -> Node:
        return self.plan.node((BUILD, key), BUILD_RANK[_kind(key)])

    def late(self, key: Hashable) -> Node:
        return self.plan.node(("late", key), LATE_RANK)

    def rename_node(self) -> Node:
        return self.plan.node(("rename",), RENAME_RANK)

    @staticmethod
    def add(
        node: Node,
        view: Any,
        phase: Phase = Phase.MAIN,
        notes: Iterable[str] = (),
        ignore: Iterable[str] = (),
        rerun: Any = None,
    ) -> None:
        """A statement of `node`; `rerun` is its form that can run again, should it have to move after the main
        transaction."""
        sql = view if isinstance(view, str) else statements.text(view)
        node.steps.append(
            Step(sql, phase, tuple(notes), tuple(ignore), None if rerun is None else statements.text(rerun))
        )

    def stop_if(self, check: statements.Precheck, summary: str) -> None:
        """A read-only check of the PRECHECK phase; `summary` says in the file's header what it refuses."""
        node = self.plan.node(("precheck",), PRECHECK_RANK)
        self.add(node, check, Phase.PRECHECK, notes=(f"Stops the migration, at the end of this phase, if {summary}.",))
        self.plan.stops.append(summary)

    def create(self, key: Hashable) -> None:
        """Build `key` exactly as the from-scratch migration does."""
        self.add(self.build(key), statements.create(self.new_nodes[key].payload))

    def allowed(
        self, verb: str, *parts: str, message: str, locator: tuple[Hashable, ...], to: str | None = None
    ) -> bool:
        """True when the destructive change may go ahead; otherwise refuse it, at its place in the spec.

        `to` is the new type of a type change, which an entry may name
        (`change type s.t.c to varchar(5)`): the way to confirm a second type
        change of a column once the first one's entry is spent.
        """
        entry = ir.destructive_entry(verb, *parts)
        if not self.confirm:
            return True
        if self.confirmed(entry) or (to is not None and self.confirmed(f"{entry} to {to}")):
            return True
        hint = f"add `{entry}` to allow_destructive"
        if entry in self.spent:
            hint = (
                f"`{entry}` in allow_destructive confirmed a change of the last migration and is spent "
                f"(remove it); to confirm this change as well, add `{entry} to {to}`"
                if to
                else f"`{entry}` in allow_destructive confirmed a change of the last migration and is spent: "
                "remove it, and confirm this change once that migration is followed by another"
            )
        self.plan.refuse(errors.DESTRUCTIVE, f"{message}; if that is intended, {hint}", *locator)
        return False

    def confirmed(self, entry: str) -> bool:
        """Whether the spec confirms `entry` (an allow_destructive entry in its normal form); the
        migration then uses it up, and its saved state records so (Plan.confirmed)."""
        if entry not in self.new.intent.allow_destructive:
            return False
        self.plan.confirmed.add(entry)
        return True

    def loss(self, confirmed: str, undone: str) -> str:
        """The note above a statement that deletes data: an up migration does it because the spec
        confirmed it; a down migration undoes what its up migration created, so only what was
        written since is lost, and nothing was confirmed."""
        if self.drift:
            return f"{DROPS_DATA} {confirmed}."
        return (
            f"Confirmed in allow_destructive: {confirmed}."
            if self.confirm
            else f"Undoes the up migration, which {undone}."
        )

    def renamed(self, view: Any, what: str, rule: str = "renaming-object") -> None:
        """An object whose definition is unchanged under a new name: renamed, not rebuilt."""
        self.add(self.rename_node(), view, notes=(f"Same {what}, new name.",), ignore=(rule,))

    def untouched(self, t0: ir.Table, t1: ir.Table) -> bool:
        """A table that is the same on both sides and that no change elsewhere reaches: nothing to diff in it."""
        cascades = self.replaced_functions or self.replaced_keys or self.rebuilt_enums
        return t0 == t1 and not cascades and t1.name not in self.retyped and t1.name not in self.renamed_columns

    def calls_replaced(self, *texts: str | None) -> bool:
        """Whether an expression calls a function this migration drops and creates again (from the parse tree, as
        sql/from_scratch.py)."""
        if not self.replaced_functions:
            return False
        replaced = {f.name for f in self.replaced_functions}
        return any(not replaced.isdisjoint(sqlparse.called_names(text)) for text in texts if text and "(" in text)

    def change(self, line: str) -> None:
        self.plan.changes.append(line)


def _kind(key: Any) -> str:
    return str(key[0])


def type_key(c: ir.Column) -> tuple[Any, ...]:
    """A column's type, independent of how it is spelled."""
    return (c.base, c.enum, c.mods, c.array_dims)


def pair_up(old: dict[K, Any], new: dict[K, Any], signature: Any) -> tuple[list[tuple[K, K]], list[K], list[K]]:
    """Match objects by name; an unmatched old and new one with the same definition are a rename.

    Returns (renames as (old, new) names, names only in old, names only in new).
    Names PostgreSQL derives (`t_pkey`, `t_c_key`) change with a table or column
    rename; renaming them keeps the object instead of rebuilding it.
    """
    gone = [k for k in old if k not in new]
    came = [k for k in new if k not in old]
    by_signature: dict[Any, list[K]] = {}
    for k in gone:
        by_signature.setdefault(signature(old[k]), []).append(k)
    renames = []
    for k in came:
        candidates = by_signature.get(signature(new[k]))
        if candidates:
            renames.append((candidates.pop(0), k))
    renamed_old = {o for o, _ in renames}
    renamed_new = {n for _, n in renames}
    return renames, [k for k in gone if k not in renamed_old], [k for k in came if k not in renamed_new]
