"""Replication settings of a table: its REPLICA IDENTITY (what logical replication sends of an old row).

`{index: name}` must name a unique, non-partial index of plain columns, or the
primary key or a unique constraint, on NOT NULL columns, as PostgreSQL requires
of ALTER TABLE ... REPLICA IDENTITY USING INDEX (it refuses the others).
"""

from __future__ import annotations

import dataclasses

from .. import errors, ir
from ..spec import model
from .registry import Entry
from .report import Report


def replica_identity(table: ir.Table, entry: Entry[model.Table], report: Report) -> ir.Table:
    """`table` with the replica identity its spec declares (reported and left at default when it cannot be)."""
    setting = entry.spec.replica_identity
    if isinstance(setting, str):
        return dataclasses.replace(table, replica_identity=setting) if setting != "default" else table
    where = entry.where.at("replica_identity", "index")
    columns = _unique_columns(table, setting.index)
    if columns is None:
        report.error(
            where,
            errors.BAD_REFERENCE,
            f'replica identity index "{setting.index}" is not a unique index, primary key or unique constraint of '
            f"table {table.name.display} (a partial index or one on expressions cannot be)",
        )
        return table
    nullable = [c for c in columns if (col := table.column(c)) is not None and not col.not_null]
    if nullable:
        report.error(
            where,
            errors.SQL_SHAPE,
            f'index "{setting.index}" cannot be the replica identity: column {nullable[0]} is nullable',
        )
        return table
    return dataclasses.replace(table, replica_identity="index", replica_index=setting.index)


def _unique_columns(table: ir.Table, name: str) -> tuple[str, ...] | None:
    """The columns of unique index, primary key or unique constraint `name` of `table`; None when there is none
    that may be a replica identity."""
    for c in table.constraints:
        if c.name == name and c.kind in ("primary_key", "unique"):
            return c.columns
    for ix in table.indexes:
        if ix.name.name == name and ix.unique and ix.where is None and all(e.column for e in ix.elements):
            return tuple(e.column for e in ix.elements if e.column is not None)
    return None
