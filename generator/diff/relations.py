"""Indexes and foreign keys of tables that stay.

On a table that holds rows, an index is dropped and built CONCURRENTLY,
outside the migration's transaction, so writes go on meanwhile; a partitioned
table cannot do that, and the migration says which lock it takes instead. A
foreign key is added NOT VALID and validated in a later transaction.
"""

from __future__ import annotations

from typing import Any

from .. import ir, quoting
from ..ir import Name
from . import statements as st
from . import tables as table_diff
from .engine import Context, pair_up, referenced_columns
from .model import Phase


def index_signature(ix: ir.Index) -> tuple[Any, ...]:
    return (ix.elements, ix.unique, ix.method, ix.where, ix.include)


def diff(ctx: Context) -> None:
    old = {t.name: t for t in ctx.old.tables}
    new_tables = {t.name: t for t in ctx.new.tables}
    for t1 in ctx.new.tables:
        t0 = old.get(t1.name)
        if t0 is None:
            for ix in t1.indexes:
                ctx.create(("index", ix.name))
            for fk in t1.foreign_keys:
                ctx.create(("foreign_key", (t1.name, fk.name)))
        elif not ctx.untouched(t0, t1):
            indexes(ctx, t0, t1)
            foreign_keys(ctx, t0, t1, new_tables)


def _expression_columns(ix: ir.Index) -> frozenset[str]:
    return frozenset().union(*(referenced_columns(e.expression) for e in ix.elements if e.expression), referenced_columns(ix.where))


def _mentions(ix: ir.Index, columns: set[str]) -> bool:
    named = {e.column for e in ix.elements if e.column} | set(ix.include)
    return bool((named | _expression_columns(ix)) & columns)


def indexes(ctx: Context, t0: ir.Table, t1: ir.Table) -> None:
    old = {ix.name.name: ix for ix in t0.indexes}
    new = {ix.name.name: ix for ix in t1.indexes}
    renames, gone, came = pair_up(old, new, index_signature)
    # Partition indexes are named after their columns: after a column rename only a rebuild names them as a fresh database does.
    stale = ctx.renamed_columns.get(t1.name, set()) if t1.partition_by else set()
    retyped = ctx.retyped.get(t1.name, set())
    for old_name, new_name in renames:
        if _mentions(new[new_name], stale):
            gone.append(old_name)
            came.append(new_name)
        else:
            ctx.renamed(st.Rename("INDEX", old[old_name].name.q, quoting.ident(new_name)), "index")
            ctx.change(f"rename index {old_name} to {new_name}")
    replaced = [
        n for n, ix in new.items()
        if n in old and (
            index_signature(ix) != index_signature(old[n]) or _mentions(ix, stale) or _mentions_in_expressions(ix, retyped)
            or ctx.calls_replaced(old[n].where, *(e.expression for e in old[n].elements))
        )
    ]
    concurrent = not t1.partition_by
    for n in gone + replaced:
        ix = old[n]
        node = ctx.release(("index", ix.name))
        if concurrent:
            ctx.add(node, st.Drop("INDEX CONCURRENTLY IF EXISTS", ix.name.q), Phase.BEFORE, notes=("Outside a transaction: dropped CONCURRENTLY, without blocking the table.",))
        else:
            ctx.add(node, st.Drop("INDEX", ix.name.q), notes=(f"Takes an ACCESS EXCLUSIVE lock on {t1.name.display}: a partitioned table's index cannot be dropped CONCURRENTLY.",), ignore=("require-concurrent-index-deletion",))
        if n in gone:
            ctx.change(f"drop index {n}")
    for n in came + replaced:
        ix = new[n]
        node = ctx.build(("index", ix.name))
        comment = [st.Comment.on("INDEX", ix.name.q, ix.comment)] if ix.comment is not None else []
        if concurrent:
            ctx.add(node, st.Concurrently(ix.concurrent_ddl), Phase.AFTER, notes=("Outside a transaction: built CONCURRENTLY, without blocking writes.",))
            for view in comment:
                ctx.add(node, view, Phase.AFTER)
        else:
            ctx.add(node, st.create(ctx.new_nodes[("index", ix.name)].payload), notes=(f"Blocks writes to {t1.name.display} and its partitions while it builds: a partitioned table's index cannot be built CONCURRENTLY.",), ignore=("require-concurrent-index-creation",))
        ctx.change(f"{'rebuild' if n in replaced else 'create'} index {n}")
    for old_name, new_name in renames + [(n, n) for n in new if n in old and n not in replaced]:
        if new_name in new and old_name in old and old[old_name].comment != new[new_name].comment and new_name not in came:
            ctx.add(ctx.build(("index", new[new_name].name)), st.Comment.on("INDEX", new[new_name].name.q, new[new_name].comment))
            ctx.change(f"comment on index {new_name}")


def _mentions_in_expressions(ix: ir.Index, columns: set[str]) -> bool:
    # PostgreSQL rebuilds an index on a retyped column by itself, but re-reads its expressions
    # with their old casts (an enum literal of the rebuilt type): those are rebuilt here.
    return bool(_expression_columns(ix) & columns)


def foreign_keys(ctx: Context, t0: ir.Table, t1: ir.Table, new_tables: dict[Name, ir.Table]) -> None:
    old = {fk.name: fk for fk in t0.foreign_keys}
    new = {fk.name: fk for fk in t1.foreign_keys}
    renames, gone, came = pair_up(old, new, lambda fk: fk.body)
    q = t1.name.q
    for old_name, new_name in renames:
        ctx.renamed(st.Rename("TABLE", q, quoting.ident(new_name), member=f"CONSTRAINT {quoting.ident(old_name)} "), "foreign key")
    replaced = [n for n, fk in new.items() if n in old and (fk.body != old[n].body or (fk.ref_table, fk.ref_columns) in ctx.replaced_keys)]
    for n in gone + replaced:
        ctx.add(ctx.release(("foreign_key", (t1.name, n))), st.AlterTable(q, f"DROP CONSTRAINT {quoting.ident(n)}"), notes=(_why(n in replaced),), ignore=("ban-drop-constraint",))
        if n in gone:
            ctx.change(f"drop foreign key {n} on {t1.name.display}")
    for n in came + replaced:
        fk = new[n]
        node = ctx.build(("foreign_key", (t1.name, n)))
        assert fk.ref_table is not None
        key = table_diff.key_node(fk.ref_table, fk.ref_columns, new_tables)
        if key is not None:
            ctx.plan.edge(key, node.key)
        if t1.partition_by:
            ctx.add(node, st.AlterTable(q, f"ADD CONSTRAINT {fk.q} {fk.body}"), notes=(f"Checks every row of {t1.name.display} under a SHARE ROW EXCLUSIVE lock: NOT VALID is not available on a partitioned table.",), ignore=("constraint-missing-not-valid", "adding-foreign-key-constraint"))
        else:
            ctx.add(node, st.AlterTable(q, f"ADD CONSTRAINT {fk.q} {fk.body} NOT VALID"), notes=("Added NOT VALID (no scan under the lock) and validated in the last transaction.",))
            ctx.add(node, st.AlterTable(q, f"VALIDATE CONSTRAINT {fk.q}"), Phase.FINAL)
        if fk.comment is not None:
            ctx.add(node, st.Comment.on("CONSTRAINT", f"{fk.q} ON {q}", fk.comment))
        ctx.change(f"{'change' if n in replaced else 'add'} foreign key {n} on {t1.name.display}")
    for old_name, new_name in renames + [(n, n) for n in new if n in old and n not in replaced]:
        if old[old_name].comment != new[new_name].comment:
            ctx.add(ctx.build(("foreign_key", (t1.name, new_name))), st.Comment.on("CONSTRAINT", f"{quoting.ident(new_name)} ON {q}", new[new_name].comment))
            ctx.change(f"comment on foreign key {new_name} on {t1.name.display}")


def _why(replaced: bool) -> str:
    return "Changed in the spec: dropped here and added again below." if replaced else "Removed from the spec."
