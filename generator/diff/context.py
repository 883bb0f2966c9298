"""What the diff knows before it writes a step: the two schemas, and what changes in them, as frozen data.

`plan()` (engine.py) computes a `Context` once, in its first pass, from the
last state and the spec: the renames carried out, and which enums are
rebuilt, which functions are dropped and created again, which columns change
type, which tables are rewritten, which unique keys are replaced. Every kind
of object (enums.py, tables.py, ...) then reads it and returns its steps
(steps.py); none writes it. Every lookup is a dict keyed by name: the cost is
linear in the size of the two schemas.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .. import ir
from ..ir import Name, order
from ..pg import sqlparse

K = TypeVar("K")
DROPS_DATA = "Drops data:"  # how the note of a statement that deletes rows or values starts in a drift repair


@dataclass(frozen=True)
class Names:
    """What the declared renames of this migration did: each new name with its name before (renames.py)."""

    table: Mapping[Name, Name] = field(default_factory=dict)  # renamed table -> its name before
    column: Mapping[tuple[Name, str], str] = field(default_factory=dict)  # (table, renamed column) -> its name before
    enum: Mapping[Name, Name] = field(default_factory=dict)
    value: Mapping[tuple[Name, str], str] = field(default_factory=dict)  # (enum, renamed value) -> its value before
    columns: Mapping[Name, frozenset[str]] = field(default_factory=dict)  # table -> new names of its renamed columns


@dataclass(frozen=True)
class Context:
    old: ir.Schema  # the previous state, with the declared renames applied
    new: ir.Schema
    confirm: bool  # refuse destructive changes the spec does not confirm (up migrations)
    spent: frozenset[str]  # allow_destructive entries the last migration used: they confirm nothing more
    drift: bool  # a repair of a database that drifted (schemagen drift --sql), not a migration
    old_nodes: Mapping[Hashable, order.Node]  # the from-scratch statements of each side, with what each uses
    new_nodes: Mapping[Hashable, order.Node]
    names: Names
    rebuilt_enums: frozenset[Name]  # enums a value leaves or moves in: renamed away, created again
    replaced_functions: frozenset[ir.FunctionKey]  # dropped and created again (signature, or a rebuilt enum in it)
    dropped_functions: frozenset[ir.FunctionKey]  # the replaced ones and those the spec no longer has
    retyped: Mapping[Name, frozenset[str]]  # table -> columns whose type changes
    rewritten: frozenset[Name]  # tables the main transaction rewrites (a type change)
    replaced_keys: frozenset[tuple[Name, tuple[str, ...]]]  # unique keys dropped and added again
    recreated_views: frozenset[Name] = frozenset()  # views dropped and created again (diff/views.py)

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

    @functools.cached_property
    def disruptive(self) -> frozenset[Hashable]:
        """Objects whose build can break what uses them: the tables altered, the enums rebuilt."""
        altered = {("table", n) for n, t in self.new_tables.items() if self.altered(n)}
        return frozenset(altered | {("enum", n) for n in self.rebuilt_enums})

    def altered(self, table: Name) -> bool:
        """A table of both sides that the migration changes (tables.py alters it)."""
        t0, t1 = self.old_tables.get(table), self.new_tables.get(table)
        return t0 is not None and t1 is not None and not self.untouched(t0, t1)

    @property
    def renamed_columns(self) -> Mapping[Name, frozenset[str]]:
        return self.names.columns

    def untouched(self, t0: ir.Table, t1: ir.Table) -> bool:
        """A table that is the same on both sides and that no change elsewhere reaches: nothing to diff in it."""
        cascades = self.dropped_functions or self.replaced_keys or self.rebuilt_enums
        return t0 == t1 and not cascades and t1.name not in self.retyped and t1.name not in self.renamed_columns

    def calls_dropped(self, *texts: str | None) -> bool:
        """Whether an expression calls a function this migration drops (to create it again, or for good): what
        holds the expression must be gone before (from the parse tree, as sql/from_scratch.py)."""
        return calls(frozenset(f[0].name for f in self.dropped_functions), *texts)

    @functools.cached_property
    def _new_function_names(self) -> frozenset[Name]:
        return frozenset(f.name for f in self.new.functions)

    def named_still(self, key: Hashable) -> bool:
        """Whether `key` is a function (overload) the migration drops while the name stays: what calls it by name
        calls another overload of it (or its new signature) after, and cannot be made while both exist (a call of
        the name would be ambiguous)."""
        return isinstance(key, tuple) and key[0] == "function" and key[1][0] in self._new_function_names

    @functools.cached_property
    def replaced_function_names(self) -> frozenset[Name]:
        """The names of the functions dropped and created again (what names one, a trigger, names each overload)."""
        return frozenset(f[0] for f in self.replaced_functions)

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


def calls(functions: frozenset[str], *texts: str | None) -> bool:
    """Whether one of the expressions calls one of `functions` (unqualified names), sub-queries included."""
    if not functions:
        return False
    return any(not functions.isdisjoint(sqlparse.called_names(text)) for text in texts if text and "(" in text)


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
