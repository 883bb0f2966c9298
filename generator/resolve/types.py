"""A column's type as the spec writes it -> as the IR keeps it: a built-in type of pg/datatypes.py or a spec enum."""

from __future__ import annotations

from collections.abc import Container
from typing import NamedTuple

from .. import errors
from ..ir import Name
from ..pg import datatypes, sqlparse
from .report import Report, Where


class ColumnType(NamedTuple):
    sql: str  # as ir.Column.sql_type spells it
    base: str  # key into pg.datatypes.BASE_TYPES, or "enum"
    enum: Name | None
    mods: tuple[int, ...]
    array_dims: int


def column_type(text: str, enums: Container[Name], report: Report, where: Where) -> ColumnType | None:
    """The type `text`, or None (reported): a built-in type or one of `enums`."""
    try:
        ref = sqlparse.type_name(text)
    except sqlparse.FragmentError as exc:
        report.sql_error(where, exc)
        return None
    sql = type_sql(ref)
    if ref.schema in (None, "pg_catalog") and ref.name in datatypes.BASE_TYPES:
        base = datatypes.BASE_TYPES[ref.name]
        if sql is None:
            report.error(where, errors.UNKNOWN_TYPE, f'type "{text}" takes at most {base.max_mods} modifier(s)')
            return None
        return ColumnType(sql, ref.name, None, ref.mods, ref.array_dims)
    name = Name(ref.schema or "public", ref.name)
    if name in enums and not ref.mods and sql is not None:
        return ColumnType(sql, "enum", name, (), ref.array_dims)
    report.error(
        where, errors.UNKNOWN_TYPE, f'unknown type "{text}" (not a supported built-in type or an enum of the spec)'
    )
    return None


def type_sql(ref: sqlparse.TypeRef) -> str | None:
    """How a column of type `ref` spells it (ir.Column.sql_type); None when it takes fewer modifiers."""
    suffix = "[]" * ref.array_dims
    if ref.schema in (None, "pg_catalog") and ref.name in datatypes.BASE_TYPES:
        base = datatypes.BASE_TYPES[ref.name]
        if len(ref.mods) > base.max_mods:
            return None
        mods = f"({','.join(str(m) for m in ref.mods)})" if ref.mods else ""
        return base.sql + mods + suffix
    return None if ref.mods else Name(ref.schema or "public", ref.name).q + suffix


def canonical_arg(type_text: str) -> str:
    """A function argument's type as a signature spells it (`int4` -> `integer`)."""
    base = datatypes.BASE_TYPES.get(type_text)
    return base.sql if base else type_text
