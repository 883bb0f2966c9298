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
from .context import Context
from .model import Phase


def classify(ctx: Context) -> None:
    old = {e.name: e for e in ctx.old.enums}
    for e in ctx.new.enums:
        before = old.get(e.name)
        if before is not None and before.values != e.values and additions(ctx, before, e) is None:
            ctx.rebuilt_enums.add(e.name)
            ctx.disruptive.add(("enum", e.name))


def additions(ctx: Context, old: ir.Enum, new: ir.Enum) -> list[st.AddValue] | None:
    """The ADD VALUE statements that turn `old` into `new`, or None when it takes a rebuild."""
    kept = [v for v in new.values if v in set(old.values)]
    if kept != list(old.values):
        return None  # a value went away or moved
    earlier = {ctx.before_value.get((new.name, v), v) for v in old.values}  # names as they are before the renames
    added = [v for v in new.values if v not in set(old.values)]
    if any(v in earlier for v in added):
        return None  # IF NOT EXISTS would find the value a rename is about to take away
    type_sql = ctx.before_enum.get(new.name, new.name).q
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
        anchor = ctx.before_value.get((new.name, anchor), anchor)
        result.append(st.AddValue(type_sql, quoting.literal(v), quoting.literal(anchor), before))
    return result


def temporary_name(name: Name) -> Name:
    return Name(name.schema, make_object_name(name.name, None, "schemagen_old"))


def diff(ctx: Context) -> None:
    old = {e.name: e for e in ctx.old.enums}
    new = {e.name: e for e in ctx.new.enums}
    for name, e in new.items():
        if name not in old:
            ctx.create(("enum", name))
            ctx.change(f"create enum {name.display}")
    for name, e in old.items():
        if name not in new:
            ctx.add(
                ctx.release(("enum", name)),
                st.Drop(Object("type", name.q)),
                notes=("Removed from the spec.",),
                ignore=("ban-drop-type",),
            )
            ctx.change(f"drop enum {name.display}")
    for name, e in new.items():
        before = old.get(name)
        if before is None:
            continue
        if name in ctx.rebuilt_enums:
            rebuild(ctx, before, e)
        elif before.values != e.values:
            node = ctx.build(("enum", name))
            for add in additions(ctx, before, e) or []:
                ctx.added_values.append((node, len(node.steps), add.value))
                ctx.add(node, add)
            ctx.change(
                f"add value(s) {', '.join(v for v in e.values if v not in before.values)} to enum {name.display}"
            )
        if before.comment != e.comment and name not in ctx.rebuilt_enums:
            ctx.add(ctx.build(("enum", name)), st.comment_on(Object("type", name.q), e.comment))
            ctx.change(f"comment on enum {name.display}")


def rebuild(ctx: Context, old: ir.Enum, new: ir.Enum) -> None:
    for value in old.values:
        if value not in new.values:
            ctx.allowed(
                "drop enum value",
                new.name.schema,
                new.name.name,
                value,
                message=f"value {value!r} of enum {new.name.display} is removed: rows holding it make the "
                "migration fail",
                locator=("enum", new.name),
            )
    temp = temporary_name(new.name)
    node = ctx.build(("enum", new.name))
    notes = (
        (
            f"Rebuilds enum {new.name.display} (a value is removed or moved): every column of this type is "
            "converted below, which rewrites its table."
        ),
    )
    ctx.add(
        node, st.Rename(Object("type", new.name.q), quoting.ident(temp.name)), notes=notes, ignore=("renaming-object",)
    )
    ctx.add(node, st.create(ctx.new_nodes[("enum", new.name)].payload))
    cleanup = ctx.late(("enum_cleanup", new.name))
    ctx.add(
        cleanup,
        st.Drop(Object("type", temp.q)),
        notes=(f"The old {new.name.display}, now unused.",),
        ignore=("ban-drop-type",),
    )
    ctx.plan.edge(node.key, cleanup.key)
    converted = [t.name for t in ctx.old.tables if any(c.enum == new.name for c in t.columns)]
    for t in converted:
        for side in ("release", "build"):
            ctx.plan.edge((side, ("table", t)), cleanup.key)
    for f in ctx.old.functions:
        if f.name in ctx.replaced_functions and new.name.name in sqlparse.signature_type_names(f.args, f.returns):
            # Dropped before the old type is renamed away, created once the columns have the new type (a SQL body is
            # checked against them).
            ctx.plan.edge(("release", ("function", f.name)), node.key)
            for t in converted:
                ctx.plan.edge(("build", ("table", t)), ("build", ("function", f.name)))
            ctx.plan.edge(node.key, ("build", ("function", f.name)))
    gone = [v for v in old.values if v not in new.values]
    prechecks.enum_values(ctx, new.name, gone)
    ctx.change(
        f"rebuild enum {new.name.display}" + (f" without {', '.join(gone)}" if gone else " with values reordered")
    )


def settle(ctx: Context) -> None:
    """ADD VALUE before the main transaction when a statement there names the value; inside it otherwise."""
    if not ctx.added_values:
        return
    adding = {id(node.steps[index]) for node, index, _ in ctx.added_values}
    main = [s.sql for n in ctx.plan.nodes.values() for s in n.steps if s.phase == Phase.MAIN and id(s) not in adding]
    for node, index, value in ctx.added_values:
        if any(value in sql for sql in main):
            step = node.steps[index]
            note = (
                "Before the main transaction, committed on its own: a value added in a transaction cannot be "
                "used until it commits, and the transaction uses it."
            )
            node.steps[index] = dataclasses.replace(step, phase=Phase.BEFORE, notes=(note,))
