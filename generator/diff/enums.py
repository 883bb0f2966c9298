"""Enum types: values added in place, or the type rebuilt when values go or move.

PostgreSQL can add a value at any position (`ADD VALUE ... BEFORE/AFTER`) but
cannot remove or reorder one. Then the type is rebuilt: the old one renamed
away, the new one created, every column converted through text (a row holding
a removed value makes the conversion fail, so no row is silently changed), the
old type dropped.

`ADD VALUE` runs in the migration's transaction (PostgreSQL 12+), so that a
failed migration leaves the type as it was; but a value added in a transaction
cannot be used until it commits, so when a statement of the transaction
names the new value (a default, a CHECK, a function body), `ADD VALUE ... IF NOT
EXISTS` runs before it, committed on its own, and can run again.
https://www.postgresql.org/docs/current/sql-altertype.html
"""

from __future__ import annotations

import dataclasses

from .. import ir
from ..ir import Name
from ..ir.names import make_object_name
from ..pg import quoting, sqlparse
from ..sql.views import Object
from . import prechecks
from . import statements as st
from .context import Context, Names
from .model import Phase, Plan
from .steps import Steps


def rebuilt(old: ir.Schema, new: ir.Schema, names: Names) -> frozenset[Name]:
    """The enums a value leaves or moves in: PostgreSQL cannot do that in place."""
    before = {e.name: e for e in old.enums}
    return frozenset(
        e.name
        for e in new.enums
        if (o := before.get(e.name)) is not None and o.values != e.values and additions(names, o, e) is None
    )


def additions(names: Names, old: ir.Enum, new: ir.Enum) -> list[st.AddValue] | None:
    """The ADD VALUE statements that turn `old` into `new`, or None when it takes a rebuild."""
    kept = [v for v in new.values if v in set(old.values)]
    if kept != list(old.values):
        return None  # a value went away or moved
    earlier = {names.value.get((new.name, v), v) for v in old.values}  # names as they are before the renames
    added = [v for v in new.values if v not in set(old.values)]
    if any(v in earlier for v in added):
        return None  # IF NOT EXISTS would find the value a rename is about to take away
    type_sql = names.enum.get(new.name, new.name).q
    result = []
    first_kept = next((i for i, v in enumerate(new.values) if v in set(old.values)), None)
    for i, v in enumerate(new.values):
        if v in set(old.values):
            continue
        if i > 0:
            anchor, before = new.values[i - 1], False
        else:
            assert first_kept is not None
            anchor, before = new.values[first_kept], True
        anchor = names.value.get((new.name, anchor), anchor)
        result.append(st.AddValue(type_sql, quoting.literal(v), quoting.literal(anchor), before))
    return result


def temporary_name(name: Name) -> Name:
    return Name(name.schema, make_object_name(name.name, None, "schemagen_old"))


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {e.name: e for e in ctx.old.enums}
    new = {e.name: e for e in ctx.new.enums}
    for name, e in new.items():
        if name not in old:
            out.create(("enum", name))
            out.change(f"create enum {name.display}")
    for name, e in old.items():
        if name not in new:
            out.add(
                out.release(("enum", name)),
                st.Drop(Object("type", name.q)),
                notes=("Removed from the spec.",),
                ignore=("ban-drop-type",),
            )
            out.change(f"drop enum {name.display}")
    for name, e in new.items():
        before = old.get(name)
        if before is None:
            continue
        if name in ctx.rebuilt_enums:
            rebuild(ctx, out, before, e)
        elif before.values != e.values:
            node = out.build(("enum", name))
            for add in additions(ctx.names, before, e) or []:
                out.added_values.append((node.key, out.add(node, add), add.value))
            out.change(
                f"add value(s) {', '.join(v for v in e.values if v not in before.values)} to enum {name.display}"
            )
        if before.comment != e.comment and name not in ctx.rebuilt_enums:
            out.add(out.build(("enum", name)), st.comment_on(Object("type", name.q), e.comment))
            out.change(f"comment on enum {name.display}")
    return out


def rebuild(ctx: Context, out: Steps, old: ir.Enum, new: ir.Enum) -> None:
    for value in old.values:
        if value not in new.values:
            out.allowed(
                "drop enum value",
                new.name.schema,
                new.name.name,
                value,
                message=f"value {value!r} of enum {new.name.display} is removed: rows holding it make the "
                "migration fail",
                locator=("enum", new.name),
            )
    temp = temporary_name(new.name)
    node = out.build(("enum", new.name))
    notes = (
        (
            f"Rebuilds enum {new.name.display} (a value is removed or moved): every column of this type is "
            "converted below, which rewrites its table."
        ),
    )
    out.add(
        node, st.Rename(Object("type", new.name.q), quoting.ident(temp.name)), notes=notes, ignore=("renaming-object",)
    )
    out.add(node, st.create(ctx.new_nodes[("enum", new.name)].payload))
    cleanup = out.late(("enum_cleanup", new.name))
    out.add(
        cleanup,
        st.Drop(Object("type", temp.q)),
        notes=(f"The old {new.name.display}, now unused.",),
        ignore=("ban-drop-type",),
    )
    out.edge(node.key, cleanup.key)
    converted = [t.name for t in ctx.old.tables if any(c.enum == new.name for c in t.columns)]
    for t in converted:
        for side in ("release", "build"):
            out.edge((side, ("table", t)), cleanup.key)
    for f in ctx.old.functions:
        if f.key in ctx.replaced_functions and new.name.name in sqlparse.signature_type_names(f.args, f.returns):
            # Dropped before the old type is renamed away, created once the columns have the new type (a SQL body is
            # checked against them).
            out.edge(("release", ("function", f.key)), node.key)
            for t in converted:
                out.edge(("build", ("table", t)), ("build", ("function", f.key)))
            out.edge(node.key, ("build", ("function", f.key)))
    gone = [v for v in old.values if v not in new.values]
    prechecks.enum_values(ctx, out, new.name, gone)
    out.change(
        f"rebuild enum {new.name.display}" + (f" without {', '.join(gone)}" if gone else " with values reordered")
    )


def settle(plan: Plan, added: list[tuple[object, object, str]]) -> None:
    """ADD VALUE before the main transaction when a statement there names the value; inside it otherwise.

    Run once every kind has written its steps: it reads them all.
    """
    if not added:
        return
    adding = {id(step) for _key, step, _value in added}
    main = [s.sql for n in plan.nodes.values() for s in n.steps if s.phase == Phase.MAIN and id(s) not in adding]
    for key, step, value in added:
        if any(value in sql for sql in main):
            node = plan.nodes[key]
            note = (
                "Before the main transaction, committed on its own: a value added in a transaction cannot be "
                "used until it commits, and the transaction uses it."
            )
            index = next(i for i, s in enumerate(node.steps) if s is step)
            node.steps[index] = dataclasses.replace(node.steps[index], phase=Phase.BEFORE, notes=(note,))
