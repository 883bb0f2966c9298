"""Seed rows (`rows:` of a table or an external table): each value checked against its column's type.

A value is written in the SQL as a quoted constant, which PostgreSQL reads with the column's input
function (as it reads `'0'` into a numeric column): the check here is the one a column's DEFAULT
gets (defaults.py), so a value the column would refuse is an error at its place in the YAML, not a
migration that fails half way.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from typing import Any

from .. import errors, ir
from ..ir import Name
from ..spec import model
from . import defaults
from .report import Report, Where

JSON_TYPES = frozenset({"json", "jsonb"})


def seed_rows(
    table: Name,
    rows: model.Rows,
    columns: Iterable[ir.Column],
    keys: Iterable[tuple[str, ...]],
    enums: Mapping[Name, ir.Enum],
    report: Report,
    where: Where,
    *,
    external: bool = False,
) -> ir.SeedRows | None:
    """The rows of `table` (its `columns`, with their types; `keys`: its primary and unique keys), or None.
    (Of an external table only some columns are declared, and none of their defaults: a NOT NULL column a
    row leaves out is not judged.)"""
    typed = {c.name: c for c in columns}
    ok = True
    for i, col in enumerate(rows.key):
        if col not in typed:
            report.error(where.at("key", i), errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table.display}')
            ok = False
    if ok and not any(set(k) == set(rows.key) and len(k) == len(rows.key) for k in keys):
        report.error(
            where.at("key"),
            errors.SPEC_INVALID,
            f"rows key ({', '.join(rows.key)}) is not a primary key or unique key of {table.display}: ON CONFLICT "
            "needs one",
        )
        ok = False
    data = []
    seen: dict[tuple[str, ...], int] = {}
    for i, row in enumerate(rows.data):
        rw = where.at("data", i)
        values = []
        for col, value in row.items():
            column = typed.get(col)
            if column is None:
                report.error(
                    rw.at(col), errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table.display}', key=True
                )
                ok = False
                continue
            literal = _literal(value, column, enums, report, rw.at(col))
            if literal is None:
                ok = False
                continue
            values.append((col, literal))
        for col in rows.key:
            if col in typed and row.get(col) is None:
                report.error(rw, errors.SPEC_INVALID, f"row {i + 1} has no value for key column {col}", key=True)
                ok = False
        for c in () if external else typed.values():
            if c.not_null and c.default is None and c.identity is None and c.name not in row:
                report.error(rw, errors.SPEC_INVALID, f"row {i + 1} has no value for NOT NULL column {c.name}")
                ok = False
        key = tuple(str(row.get(k)) for k in rows.key)
        if all(row.get(k) is not None for k in rows.key) and key in seen:
            report.error(rw, errors.DUPLICATE_NAME, f"row {i + 1} has the key of row {seen[key] + 1}")
            ok = False
        seen.setdefault(key, i)
        data.append(tuple(values))
    if not ok:
        return None
    return ir.SeedRows(tuple(rows.key), rows.on_conflict, tuple(data))


def _literal(value: Any, column: ir.Column, enums: Mapping[Name, ir.Enum], report: Report, where: Where) -> str | None:
    """The SQL constant of a value ('NULL', or a quoted literal the column's type reads), or None (reported)."""
    if value is None:
        if column.not_null:
            report.error(where, errors.SQL_VALUE, f"column {column.name} is NOT NULL")
            return None
        return "NULL"
    if isinstance(value, (dict, list)):
        if column.base not in JSON_TYPES or column.array_dims:
            report.error(
                where,
                errors.SQL_VALUE,
                f"a mapping or list is a value of a json or jsonb column, not {column.sql_type}",
            )
            return None
        text = json.dumps(value, sort_keys=True, default=str)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (datetime.date, datetime.datetime)):
        text = value.isoformat()
    else:
        text = str(value)
    literal = "'" + text.replace("'", "''") + "'"
    enum = enums.get(column.enum) if column.enum is not None else None
    enum_name, enum_values = (enum.name.display, enum.values) if enum is not None else ("", ())
    judged = defaults.Column(column.sql_type, column.base, column.mods, column.array_dims, enum_name, enum_values)
    for problem in defaults.check(literal, judged, frozenset()):
        report.error(where, problem.code, problem.message)
        return None
    return literal
