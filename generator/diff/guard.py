"""How a migration tells that its main transaction has committed, so that a run of the whole file again stops
at once (review of issue 10, item 8).

A phase after the main transaction that stops (an index that cannot be built,
a lock not granted) is resumed at its marker line, or by `schemagen migrate`.
Run from the top instead, the file failed part way with `already exists`,
far from what to do. Nothing in the database records that the main
transaction ran when psql applies a file, so the guard, the file's first
statement, reads the change itself: an object the main transaction creates
or renames is there, or one it drops is gone (a table, a partition, a column,
a type, a function, a policy, a trigger). A migration whose main transaction
only alters what exists in a way that can run again (a default, a type, a
policy's expression, privileges) has no such sign, and needs none.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from .. import ir
from ..ir import Name
from ..pg import quoting
from . import statements as st
from .context import Context
from .model import Applied

Sign = tuple[str, str]  # a condition true while the object is there, and the object in words


def applied(ctx: Context) -> Applied | None:
    """The first sign the main transaction leaves, created things first; None when it leaves none."""
    return next(itertools.chain(_created(ctx), _dropped(ctx)), None)


def _there(sign: Sign) -> Applied:
    return Applied(sign[0], f"{sign[1]} exists")


def _gone(sign: Sign) -> Applied:
    return Applied(st.condition("missing", sign[0]), f"{sign[1]} no longer exists")


def _relation(kind: str, name: Name) -> Sign:
    return st.condition("relation", quoting.literal(name.q)), f"{kind} {name}"


def _column(table: Name, name: str) -> Sign:
    return st.condition("column", quoting.literal(table.q), quoting.literal(name)), f"column {table}.{name}"


def _policy(table: Name, name: str) -> Sign:
    return st.condition("policy", quoting.literal(table.q), quoting.literal(name)), f"policy {name} on {table}"


def _trigger(table: Name, name: str) -> Sign:
    return st.condition("trigger", quoting.literal(table.q), quoting.literal(name)), f"trigger {name} on {table}"


def _type(name: Name) -> Sign:
    return st.condition("type", quoting.literal(name.q)), f"type {name}"


def _function(f: ir.Function) -> Sign:
    return st.condition("function", quoting.literal(f.signature)), f"function {f.signature}"


def _created(ctx: Context) -> Iterator[Applied]:
    """What the main transaction creates or renames: there once it has committed, and not before (an object of a
    renamed table too: the table has its new name only then)."""
    old, new = ctx.old_tables, ctx.new_tables
    yield from (_there(_relation("table", n)) for n in new if n not in old or n in ctx.names.table)
    old_parts = {p.name for t in old.values() for p in t.partitions}
    for name, t1 in new.items():
        t0 = old.get(name)
        if t0 is None:
            continue
        yield from (
            _there(_relation("partition", p.name))
            for p in t1.partitions
            if p.name not in old_parts and not t0.owns(p)  # a time partitioning's own: its function's, not ours
        )
        renamed = {c for table, c in ctx.names.column if table == name}
        yield from (_there(_column(name, c.name)) for c in t1.columns if t0.column(c.name) is None or c.name in renamed)
        kept = {p.name for p in t0.policies}
        yield from (_there(_policy(name, p.name)) for p in t1.policies if p.name not in kept)
    old_triggers = {(t.table, t.name) for t in ctx.old.triggers}
    for trg in ctx.new.triggers:
        if (trg.table, trg.name) not in old_triggers and trg.table in old:
            yield _there(_trigger(trg.table, trg.name))
    old_enums = {e.name for e in ctx.old.enums}
    yield from (_there(_type(e.name)) for e in ctx.new.enums if e.name not in old_enums or e.name in ctx.names.enum)
    old_functions = {f.key for f in ctx.old.functions}
    yield from (_there(_function(f)) for f in ctx.new.functions if f.key not in old_functions)


def _dropped(ctx: Context) -> Iterator[Applied]:
    """What the main transaction drops: gone once it has committed. Never an object of a renamed table, which the
    database does not have under its new name before."""
    old, new = ctx.old_tables, ctx.new_tables
    yield from (_gone(_relation("table", n)) for n in old if n not in new)
    new_parts = {p.name for t in new.values() for p in t.partitions}
    for name, t0 in old.items():
        t1 = new.get(name)
        if t1 is None or name in ctx.names.table:
            continue
        yield from (
            _gone(_relation("partition", p.name)) for p in t0.partitions if p.name not in new_parts and not t1.owns(p)
        )
        yield from (_gone(_column(name, c.name)) for c in t0.columns if t1.column(c.name) is None)
        kept = {p.name for p in t1.policies}
        yield from (_gone(_policy(name, p.name)) for p in t0.policies if p.name not in kept)
    new_triggers = {(t.table, t.name) for t in ctx.new.triggers}
    for trg in ctx.old.triggers:
        if (trg.table, trg.name) not in new_triggers and trg.table in new and trg.table not in ctx.names.table:
            yield _gone(_trigger(trg.table, trg.name))
    new_enums = {e.name for e in ctx.new.enums}
    yield from (_gone(_type(e.name)) for e in ctx.old.enums if e.name not in new_enums)
    new_functions = {f.key for f in ctx.new.functions}
    yield from (_gone(_function(f)) for f in ctx.old.functions if f.key not in new_functions)
