"""Indexes and foreign keys of tables that stay.

On a table that holds rows, an index is dropped and built CONCURRENTLY, after
the migration's transaction (so a failed transaction leaves every index in
place), and writes go on meanwhile. An index whose definition changes is
built under a temporary name first and takes the name once the old one is
dropped, so queries never lose it. Two cases stay in the transaction: an
index that must be gone before a statement of it (it calls a function that
is dropped, or a table rewrite would rebuild it with a stale expression), and
a partitioned table's index, which cannot be built CONCURRENTLY; the
migration says which lock they take. A foreign key is added NOT VALID and
validated in a later transaction, after a check that every row has its
referenced row.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import ir
from ..ir import Name
from ..ir.names import make_object_name
from ..pg import extensions, quoting, sqlparse
from ..sql.views import Object
from . import prechecks, validity
from . import statements as st
from . import tables as table_diff
from .context import Context, pair_up
from .model import Node, Phase
from .steps import RELEASE_RANK, Steps


def index_signature(ix: ir.Index) -> tuple[Any, ...]:
    return (ix.elements, ix.unique, ix.method, ix.where, ix.include, ix.parameters, ix.nulls_not_distinct)


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {t.name: t for t in ctx.old.tables}
    new_tables = {t.name: t for t in ctx.new.tables}
    for t1 in ctx.new.tables:
        t0 = old.get(t1.name)
        if t0 is None:
            for ix in t1.indexes:
                out.create(("index", ix.name))
            for fk in t1.foreign_keys:
                out.create(("foreign_key", (t1.name, fk.name)))
        elif not ctx.untouched(t0, t1):
            indexes(ctx, out, t0, t1)
            foreign_keys(ctx, out, t0, t1, new_tables)
    external(ctx, out)
    return out


def external(ctx: Context, out: Steps) -> None:
    """The spec's indexes on tables made elsewhere (funcs5): the table exists, with its rows, whether the spec
    declared it before or not, so each index is built CONCURRENTLY, changed and dropped as on a spec table."""
    old = {t.name: _as_table(t) for t in ctx.old.external.tables}
    new = {t.name: _as_table(t) for t in ctx.new.external.tables}
    for name in sorted(old.keys() | new.keys(), key=str):
        either = new.get(name) or old[name]
        t0 = old.get(name, dataclasses.replace(either, indexes=()))  # declared now: none of its indexes is there
        t1 = new.get(name, dataclasses.replace(either, indexes=()))  # no longer declared: its indexes go
        if t0.indexes or t1.indexes:
            indexes(ctx, out, t0, t1)


def _as_table(t: ir.ExternalTable) -> ir.Table:
    """A table made elsewhere as what the index steps read of a table: its name, declared columns and indexes."""
    return ir.Table(t.name, t.module, t.columns, indexes=t.indexes)


def _expression_columns(ix: ir.Index) -> frozenset[str]:
    return frozenset().union(
        *(sqlparse.column_names(e.expression) for e in ix.elements if e.expression), sqlparse.column_names(ix.where)
    )


def _mentions(ix: ir.Index, columns: frozenset[str]) -> bool:
    named = {e.column for e in ix.elements if e.column} | set(ix.include)
    return bool((named | _expression_columns(ix)) & columns)


def indexes(ctx: Context, out: Steps, t0: ir.Table, t1: ir.Table) -> None:
    old = {ix.name.name: ix for ix in t0.indexes}
    new = {ix.name.name: ix for ix in t1.indexes}
    renames, gone, came = pair_up(old, new, index_signature)
    # Partition indexes are named after their columns: after a column rename only a rebuild names them as a fresh
    # database does.
    stale = ctx.renamed_columns.get(t1.name, frozenset()) if t1.partition_by else frozenset()
    retyped = ctx.retyped.get(t1.name, frozenset())
    for old_name, new_name in renames:
        if _mentions(new[new_name], stale):
            gone.append(old_name)
            came.append(new_name)
        else:
            out.renamed(st.Rename(Object("index", old[old_name].name.q), quoting.ident(new_name)), "index")
            out.change(f"rename index {old_name} to {new_name}")
    replaced = [
        n
        for n, ix in new.items()
        if n in old
        and (
            index_signature(ix) != index_signature(old[n])
            or _mentions(ix, stale)
            or _mentions_in_expressions(ix, retyped)
            or ctx.calls_dropped(old[n].where, *(e.expression for e in old[n].elements))
        )
    ]
    for n in gone:
        drop(ctx, out, t1, old[n])
        out.change(f"drop index {n}")
    for n in came:
        build(ctx, out, t1, new[n])
        out.change(f"create index {n}")
    for n in replaced:
        if t1.partition_by or _in_main(ctx, t1, old[n]):
            drop(ctx, out, t1, old[n])
            build(ctx, out, t1, new[n], rebuilt=True)
        else:
            swap(ctx, out, t1, new[n])
        out.change(f"rebuild index {n}")
    for old_name, new_name in renames + [(n, n) for n in new if n in old and n not in replaced]:
        if (
            new_name in new
            and old_name in old
            and old[old_name].comment != new[new_name].comment
            and new_name not in came
        ):
            out.add(
                out.build(("index", new[new_name].name)),
                st.comment_on(Object("index", new[new_name].name.q), new[new_name].comment),
            )
            out.change(f"comment on index {new_name}")


def _in_main(ctx: Context, t: ir.Table, ix: ir.Index) -> bool:
    """Whether the index must be gone before a statement of the main transaction.

    A function it calls is dropped there (to be created again, or for good); or the table is rewritten there and
    the index uses a column whose type changes (PostgreSQL would rebuild it, with
    the old type's literals in its expressions).
    """
    expressions = (e.expression for e in ix.elements)
    return (
        ctx.calls_dropped(ix.where, *expressions)
        or _uses_dropped_extension(ctx, ix)
        or (t.name in ctx.rewritten and _mentions(ix, ctx.retyped.get(t.name, frozenset())))
    )


def _uses_dropped_extension(ctx: Context, ix: ir.Index) -> bool:
    """Whether a key of the index has an operator class of an extension this migration drops (DROP EXTENSION
    refuses while the index depends on it)."""
    gone = {x.name for x in ctx.old.extensions} - {x.name for x in ctx.new.extensions}
    return any(extensions.operator_class_extension((e.opclass or "").rpartition(".")[2]) in gone for e in ix.elements)


def drop(ctx: Context, out: Steps, t: ir.Table, ix: ir.Index) -> None:
    if t.partition_by:
        out.add(
            out.release(("index", ix.name)),
            st.Drop(Object("index", ix.name.q)),
            notes=(
                (
                    f"Takes an ACCESS EXCLUSIVE lock on {t.name.display}: a partitioned table's index cannot "
                    "be dropped CONCURRENTLY."
                ),
            ),
            ignore=("require-concurrent-index-deletion",),
        )
    elif _in_main(ctx, t, ix):
        why = (
            "it calls a function dropped below"
            if ctx.calls_dropped(ix.where, *(e.expression for e in ix.elements))
            else "its operator class goes with the extension dropped below"
            if _uses_dropped_extension(ctx, ix)
            else "the type change below rewrites the table, which would rebuild it"
        )
        notes = (
            (
                f"Dropped in the transaction, before the statement that needs it gone ({why}): takes an ACCESS "
                f"EXCLUSIVE lock on {t.name.display} until COMMIT."
            ),
        )
        out.add(
            out.release(("index", ix.name)),
            st.Drop(Object("index", ix.name.q)),
            notes=notes,
            ignore=("require-concurrent-index-deletion",),
        )
    else:
        # Nothing in the transaction needs it gone: dropped after it, so that a failed transaction keeps it.
        node = out.node(("dropped_index", ix.name), RELEASE_RANK["index"])
        out.add(
            node,
            st.DropIndexConcurrently(ix.name.q),
            Phase.AFTER,
            notes=("After the transaction: dropped CONCURRENTLY, without blocking the table.",),
        )


def build(ctx: Context, out: Steps, t: ir.Table, ix: ir.Index, *, rebuilt: bool = False) -> None:
    """A new index, or one `rebuilt` after its drop in the transaction."""
    node = out.build(("index", ix.name))
    _unique(ctx, out, t, ix)
    if t.partition_by:
        out.add(
            node,
            st.create(ctx.new_nodes[("index", ix.name)].payload),
            notes=(
                (
                    f"Blocks writes to {t.name.display} and its partitions while it builds: a partitioned "
                    "table's index cannot be built CONCURRENTLY."
                ),
            ),
            ignore=("require-concurrent-index-creation",),
        )
        phase = Phase.MAIN
    elif rebuilt and t.name in ctx.rewritten and _in_main(ctx, t, ix):
        notes = (
            f"Built in the transaction, under the ACCESS EXCLUSIVE lock that rewriting {t.name.display} holds anyway.",
        )
        out.add(
            node,
            st.create(ctx.new_nodes[("index", ix.name)].payload),
            notes=notes,
            ignore=("require-concurrent-index-creation",),
        )
        phase = Phase.MAIN
    else:
        table_diff.build_concurrently(
            out, node, ix, "After the transaction: built CONCURRENTLY, without blocking writes."
        )
        phase = Phase.AFTER
    if ix.comment is not None:
        out.add(node, st.comment_on(Object("index", ix.name.q), ix.comment), phase)


def swap(ctx: Context, out: Steps, t: ir.Table, ix: ir.Index) -> None:
    """A changed index: the new one built beside the old one under a temporary name, then given the name."""
    node: Node = out.build(("index", ix.name))
    temporary = Name(ix.name.schema, make_object_name(ix.name.name, None, "schemagen_new"))
    _unique(ctx, out, t, ix)
    table_diff.build_concurrently(
        out,
        node,
        dataclasses.replace(ix, name=temporary, comment=None),
        "The new definition is built beside the old index, CONCURRENTLY: queries keep the old one meanwhile.",
    )
    out.add(
        node,
        st.DropIndexConcurrently(ix.name.q),
        Phase.AFTER,
        notes=("Then the old definition goes (a run again drops the index built last time and builds it again).",),
    )
    out.add(
        node,
        st.Rename(Object("index", temporary.q, if_exists=True), quoting.ident(ix.name.name)),
        Phase.AFTER,
        notes=("The new index takes the name.",),
        ignore=("renaming-object",),
    )
    if ix.comment is not None:
        out.add(node, st.comment_on(Object("index", ix.name.q), ix.comment), Phase.AFTER)


def _unique(ctx: Context, out: Steps, t: ir.Table, ix: ir.Index) -> None:
    if ix.unique:
        prechecks.duplicates(ctx, out, t, f"index {ix.name.name}", ix.elements, ix.where, ix.nulls_not_distinct)


def _mentions_in_expressions(ix: ir.Index, columns: frozenset[str]) -> bool:
    # PostgreSQL rebuilds an index on a retyped column by itself, but re-reads its expressions
    # with their old casts (an enum literal of the rebuilt type): those are rebuilt here.
    return bool(_expression_columns(ix) & columns)


def foreign_keys(ctx: Context, out: Steps, t0: ir.Table, t1: ir.Table, new_tables: dict[Name, ir.Table]) -> None:
    old = {fk.name: fk for fk in t0.foreign_keys}
    new = {fk.name: fk for fk in t1.foreign_keys}
    renames, gone, came = pair_up(old, new, table_diff.constraint_signature)
    q = t1.name.q
    for old_name, new_name in renames:
        out.renamed(
            st.RenameConstraint(q, quoting.ident(old_name), quoting.ident(new_name)),
            "foreign key",
        )
    replaced = [
        n
        for n, fk in new.items()
        if n in old
        and (
            table_diff.constraint_signature(fk) != table_diff.constraint_signature(old[n])
            or (fk.ref_table, fk.ref_columns) in ctx.replaced_keys
        )
    ]
    for n in gone + replaced:
        out.add(
            out.release(("foreign_key", (t1.name, n))),
            st.DropConstraint(q, quoting.ident(n)),
            notes=(_why(n in replaced),),
            ignore=("ban-drop-constraint",),
        )
        if n in gone:
            out.change(f"drop foreign key {n} on {t1.name.display}")
    for n in came + replaced:
        fk = new[n]
        node = out.build(("foreign_key", (t1.name, n)))
        assert fk.ref_table is not None
        key = table_diff.key_node(fk.ref_table, fk.ref_columns, new_tables)
        if key is not None:
            out.edge(key, node.key)
        if fk.not_valid:  # declared NOT VALID: the rows there are left unchecked, as the spec says
            add = st.AddConstraint.of(t1.name, fk, not_valid=True)
            out.add(
                node,
                add,
                notes=("Declared NOT VALID: the rows already there are not checked (new rows are).",),
                rerun=st.IfConstraint.on(t1.name, fk.name, add, exists=False),
            )
        elif t1.partition_by:
            prechecks.foreign_key(ctx, out, t1, fk)
            add = st.AddConstraint.of(t1.name, fk)
            out.add(
                node,
                add,
                notes=(
                    (
                        f"Checks every row of {t1.name.display} under a SHARE ROW EXCLUSIVE lock: NOT VALID is "
                        "not available on a partitioned table."
                    ),
                ),
                ignore=("constraint-missing-not-valid", "adding-foreign-key-constraint"),
                rerun=st.IfConstraint.on(t1.name, fk.name, add, exists=False),
            )
        else:
            prechecks.foreign_key(ctx, out, t1, fk)
            add = st.AddConstraint.of(t1.name, fk, not_valid=True)
            out.add(
                node,
                add,
                notes=("Added NOT VALID (no scan under the lock) and validated in the last transaction.",),
                rerun=st.IfConstraint.on(t1.name, fk.name, add, exists=False),
            )
            out.add(node, st.ValidateConstraint(q, fk.q), Phase.FINAL)
        if fk.comment is not None:
            out.add(node, st.comment_on(Object("constraint", fk.q, q), fk.comment))
        out.change(f"{'change' if n in replaced else 'add'} foreign key {n} on {t1.name.display}")
    kept = renames + [(n, n) for n in new if n in old and n not in replaced]
    for old_name, new_name in kept:
        validity.flips(ctx, out, t1, [(old[old_name], new[new_name])], ("foreign_key", (t1.name, new_name)))
    for old_name, new_name in kept:
        if old[old_name].comment != new[new_name].comment:
            out.add(
                out.build(("foreign_key", (t1.name, new_name))),
                st.comment_on(Object("constraint", quoting.ident(new_name), q), new[new_name].comment),
            )
            out.change(f"comment on foreign key {new_name} on {t1.name.display}")


def _why(replaced: bool) -> str:
    return "Changed in the spec: dropped here and added again below." if replaced else "Removed from the spec."
