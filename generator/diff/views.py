"""Views and materialized views.

A view whose new query keeps its old columns (same names and types, in order;
new ones only at the end) is changed in place with CREATE OR REPLACE VIEW: its
grants and comments stay. Otherwise it is dropped and created again, and so is
a view whose table has a column it may use change type, go or be renamed
(PostgreSQL refuses ALTER COLUMN ... TYPE and DROP COLUMN under a view), a
view that calls a function dropped, and every view that reads a recreated one.
A recreated view gets its comments and grants back. A materialized view has
no CREATE OR REPLACE: any change to its query is a drop and a create (its rows
are computed again, and its indexes built again).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import ir
from ..ir import Name
from ..sql.namespaces import ViewView
from ..sql.views import Object
from . import statements as st
from .context import Context, type_key
from .steps import Steps


def _columns(v: ir.View) -> list[tuple[str, Any]]:
    return [(c.name, type_key(c)) for c in v.columns]


def _definition(v: ir.View) -> tuple[Any, ...]:
    return (v.query, v.security_invoker, v.check_option, tuple(_columns(v)))


def recreated(
    old: ir.Schema,
    new: ir.Schema,
    retyped: Mapping[Name, frozenset[str]],
    dropped_functions: frozenset[ir.FunctionKey],
    rebuilt_enums: frozenset[Name],
    renamed_tables: Mapping[Name, Name],
) -> frozenset[Name]:
    """The views of both sides that the migration drops and creates again (see the module's docstring)."""
    before = {v.name: v for v in old.views}
    old_tables = {t.name: t for t in old.tables}
    new_tables = {t.name: t for t in new.tables}
    # `old` has the declared renames carried out (renames.py), its views do not: they name a renamed
    # table by its name before, which is what their `reads` hold.
    shaken: set[Name] = set(retyped) | set(renamed_tables) | set(renamed_tables.values())
    for name, t1 in new_tables.items():
        t0 = old_tables.get(name)
        if t0 is None:
            continue
        if {c.name for c in t0.columns} - {c.name for c in t1.columns}:
            shaken.add(name)  # a column dropped or renamed
        if any(c.enum in rebuilt_enums for c in t0.columns if c.enum is not None):
            shaken.add(name)
    result: set[Name] = set()
    for v in new.views:
        v0 = before.get(v.name)
        if v0 is None:
            continue
        if (
            v0.materialized != v.materialized
            or (v.materialized and _definition(v0) != _definition(v))
            or not _replaceable(v0, v)
            or shaken.intersection(v0.reads)
            or {f[0] for f in dropped_functions}.intersection(v0.calls)
            or any(c.enum in rebuilt_enums for c in v0.columns if c.enum is not None)
        ):
            result.add(v.name)
    changed = True
    while changed:  # a view reading a recreated view is recreated too
        changed = False
        for v in new.views:
            if v.name not in result and v.name in before and result.intersection(before[v.name].reads):
                result.add(v.name)
                changed = True
    return frozenset(result)


def _replaceable(v0: ir.View, v1: ir.View) -> bool:
    """CREATE OR REPLACE VIEW keeps the old columns (names and types, in order) and may add some at the end."""
    old, new = _columns(v0), _columns(v1)
    return new[: len(old)] == old


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {v.name: v for v in ctx.old.views}
    new = {v.name: v for v in ctx.new.views}
    for name, v in new.items():
        before = old.get(name)
        if before is None:
            _create(out, v)
            out.change(f"create {v.kind} {name.display}")
        elif name in ctx.recreated_views:
            _drop(
                out,
                before,
                "Its columns change, or what it reads does: dropped and created again, with its grants and comments.",
            )
            _create(out, v)
            out.change(f"recreate {v.kind} {name.display}")
        else:
            if _definition(before) != _definition(v):
                out.add(out.build(("view", name)), ViewView(v, or_replace=True))
                out.change(f"replace view {name.display}")
            _comments(out, before, v)
            if v.materialized:
                _indexes(out, before, v)
    for name, v in old.items():
        if name not in new:
            _drop(out, v, "Removed from the spec.")
            out.change(f"drop {v.kind} {name.display}")
    return out


def _create(out: Steps, v: ir.View) -> None:
    out.create(("view", v.name))
    for ix in v.indexes:
        out.create(("index", ix.name))


def _drop(out: Steps, v: ir.View, why: str) -> None:
    out.add(out.release(("view", v.name)), st.Drop(Object(v.kind, v.name.q)), notes=(why,), ignore=("ban-drop-view",))


def _comments(out: Steps, v0: ir.View, v1: ir.View) -> None:
    if v0.comment != v1.comment:
        out.add(out.build(("view", v1.name)), st.comment_on(Object(v1.kind, v1.name.q), v1.comment))
        out.change(f"comment on {v1.kind} {v1.name.display}")
    before = {c.name: c.comment for c in v0.columns}
    for c in v1.columns:
        if before.get(c.name) != c.comment:
            out.add(out.build(("view", v1.name)), st.comment_on(Object("column", c.q, v1.name.q), c.comment))
            out.change(f"comment on column {v1.name.display}.{c.name}")


def _indexes(out: Steps, v0: ir.View, v1: ir.View) -> None:
    old = {ix.name: ix for ix in v0.indexes}
    new = {ix.name: ix for ix in v1.indexes}
    for name, ix in old.items():
        if new.get(name) != ix:
            out.add(out.release(("index", name)), st.Drop(Object("index", name.q)), notes=("Changed or removed.",))
            if name not in new:
                out.change(f"drop index {name.display}")
    for name, ix in new.items():
        if old.get(name) != ix:
            out.create(("index", name))
            out.change(f"{'recreate' if name in old else 'create'} index {name.display}")
