"""Tables: create and drop them; add, drop and change columns; CHECK, UNIQUE and PRIMARY KEY constraints.

A table that already holds rows is changed the way that blocks it least:
constraints are added NOT VALID and validated in a later transaction, NOT NULL
goes through a validated CHECK (PostgreSQL 12+ then skips its scan), UNIQUE
keys are built as an index CONCURRENTLY first. Where a strong lock is
unavoidable (a type change, a drop) the migration says so above the statement.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from .. import errors, ir
from ..ir import Name
from ..ir.names import make_object_name
from ..pg import quoting, sqlparse
from ..sql import views
from ..sql.views import Object
from . import generated as generated_kind
from . import prechecks, types, usertypes, validity
from . import statements as st
from .context import Context, pair_up, type_key
from .model import Node, Phase
from .steps import Steps

LOCK = "Takes an ACCESS EXCLUSIVE lock on {}"
VOLATILE = {
    "gen_random_uuid",
    "random",
    "clock_timestamp",
    "timeofday",
    "uuid_generate_v1",
    "uuid_generate_v4",
    "nextval",
    "txid_current",
}


def constraint_signature(c: ir.Constraint) -> ir.Constraint:
    """What a constraint is, whatever its name, comment and whether it is validated (two with the same signature
    are one renamed; NOT VALID added or removed is a change of its own, validity.py)."""
    return dataclasses.replace(c, name="", comment=None, not_valid=False)


def classify(
    old: ir.Schema, new: ir.Schema, rebuilt_enums: frozenset[Name], calls_dropped: Callable[..., bool]
) -> tuple[dict[Name, frozenset[str]], frozenset[Name], frozenset[tuple[Name, tuple[str, ...]]]]:
    """What other kinds must know before they diff: the columns whose type changes (by table), the tables rewritten,
    and the unique keys dropped and added again."""
    before = {t.name: t for t in old.tables}
    retyped: dict[Name, frozenset[str]] = {}
    rewritten: set[Name] = set()
    replaced_keys: set[tuple[Name, tuple[str, ...]]] = set()
    for t1 in new.tables:
        t0 = before.get(t1.name)
        if t0 is None or (t0 == t1 and not rebuilt_enums):
            continue
        columns0 = {c.name: c for c in t0.columns}
        for c1 in t1.columns:
            c0 = columns0.get(c1.name)
            if c0 is not None and (type_key(c0) != type_key(c1) or c1.enum in rebuilt_enums or recollated(c0, c1)):
                retyped[t1.name] = retyped.get(t1.name, frozenset()) | {c1.name}
                if c1.enum in rebuilt_enums or types.rewrites(c0, c1):
                    rewritten.add(t1.name)
        _renames, dropped, _added, changed = _constraints(t0, t1, retyped.get(t1.name, frozenset()), calls_dropped)
        for name in dropped + changed:
            con = next(c for c in t0.constraints if c.name == name)
            if con.kind in ("primary_key", "unique"):
                replaced_keys.add((t0.name, con.columns))
    return retyped, frozenset(rewritten), frozenset(replaced_keys)


def recollated(c0: ir.Column, c1: ir.Column) -> bool:
    """Whether only the column's collation changes (ALTER COLUMN ... TYPE ... COLLATE, as a type change)."""
    return c0.collation != c1.collation and not generated_kind.changes(c0, c1)


def _constraints(
    t0: ir.Table, t1: ir.Table, retyped: frozenset[str], calls_dropped: Callable[..., bool]
) -> tuple[list[tuple[str, str]], list[str], list[str], list[str]]:
    """Inline constraints (not foreign keys): renamed, dropped, added, and changed (dropped and added again: a CHECK
    is too when it reads a column whose type changes, or calls a function dropped and created again)."""
    old = {c.name: c for c in t0.inline_constraints}
    new = {c.name: c for c in t1.inline_constraints}
    renames, dropped, added = pair_up(old, new, constraint_signature)
    changed = [
        name
        for name, c in new.items()
        if name in old
        and (
            constraint_signature(c) != constraint_signature(old[name])
            or (c.kind == "check" and (sqlparse.column_names(c.check) & retyped or calls_dropped(old[name].check)))
        )
    ]
    return renames, dropped, added, changed


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {t.name: t for t in ctx.old.tables}
    new = {t.name: t for t in ctx.new.tables}
    for name in new:
        if name not in old:
            out.create(("table", name))
            out.change(f"create table {name.display}")
    for name, t in old.items():
        if name not in new:
            drop_table(ctx, out, t)
    for name, t1 in new.items():
        t0 = old.get(name)
        if t0 is not None and not ctx.untouched(t0, t1):
            alter(ctx, out, t0, t1)
    return out


def drop_table(ctx: Context, out: Steps, t: ir.Table) -> None:
    out.allowed(
        "drop table",
        t.name.schema,
        t.name.name,
        message=f"table {t.name.display} is removed from the spec: dropping it deletes its rows",
        locator=("table", t.name),
    )
    out.add(
        out.release(("table", t.name)),
        st.Drop(Object("table", t.name.q)),
        notes=(
            ctx.loss("the table and its rows are deleted", "created the table: only the rows written since are lost"),
            LOCK.format(t.name.display) + ".",
        ),
        ignore=("ban-drop-table",),
    )
    out.change(f"drop table {t.name.display}")


def alter(ctx: Context, out: Steps, t0: ir.Table, t1: ir.Table) -> None:
    key = ("table", t1.name)
    q = t1.name.q
    columns0 = {c.name: c for c in t0.columns}
    columns1 = {c.name: c for c in t1.columns}
    renames, dropped, added, changed = _constraints(t0, t1, ctx.retyped.get(t1.name, frozenset()), ctx.calls_dropped)
    old_cons = {c.name: c for c in t0.inline_constraints}
    new_cons = {c.name: c for c in t1.inline_constraints}

    for old_name, new_name in renames:
        out.renamed(
            st.RenameConstraint(q, quoting.ident(old_name), quoting.ident(new_name)),
            "constraint",
        )
        out.change(f"rename constraint {old_name} to {new_name} on {t1.name.display}")
    for name in dropped + changed:
        out.add(
            out.release(key),
            st.DropConstraint(q, quoting.ident(name)),
            notes=(_why_dropped(name in changed),),
            ignore=("ban-drop-constraint",),
        )
        if name in dropped:
            out.change(f"drop constraint {name} on {t1.name.display}")
    for name, gone in columns0.items():
        if name not in columns1:
            out.allowed(
                "drop column",
                t1.name.schema,
                t1.name.name,
                name,
                message=f"column {t1.name.display}.{name} is removed from the spec: dropping it deletes its data",
                locator=("column", t1.name, name),
            )
            out.add(
                out.release(key),
                st.DropColumn(q, gone.q),
                notes=(
                    ctx.loss(
                        "the column's data is deleted", "added the column: only the values written to it since are lost"
                    ),
                    LOCK.format(t1.name.display) + " for a moment (no rewrite).",
                ),
                ignore=("ban-drop-column",),
            )
            out.change(f"drop column {t1.name.display}.{name}")

    build = out.build(key)
    for name, column in columns1.items():
        before = columns0.get(name)
        if before is None:
            add_column(ctx, out, build, t1, column)
        else:
            alter_column(ctx, out, build, t1, before, column)
    for name in added + changed:
        add_constraint(ctx, out, t1, new_cons[name])
        out.change(f"{'add' if name in added else 'change'} constraint {name} on {t1.name.display}")
    kept = renames + [(n, n) for n in new_cons if n in old_cons and n not in changed]
    validity.flips(ctx, out, t1, [(old_cons[a], new_cons[b]) for a, b in kept], key)
    for old_name, new_name in renames:
        if old_cons[old_name].comment != new_cons[new_name].comment:
            out.add(build, st.comment_on(Object("constraint", quoting.ident(new_name), q), new_cons[new_name].comment))
            out.change(f"comment on constraint {new_name} on {t1.name.display}")
    for name, con in new_cons.items():
        if name in old_cons and name not in changed and old_cons[name].comment != con.comment:
            out.add(build, st.comment_on(Object("constraint", con.q, q), con.comment))
            out.change(f"comment on constraint {name} on {t1.name.display}")
    if t0.comment != t1.comment:
        out.add(build, st.comment_on(Object("table", q), t1.comment))
        out.change(f"comment on table {t1.name.display}")
    if (t0.partition_by, t0.partition_key) != (t1.partition_by, t1.partition_key):
        out.refuse(
            errors.UNSUPPORTED_CHANGE,
            f"the partitioning of table {t1.name.display} changes; schemagen cannot repartition a table in "
            "place (create a new table and move the rows)",
            "table",
            t1.name,
        )


def _why_dropped(changed: bool) -> str:
    return "Changed in the spec: dropped here and added again below." if changed else "Removed from the spec."


def add_column(ctx: Context, out: Steps, build: Node, t: ir.Table, c: ir.Column) -> None:
    q = t.name.q
    if c.not_null and c.default is None and c.identity is None:
        out.refuse(
            errors.UNSUPPORTED_CHANGE,
            f"new column {t.name.display}.{c.name} is NOT NULL without a default: rows already in the "
            "table would have no value; give it a default (or add it nullable, fill it, then make it NOT "
            "NULL)",
            "column",
            t.name,
            c.name,
        )
    notes: list[str] = generated_kind.add(out, t, c) if c.generated is not None else []
    ignore: list[str] = []
    if c.generated is not None and not c.virtual:
        ignore.append("adding-field-with-default")
    if c.identity or (c.default is not None and _volatile(ctx, c.default)):
        notes.append(LOCK.format(t.name.display) + " and rewrites it: every existing row gets its own value.")
        ignore.append("adding-field-with-default")
    out.add(build, st.AddColumn(q, views.ColumnView(c)), notes=notes, ignore=ignore)
    if c.comment is not None:
        out.add(build, st.comment_on(Object("column", c.q, q), c.comment))
    out.change(f"add column {t.name.display}.{c.name}")


def _volatile(ctx: Context, expression: str) -> bool:
    volatile = VOLATILE | {f.name.name for f in ctx.new.functions if f.volatility == "volatile"}
    return not volatile.isdisjoint(sqlparse.called_names(expression))


def alter_column(ctx: Context, out: Steps, build: Node, t: ir.Table, c0: ir.Column, c1: ir.Column) -> None:
    q = t.name.q
    if generated_kind.changes(c0, c1):
        generated_kind.alter(ctx, out, build, t, c0, c1)
        if c1.generated is not None or c0.virtual:
            return  # dropped and added again as the spec has it (or refused)
    retyped = c1.name in ctx.retyped.get(t.name, frozenset())
    default = c0.default  # the default the column has at this point of the migration
    if default is not None and ctx.calls_dropped(default):
        notes = ("It calls a function dropped and created again below: set again after.",)
        out.add(
            out.release(("table", t.name)),
            st.DropDefault(q, c1.q),
            notes=notes,
            ignore=("ban-drop-default",),
        )
        default = None
    if retyped and c1.name in t.partition_key and type_key(c0) != type_key(c1):
        out.refuse(
            errors.UNSUPPORTED_CHANGE,
            f"column {t.name.display}.{c1.name} is the partition key of {t.name.display}: PostgreSQL "
            "cannot change its type in place; "
            "create a new table partitioned by the new type (spec it under a new name), copy the rows "
            "into it, then drop the old one and rename the new one (renamed_from)",
            "column",
            t.name,
            c1.name,
        )
        return
    if retyped:
        if type_key(c0) != type_key(c1) and not types.widens(c0, c1) and not usertypes.keeps_values(ctx, c0, c1):
            out.allowed(
                "change type",
                t.name.schema,
                t.name.name,
                c1.name,
                message=f"column {t.name.display}.{c1.name} changes type from {c0.sql_type} to {c1.sql_type}, "
                "which can lose data or fail on existing rows",
                locator=("column", t.name, c1.name),
                to=c1.sql_type,
            )
        change = alter_type(q, c0, c1)
        if (change.cast or change.via) and default is not None:
            out.add(
                build,
                st.DropDefault(q, c1.q),
                notes=("The default is set again after the type change.",),
                ignore=("ban-drop-default",),
            )
            default = None
        rewrite = (
            "rewrites the table and its indexes"
            if c1.enum in ctx.rebuilt_enums or types.rewrites(c0, c1)
            else "no rewrite: the change is binary-compatible"
        )
        if c0.collation != c1.collation and type_key(c0) == type_key(c1):
            rewrite = "no rewrite of the rows, but every index on the column is rebuilt under that lock (new collation)"
            out.change(f"change collation of {t.name.display}.{c1.name} to {c1.collation or 'the default'}")
        again = prechecks.stop_narrowing(ctx, out, t, c0, c1)
        if again:
            out.add(
                build,
                again[0],
                notes=(
                    (
                        "Checked again under the lock the type change takes anyway: PostgreSQL would cut or "
                        "round such a value without an error."
                    ),
                ),
            )
            out.add(build, again[1])
        out.add(
            build,
            change,
            notes=(f"{LOCK.format(t.name.display)}; {rewrite}.",),
            ignore=("changing-column-type",),
        )
        if type_key(c0) != type_key(c1) or c1.enum in ctx.rebuilt_enums:
            out.change(f"change type of {t.name.display}.{c1.name} to {c1.sql_type}")
    if default != c1.default:
        if c1.default is None:
            out.add(
                build,
                st.DropDefault(q, c1.q),
                notes=("Removed from the spec.",),
                ignore=("ban-drop-default",),
            )
        else:
            out.add(build, st.SetDefault(q, c1.q, c1.default))
        if c0.default != c1.default:
            out.change(f"change default of {t.name.display}.{c1.name}")
    if c0.identity != c1.identity:
        out.add(
            build,
            st.Identity(q, c1.q, c1.identity.upper() if c1.identity else None, add=c0.identity is None),
            notes=("The spec changes the column's identity.",),
            ignore=("ban-alter-identity",),
        )
        out.change(f"change identity of {t.name.display}.{c1.name}")
    if c0.not_null and not c1.not_null:
        out.add(
            build,
            st.NotNull(q, c1.q, set=False),
            notes=("The spec makes the column nullable.",),
            ignore=("ban-drop-not-null",),
        )
        out.change(f"make {t.name.display}.{c1.name} nullable")
    elif c1.not_null and not c0.not_null:
        set_not_null(ctx, out, t, c1)
        out.change(f"make {t.name.display}.{c1.name} NOT NULL")
    if c0.comment != c1.comment:
        out.add(build, st.comment_on(Object("column", c1.q, q), c1.comment))
        out.change(f"comment on column {t.name.display}.{c1.name}")


def alter_type(table: str, c0: ir.Column, c1: ir.Column) -> st.AlterColumnType:
    """The type change, with a USING cast where an implicit one will not do (an enum goes through text)."""
    collation = quoting.ident(c1.collation) if c1.collation is not None else None
    if c0.enum is not None or c1.enum is not None:
        return st.AlterColumnType(table, c1.q, c1.sql_type, via="text" + "[]" * c0.array_dims, collation=collation)
    cast = c0.array_dims != c1.array_dims or (c0.base != c1.base and not types.implicit(c0, c1))
    return st.AlterColumnType(table, c1.q, c1.sql_type, cast=cast, collation=collation)


def set_not_null(ctx: Context, out: Steps, t: ir.Table, c: ir.Column) -> None:
    """NOT NULL on a column with rows: proven by a CHECK validated outside the main transaction first.

    The rows that hold NULL are dealt with before: they get the column's
    default in the main transaction, or, without one, the PRECHECK phase stops
    the migration before it changes anything. The last phase can run again.
    """
    q = t.name.q
    node = out.late(("not_null", t.name, c.name))
    out.edge(("build", ("table", t.name)), node.key)
    if c.default is not None:
        notes = (f"Rewrites the rows where {c.name} is NULL: they get the column's default.",)
        out.add(node, st.FillNulls(q, c.q), notes=notes)
    else:
        prechecks.nulls(ctx, out, t, c)
    if t.partition_by:
        out.add(
            node,
            st.NotNull(q, c.q, set=True),
            notes=(f"{LOCK.format(t.name.display)} and its partitions while every row is checked.",),
            ignore=("adding-not-nullable-field",),
        )
        return
    name = make_object_name(t.name.name, c.name, "not_null_check")
    check = quoting.ident(name)
    out.add(
        node,
        st.DropConstraint(q, check, if_exists=True),
        notes=("Left by an earlier run that stopped in the last transaction, if any.",),
        ignore=("ban-drop-constraint",),
    )
    out.add(
        node,
        st.AddNotNullCheck(q, check, c.q),
        notes=("Proves NOT NULL without a long lock: added NOT VALID here, validated in the last transaction.",),
    )
    out.add(
        node,
        st.IfConstraint.on(t.name, name, st.ValidateConstraint(q, check), exists=True),
        Phase.FINAL,
        notes=("Gone once the column is NOT NULL: a run again skips it.",),
    )
    spared = "The validated CHECK spares this statement its scan (squawk cannot see the VALIDATE inside the DO block)."
    out.add(
        node,
        st.NotNull(q, c.q, set=True),
        Phase.FINAL,
        notes=(spared,),
        ignore=("adding-not-nullable-field",),
    )
    out.add(
        node,
        st.DropConstraint(q, check, if_exists=True),
        Phase.FINAL,
        notes=("The CHECK was only a means to SET NOT NULL.",),
        ignore=("ban-drop-constraint",),
    )


def add_constraint(ctx: Context, out: Steps, t: ir.Table, c: ir.Constraint) -> None:
    """A CHECK, UNIQUE or PRIMARY KEY constraint on a table that already has rows (the rows that violate it are refused
    first)."""
    q = t.name.q
    comment = [st.comment_on(Object("constraint", c.q, q), c.comment)] if c.comment is not None else []
    if c.not_valid:  # declared NOT VALID: the rows there are left unchecked, as the spec says
        out.add(
            out.build(("table", t.name)),
            st.AddConstraint.of(t.name, c, not_valid=True),
            notes=("Declared NOT VALID: the rows already there are not checked (new rows are).",),
        )
        for statement in comment:
            out.add(out.build(("table", t.name)), statement)
        return
    if c.kind == "exclude":  # K3 exclusion constraints: no CONCURRENTLY; its index is built under the lock
        prechecks.conflicts(ctx, out, t, c)
        node = out.build(("table", t.name))
        out.add(
            node,
            st.AddConstraint.of(t.name, c),
            notes=(
                (
                    f"{LOCK.format(t.name.display)} while the constraint's index is built (PostgreSQL builds an "
                    "exclusion constraint's index only this way): queries and writes wait for it. The rows it would "
                    "refuse were named before anything changed."
                ),
            ),
            ignore=("constraint-missing-not-valid",),
        )
        for view in comment:
            out.add(node, view)
        return
    if c.kind == "check":
        prechecks.check(ctx, out, t, c)
    else:
        elements = tuple(ir.IndexElement(col, None) for col in c.columns)
        prechecks.duplicates(ctx, out, t, c.name, elements, nulls_not_distinct=c.nulls_not_distinct)
    if t.partition_by:  # neither NOT VALID nor CONCURRENTLY works on a partitioned table
        node = out.build(("table", t.name))
        rule = "constraint-missing-not-valid" if c.kind == "check" else "disallowed-unique-constraint"
        rules = (rule, "adding-serial-primary-key-field") if c.kind == "primary_key" else (rule,)
        out.add(
            node,
            st.AddConstraint.of(t.name, c),
            notes=(
                (
                    f"{LOCK.format(t.name.display)} and its partitions while every row is checked: a "
                    "partitioned table has no NOT VALID or CONCURRENTLY here."
                ),
            ),
            ignore=rules,
        )
    elif c.kind == "check" and c.check is not None and prechecks.changes_with_time(c.check):
        node = out.build(("table", t.name))
        why = (
            "Validated here, in the transaction: it depends on the time, so a row could pass the check before "
            "it and fail a validation after the commit; this way the migration applies whole or not at all. It "
            "scans the table under the lock."
        )
        out.add(
            node,
            st.AddConstraint.of(t.name, c),
            notes=(why,),
            ignore=("constraint-missing-not-valid",),
        )
    elif c.kind == "check":
        node = out.build(("table", t.name))
        out.add(
            node,
            st.AddConstraint.of(t.name, c, not_valid=True),
            notes=("Added NOT VALID (no scan under the lock) and validated in the last transaction.",),
        )
        late = out.late(("validate", t.name, c.name))
        out.edge(node.key, late.key)
        out.add(late, st.ValidateConstraint(q, c.q), Phase.FINAL)
    else:
        late = out.late(("key", t.name, c.name))
        out.edge(("build", ("table", t.name)), late.key)
        index = ir.Index(
            Name(t.name.schema, c.name),
            t.name,
            tuple(ir.IndexElement(col, None) for col in c.columns),
            unique=True,
            nulls_not_distinct=c.nulls_not_distinct,
        )
        build_concurrently(out, late, index, "The key's index is built first, without blocking writes.")
        add = st.AddKeyUsingIndex(q, c.q, c.kind == "primary_key", c.deferrable, c.initially_deferred)
        out.add(
            late,
            st.IfConstraint.on(t.name, c.name, add, exists=False),
            Phase.FINAL,
            notes=("Skipped when a run before this one added it.",),
        )
        node = late
    for view in comment:
        out.add(node, view, Phase.MAIN if node.key == ("build", ("table", t.name)) else Phase.FINAL)


def build_concurrently(out: Steps, node: Node, index: ir.Index, why: str) -> None:
    """CREATE INDEX CONCURRENTLY, after the main transaction; a run again first drops what a failed build left (an
    INVALID index)."""
    notes = (
        (
            "Only after a failed earlier run: drops the INVALID index it left (a short ACCESS EXCLUSIVE lock; "
            "DROP INDEX CONCURRENTLY cannot run conditionally)."
        ),
    )
    out.add(node, st.DropInvalidIndex(index.name.q), Phase.AFTER, notes=notes)
    out.add(node, views.IndexView(index, concurrently=True, if_not_exists=True), Phase.AFTER, notes=(why,))


def key_node(
    t: Name, columns: tuple[str, ...], tables: dict[Name, ir.Table]
) -> tuple[str, tuple[str, Name, str]] | None:
    """The late node that adds the unique key `columns` of `t`, for foreign keys that need it."""
    table = tables.get(t)
    for c in table.inline_constraints if table else ():
        if c.kind in ("primary_key", "unique") and set(c.columns) == set(columns):
            return ("late", ("key", t, c.name))
    return None


def own_constraints(ctx: Context, out: Steps, t0: ir.Table, t1: ir.Table) -> None:
    """The CHECK, UNIQUE, PRIMARY KEY and exclusion constraints of one partition's own (K3; `t0`, `t1` its
    `Table.own_table`): renamed, dropped, added or changed after the checks of their rows, validated, commented,
    as an ordinary table's."""
    key = ("table", t1.name)
    q = t1.name.q
    renames, dropped, added, changed = _constraints(t0, t1, frozenset(), ctx.calls_dropped)
    old_cons = {c.name: c for c in t0.inline_constraints}
    new_cons = {c.name: c for c in t1.inline_constraints}
    for old_name, new_name in renames:
        out.renamed(st.RenameConstraint(q, quoting.ident(old_name), quoting.ident(new_name)), "constraint")
        out.change(f"rename constraint {old_name} to {new_name} on {t1.name.display}")
    for name in dropped + changed:
        out.add(
            out.release(key),
            st.DropConstraint(q, quoting.ident(name)),
            notes=(_why_dropped(name in changed),),
            ignore=("ban-drop-constraint",),
        )
        if name in dropped:
            out.change(f"drop constraint {name} on {t1.name.display}")
    for name in added + changed:
        add_constraint(ctx, out, t1, new_cons[name])
        out.change(f"{'add' if name in added else 'change'} constraint {name} on {t1.name.display}")
    kept = renames + [(n, n) for n in new_cons if n in old_cons and n not in changed]
    validity.flips(ctx, out, t1, [(old_cons[a], new_cons[b]) for a, b in kept], key)
    for old_name, new_name in kept:
        if old_cons[old_name].comment != new_cons[new_name].comment:
            con = new_cons[new_name]
            out.add(out.build(key), st.comment_on(Object("constraint", con.q, q), con.comment))
            out.change(f"comment on constraint {new_name} on {t1.name.display}")
