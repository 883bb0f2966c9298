"""A column's type as the spec writes it -> as the IR keeps it: a built-in type of pg/datatypes.py or a spec enum."""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import NamedTuple

from .. import errors
from ..ir import Name
from ..pg import datatypes, extensions, sqlparse
from .report import Report, Where


class ColumnType(NamedTuple):
    sql: str  # as ir.Column.sql_type spells it
    base: str  # key into pg.datatypes.BASE_TYPES, or "enum"
    enum: Name | None
    mods: tuple[int, ...]
    array_dims: int
    python_type: str | None = None  # an external type's (`external.types`)


class OtherType(NamedTuple):
    """A type of an extension (`extensions:`) or made elsewhere (`external.types`)."""

    name: str  # as PostgreSQL stores it: the column's `base`
    max_mods: int  # -1: any (an external type's modifiers are its own business)
    python_type: str | None  # an external type's, for every column of it
    extension: str | None  # the extension that brings it


def column_type(
    text: str,
    enums: Container[Name],
    report: Report,
    where: Where,
    others: Mapping[Name, OtherType] | None = None,
) -> ColumnType | None:
    """The type `text`, or None (reported): a built-in type, one of `enums`, or one of `others` (an extension's or
    an external type: `vector(1536)`, `extensions.citext`, `geography(Point,4326)`)."""
    try:
        ref = sqlparse.type_name(text)
    except sqlparse.FragmentError as exc:
        other = _other_type(text, others or {}, report, where)
        if other is None:
            report.sql_error(where, exc)
        return other if isinstance(other, ColumnType) else None
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
    other = _other_type(text, others or {}, report, where)
    if isinstance(other, ColumnType):
        return other
    if other is False:
        return None
    elsewhere = sorted(str(n) for n in (others or {}) if n.name == ref.name)
    if elsewhere:
        report.error(where, errors.UNKNOWN_TYPE, f'unknown type "{text}": the spec has {ref.name} as {elsewhere[0]}')
        return None
    extension = extensions.type_extension(ref.name)
    if extension is not None:  # K2: the type of a known extension the spec does not install (or not there)
        report.error(
            where,
            errors.UNKNOWN_TYPE,
            f'unknown type "{text}": the extension {extension} brings it; declare `{extension}: {{schema: ...}}` under '
            "`extensions:` (and name its schema, or none)",
        )
        return None
    report.error(
        where, errors.UNKNOWN_TYPE, f'unknown type "{text}" (not a supported built-in type or an enum of the spec)'
    )
    return None


def other_type(text: str, others: Mapping[Name, OtherType]) -> tuple[Name, OtherType, str, int] | None:
    """`text` as one of `others`: its name, the type, its modifiers as written (`1536`, `Point,4326`) and its
    array dimensions; None when it is not one. An unqualified name is looked up in every schema."""
    ref = sqlparse.type_name_loose(text)
    if ref is None:
        return None
    schema, name, mods, dims = ref
    if schema is not None:
        found = Name(schema, name)
        return (found, others[found], mods, dims) if found in others else None
    for candidate in sorted(others, key=str):
        if candidate.name == name:
            return candidate, others[candidate], mods, dims
    return None


def _other_type(text: str, others: Mapping[Name, OtherType], report: Report, where: Where) -> ColumnType | bool | None:
    """The column type of one of `others` (False: it is one, with a problem reported; None: it is none of them)."""
    found = other_type(text, others) if others else None
    if found is None:
        return None
    name, other, mods, dims = found
    count = len(mods.split(",")) if mods else 0
    if other.max_mods >= 0 and count > other.max_mods:
        report.error(where, errors.UNKNOWN_TYPE, f'type "{text}" takes at most {other.max_mods} modifier(s)')
        return False
    sql = name.q + (f"({mods})" if mods else "") + "[]" * dims
    return ColumnType(sql, other.name, None, (), dims, other.python_type)


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
    """A function argument's type as a signature spells it (`int4` -> `integer`, `int4[]` -> `integer[]`)."""
    element = type_text.removesuffix("[]")
    if element != type_text:  # an array of it (funcs5)
        return canonical_arg(element) + "[]"
    base = datatypes.BASE_TYPES.get(type_text)
    return base.sql if base else type_text
