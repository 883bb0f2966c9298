"""Aggregates (aggs6): CREATE AGGREGATE over support functions of the spec, external or built-in."""

from __future__ import annotations

from .. import errors, ir
from ..ir import Name, names
from ..pg import sqlparse
from ..spec import model
from .registry import Entry, Registry
from .report import Report, Where
from .types import canonical_arg

BUILTIN_SCHEMA = "pg_catalog"


def aggregate(
    key: ir.FunctionKey, entry: Entry[model.Aggregate], registry: Registry, report: Report
) -> ir.Aggregate | None:
    a, where = entry.spec, entry.where
    stype = _one_type(a.stype)
    if stype is None:
        report.error(where.at("stype"), errors.SPEC_INVALID, f'stype "{a.stype}" is not a type, e.g. numeric')
        return None
    sfunc = support(a.sfunc, (stype, *key[1]), "sfunc", registry, report, where)
    finalfunc = None if a.finalfunc is None else support(a.finalfunc, (stype,), "finalfunc", registry, report, where)
    combinefunc = (
        None
        if a.combinefunc is None
        else support(a.combinefunc, (stype, stype), "combinefunc", registry, report, where)
    )
    if sfunc is None or (a.finalfunc is not None and finalfunc is None):
        return None
    if a.combinefunc is not None and combinefunc is None:
        return None
    return ir.Aggregate(
        key[0],
        entry.module,
        key[1],
        sfunc,
        stype,
        finalfunc,
        a.initcond,
        combinefunc,
        a.parallel,
        a.comment,
    )


def _one_type(text: str) -> str | None:
    types = sqlparse.argument_types(text)
    return canonical_arg(types[0]) if types is not None and len(types) == 1 else None


def support(
    text: str, takes: tuple[str, ...], part: str, registry: Registry, report: Report, where: Where
) -> Name | None:
    """The function `part` names: a spec function taking `takes` (checked), an external one, or a built-in one (a
    name the spec does not know, unqualified or in pg_catalog: PostgreSQL checks it when the migration runs)."""
    at = where.at(part)
    name = names.split(text.strip()) if "(" not in text else None
    if name is None:
        report.error(at, errors.SPEC_INVALID, f'{part} "{text}" is a function name, without its arguments')
        return None
    overloads = registry.overloads(name)
    if overloads:
        if (name, takes) in overloads:
            return name
        report.error(
            at,
            errors.SQL_SHAPE,
            f'{part} "{text}" must take ({", ".join(takes)}); the spec\'s takes '
            + ", ".join(f"({', '.join(k[1])})" for k in overloads),
        )
        return None
    if name in registry.external_functions:
        return name
    if "." not in text or name.schema == BUILTIN_SCHEMA:
        return Name(BUILTIN_SCHEMA, name.name)
    report.error(at, errors.UNKNOWN_FUNCTION, f'{part} calls unknown function "{text}"')
    return None
