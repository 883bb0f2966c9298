"""The indexes and constraints of one partition's own (K3), as an ordinary table's (relations.py, tables.py).

A partition the migration creates gets them once it exists: after the rows moved into it, when it is a new
partition that takes rows from the DEFAULT partition. A partition whose bounds change is a copy made by moves.py
(its old table dropped with its objects): it gets them again the same way. The DEFAULT partition is a copy
whenever the other partitions change: one carrying objects of its own is refused then (E064), to keep the
migration short.
"""

from __future__ import annotations

from collections.abc import Hashable

from .. import errors, ir
from . import relations, tables
from .context import Context
from .steps import Steps


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {t.name: t for t in ctx.old.tables}
    new_tables = {t.name: t for t in ctx.new.tables}
    for t1 in ctx.new.tables:
        t0 = old.get(t1.name)
        parts0 = {p.name: p for p in t0.partitions} if t0 is not None else {}
        layout_changes = t0 is not None and _non_default(t0) != _non_default(t1)
        for p1 in t1.partitions:
            p0 = parts0.get(p1.name)
            if t0 is None:
                _create(out, t1, p1)
            elif p0 is None or p0.bounds != p1.bounds:
                _add_to_copy(ctx, out, t1, p1, new_tables)
            elif p1.is_default and layout_changes and (p0.has_own_objects or p1.has_own_objects):
                out.refuse(
                    errors.UNSUPPORTED_CHANGE,
                    f"the DEFAULT partition {p1.name.display} carries indexes or constraints of its own, and the other "
                    f"partitions of {t1.name.display} change: its rows would move into a copy of it; drop its own "
                    "objects in one migration, change the partitions in the next, then declare them again",
                    "partition",
                    t1.name,
                    p1.name.name,
                )
            elif p0.indexes != p1.indexes or p0.constraints != p1.constraints:
                assert t0 is not None
                own0 = ir.Table(p0.name, t1.module, t1.columns, p0.constraints, p0.indexes)
                own1 = ir.Table(p1.name, t1.module, t1.columns, p1.constraints, p1.indexes)
                relations.indexes(ctx, out, own0, own1)
                relations.foreign_keys(ctx, out, own0, own1, new_tables)
                tables.own_constraints(ctx, out, own0, own1)
    return out


def _non_default(t: ir.Table) -> set[tuple[object, ...]]:
    return {p.bounds for p in t.partitions if not p.is_default}


def _add_to_copy(ctx: Context, out: Steps, t: ir.Table, p: ir.Partition, new_tables: dict[ir.Name, ir.Table]) -> None:
    """The own objects of a partition the migration creates or copies (it may hold rows once moves.py is done):
    added as to a table that holds rows (indexes CONCURRENTLY, constraints NOT VALID then validated), after the
    partition and the rows moved into it."""
    if not p.has_own_objects:
        return
    before = set(out.plan.nodes)
    own1 = ir.Table(p.name, t.module, t.columns, p.constraints, p.indexes)
    own0 = ir.Table(p.name, t.module, t.columns)
    relations.indexes(ctx, out, own0, own1)
    relations.foreign_keys(ctx, out, own0, own1, new_tables)
    tables.own_constraints(ctx, out, own0, own1)
    for key in set(out.plan.nodes) - before:
        out.edge(("build", ("partition", ("rows", t.name))), key)
        out.edge(("build", ("partition", p.name)), key)


def _create(out: Steps, t: ir.Table, p: ir.Partition) -> None:
    """The own objects of a partition of a new table, as the from-scratch migration makes them."""
    keys: list[tuple[Hashable, str]] = [(("index", ix.name), f"index {ix.name.name}") for ix in p.indexes]
    keys += [(("foreign_key", (p.name, con.name)), f"constraint {con.name}") for con in p.constraints]
    for key, what in keys:
        out.create(key)
        out.change(f"add {what} on partition {p.name.display}")
