"""Replication settings of a table: REPLICA IDENTITY, set in place (ALTER TABLE, no rewrite, no data change).

An index made the replica identity must be unique and its columns NOT NULL when
the statement runs: one built in this migration (CONCURRENTLY, after the main
transaction) or on a column made NOT NULL here (validated, then set, in the last
transaction) is used in the last transaction, after them; one given up is given up
first, before its columns or the index change.
"""

from __future__ import annotations

from .. import ir
from ..sql import from_scratch
from . import statements as st
from .context import Context
from .model import Phase
from .steps import Steps


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {t.name: t for t in ctx.old.tables}
    for t1 in ctx.new.tables:
        t0 = old.get(t1.name)
        if t0 is None:
            if ("replica_identity", t1.name) in ctx.new_nodes:
                out.create(("replica_identity", t1.name))
        elif (t0.replica_identity, t0.replica_index) != (t1.replica_identity, t1.replica_index):
            statement = st.create(from_scratch.replica_statement(t1, f"Table {t1.name.display}"))
            key = ("replica_identity", t1.name)
            if _index_ready(t0, t1):
                # away from an index: before the changes to its columns (NOT NULL dropped) and the index itself
                out.add(out.release(key) if t0.replica_index is not None else out.build(key), statement)
            else:
                out.add(out.late(key), statement, Phase.FINAL)  # runs again harmlessly
            setting = t1.replica_index if t1.replica_identity == "index" else t1.replica_identity
            out.change(f"replica identity of {t1.name.display}: {setting}")
    return out


def _index_ready(t0: ir.Table, t1: ir.Table) -> bool:
    """Whether the replica identity index of `t1` is there, unique, on NOT NULL columns, before the migration."""
    if t1.replica_index is None:
        return True
    name = t1.replica_index
    before = [c.columns for c in t0.constraints if c.name == name and c.kind in ("primary_key", "unique")]
    before += [tuple(e.column or "" for e in ix.elements) for ix in t0.indexes if ix.name.name == name and ix.unique]
    now = [c.columns for c in t1.constraints if c.name == name] + [
        tuple(e.column or "" for e in ix.elements) for ix in t1.indexes if ix.name.name == name
    ]
    if not before or before[:1] != now[:1] or any(ix.name.name == name for ix in t0.indexes if ix not in t1.indexes):
        return False
    return all((c := t0.column(col)) is not None and c.not_null for col in before[0])
