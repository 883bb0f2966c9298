"""Functions and triggers.

A function whose signature and result stay is changed in place with CREATE OR
REPLACE (its grants, comment and the triggers that call it stay); otherwise it
is dropped and created again, and so are the triggers that call it.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Any

from .. import ir
from ..ir import Name
from ..pg import quoting, sqlparse
from ..sql import views
from ..sql.views import Object
from . import statements as st
from .context import Context, pair_up
from .steps import Steps

RESIGNED = "Its arguments change, which CREATE OR REPLACE cannot do: dropped and created again, with what calls it."


def _shape(f: ir.Function) -> tuple[Any, ...]:
    # What CREATE OR REPLACE cannot change: the arguments (names and defaults too) and the result type.
    return (f.arg_types, f.args, f.returns, f.kind)


def replaced(old: ir.Schema, new: ir.Schema, rebuilt_enums: frozenset[Name]) -> frozenset[ir.FunctionKey]:
    """The functions dropped and created again: their arguments or result change, or use an enum that is rebuilt.
    A function is known by its name and input types (overloads apart): other input types make another overload."""
    before = {f.key: f for f in old.functions}
    return frozenset(
        f.key
        for f in new.functions
        if f.key in before and (_shape(before[f.key]) != _shape(f) or uses(before[f.key], rebuilt_enums))
    )


def removed(old: ir.Schema, new: ir.Schema) -> frozenset[ir.FunctionKey]:
    """The functions (overloads) the spec no longer has."""
    return frozenset(f.key for f in old.functions) - {f.key for f in new.functions}


def _aggregate_shape(a: ir.Aggregate) -> tuple[Any, ...]:
    """What CREATE OR REPLACE AGGREGATE cannot change: its state type and final function (so its result type)."""
    return (a.stype, a.finalfunc)


def dropped_aggregates(
    old: ir.Schema, new: ir.Schema, dropped_functions: frozenset[ir.FunctionKey]
) -> frozenset[ir.FunctionKey]:
    """The aggregates (aggs6) dropped: gone from the spec, changed past what CREATE OR REPLACE can do, or over a
    function that is dropped."""
    now = {a.key: a for a in new.aggregates}
    gone = {f[0] for f in dropped_functions}
    return frozenset(
        a.key
        for a in old.aggregates
        if a.key not in now or _aggregate_shape(a) != _aggregate_shape(now[a.key]) or set(a.support) & gone
    )


def aggregates(ctx: Context, out: Steps) -> None:
    """Aggregates (aggs6), by signature: CREATE OR REPLACE AGGREGATE (PostgreSQL 12+) where it can, otherwise dropped
    and created again, with what calls it."""
    old = {a.key: a for a in ctx.old.aggregates}
    new = {a.key: a for a in ctx.new.aggregates}
    for key, a in new.items():
        before = old.get(key)
        if before is not None and key in ctx.dropped_functions:
            out.add(
                out.release(("aggregate", key)),
                st.Drop(Object("aggregate", before.signature)),
                notes=("Its state type, final function or a function it uses changes: dropped and created again.",),
                ignore=("ban-drop-function",),
            )
            out.create(("aggregate", key))
            out.change(f"recreate aggregate {a.label}")
        elif before is None:
            out.create(("aggregate", key))
            out.change(f"create aggregate {a.label}")
        elif before != a:
            if dataclasses.replace(before, comment=a.comment) != a:
                out.add(out.build(("aggregate", key)), views.AggregateView(a, replace=True))
                out.change(f"replace aggregate {a.label}")
            if before.comment != a.comment:
                out.add(out.build(("aggregate", key)), st.comment_on(Object("aggregate", a.signature), a.comment))
                out.change(f"comment on aggregate {a.label}")
    for key, a in old.items():
        if key not in new:
            out.add(
                out.release(("aggregate", key)),
                st.Drop(Object("aggregate", a.signature)),
                notes=("Removed from the spec.",),
                ignore=("ban-drop-function",),
            )
            out.change(f"drop aggregate {a.label}")


def uses(f: ir.Function, enums: frozenset[Name]) -> bool:
    """Whether an argument or the result is of one of `enums` (a rebuilt enum cannot be dropped under it)."""
    return bool(enums) and any(name.name in sqlparse.signature_type_names(f.args, f.returns) for name in enums)


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    functions(ctx, out)
    triggers(ctx, out)
    event_triggers(ctx, out)
    aggregates(ctx, out)
    return out


def event_triggers(ctx: Context, out: Steps) -> None:
    """Event triggers (funcs5), by name: ALTER EVENT TRIGGER changes neither event, tags nor function, so a changed
    one (or one whose function is dropped and created again) is dropped and created again."""
    old = {t.name: t for t in ctx.old.event_triggers}
    new = {t.name: t for t in ctx.new.event_triggers}
    for name, t in new.items():
        before = old.get(name)
        if before is not None and (
            (before.event, before.tags, before.function) != (t.event, t.tags, t.function)
            or t.function in ctx.replaced_function_names
        ):
            out.add(
                out.release(("event_trigger", name)),
                st.Drop(Object("event trigger", before.q)),
                notes=("Changed: dropped and created again below.",),
            )
            before = None
            out.change(f"recreate event trigger {name}")
        elif before is None:
            out.change(f"create event trigger {name}")
        if before is None:
            out.create(("event_trigger", name))
        elif before.comment != t.comment:
            out.add(out.build(("event_trigger", name)), st.comment_on(Object("event trigger", t.q), t.comment))
            out.change(f"comment on event trigger {name}")
    for name, t in old.items():
        if name not in new:
            out.add(
                out.release(("event_trigger", name)),
                st.Drop(Object("event trigger", t.q)),
                notes=("Removed from the spec.",),
            )
            out.change(f"drop event trigger {name}")


def functions(ctx: Context, out: Steps) -> None:
    old = {f.key: f for f in ctx.old.functions}
    new = {f.key: f for f in ctx.new.functions}
    old_counts, new_counts = collections.Counter(k[0] for k in old), collections.Counter(k[0] for k in new)
    # A name with one function on each side whose input types change: that function with a new signature
    resigned = {
        key: next(k for k in old if k[0] == key[0])
        for key in new
        if key not in old and old_counts[key[0]] == 1 and new_counts[key[0]] == 1
    }
    for key, f in new.items():
        before = old.get(key)
        if key in resigned:
            out.add(
                out.release(("function", resigned[key])),
                st.Drop(Object(old[resigned[key]].kind, old[resigned[key]].signature)),
                notes=(RESIGNED,),
                ignore=("ban-drop-function",),
            )
            out.create(("function", key))
            out.change(f"recreate function {_label(f, new_counts)}")
        elif before is None:
            out.create(("function", key))
            out.change(f"create function {_label(f, new_counts)}")
        elif key in ctx.replaced_functions:
            why = (
                "An enum of its signature is rebuilt"
                if _shape(before) == _shape(f)
                else "Its arguments or result type change, which CREATE OR REPLACE cannot do"
            )
            out.add(
                out.release(("function", key)),
                st.Drop(Object(before.kind, before.signature)),
                notes=(f"{why}: dropped and created again, with what calls it.",),
                ignore=("ban-drop-function",),
            )
            out.create(("function", key))
            out.change(f"recreate function {_label(f, new_counts)}")
        elif before != f:
            if _definition(before) != _definition(f):
                out.add(out.build(("function", key)), st.ReplaceFunction(f))
                out.change(f"replace function {_label(f, new_counts)}")
            if before.comment != f.comment:
                out.add(out.build(("function", key)), st.comment_on(Object(f.kind, f.signature), f.comment))
                out.change(f"comment on function {_label(f, new_counts)}")
    for key, f in old.items():
        if key not in new and key not in resigned.values():
            out.add(
                out.release(("function", key)),
                st.Drop(Object(f.kind, f.signature)),
                notes=("Removed from the spec.",),
                ignore=("ban-drop-function",),
            )
            out.change(f"drop function {_label(f, old_counts)}")


def _label(f: ir.Function, counts: collections.Counter[Name]) -> str:
    """How a change names a function: by name, or by signature when the name has overloads."""
    return f.label if counts[f.name] > 1 else f.name.display


def _definition(f: ir.Function) -> tuple[Any, ...]:
    return (
        f.language,
        f.body,
        f.volatility,
        f.security,
        f.strict,
        f.search_path,
        f.parallel,
        f.leakproof,
        f.cost,
        f.rows,
        f.settings,
    )


def trigger_signature(t: ir.Trigger) -> tuple[Any, ...]:
    return (t.table, t.timing, t.events, t.level, t.function, t.when, t.update_of, t.old_table, t.new_table, t.args)


def triggers(ctx: Context, out: Steps) -> None:
    dropped_tables = {t.name for t in ctx.old.tables} - {t.name for t in ctx.new.tables}
    new_tables = {t.name for t in ctx.new.tables} - {t.name for t in ctx.old.tables}
    old = {(t.table, t.name): t for t in ctx.old.triggers if t.table not in dropped_tables}
    new = {(t.table, t.name): t for t in ctx.new.triggers}
    for key, t in new.items():
        if t.table in new_tables:
            out.create(("trigger", key))
    old_kept = {k: t for k, t in old.items()}
    new_kept = {k: t for k, t in new.items() if t.table not in new_tables}
    renames, gone, came = pair_up(old_kept, new_kept, trigger_signature)
    for old_key, new_key in renames:
        t = new[new_key]
        out.renamed(st.Rename(Object("trigger", quoting.ident(old_key[1]), t.table.q), t.q), "trigger")
        out.change(f"rename trigger {old_key[1]} to {t.name}")
    replaced = [
        k
        for k, t in new_kept.items()
        if k in old_kept
        and (
            trigger_signature(t) != trigger_signature(old_kept[k])
            or t.function in ctx.replaced_function_names
            or (sqlparse.column_names(t.when) | set(t.update_of)) & ctx.retyped.get(t.table, frozenset())
        )
    ]
    for k in gone + replaced:
        t = old_kept[k]
        out.add(
            out.release(("trigger", k)),
            st.Drop(Object("trigger", t.q, t.table.q)),
            notes=("Removed from the spec." if k in gone else "Changed: dropped and created again below.",),
        )
        if k in gone:
            out.change(f"drop trigger {t.name} on {t.table.display}")
    for k in came + replaced:
        out.create(("trigger", k))
        out.change(f"{'recreate' if k in replaced else 'create'} trigger {k[1]} on {k[0].display}")
    for old_key, new_key in renames + [(k, k) for k in new_kept if k in old_kept and k not in replaced]:
        t = new[new_key]
        if old_kept[old_key].comment != t.comment:
            out.add(out.build(("trigger", new_key)), st.comment_on(Object("trigger", t.q, t.table.q), t.comment))
            out.change(f"comment on trigger {t.name} on {t.table.display}")
