"""Types as PostgreSQL prints them back: `format_type()` (a column's type, a function's argument types)
and `pg_get_function_result()`, so a check written before any database exists can compare with the
catalog's own words. Types outside pg_catalog (enums) are written schema-qualified, as the checks
that read them (templates/dbtests/) print them whatever the search_path.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pglast import parse_sql
from pglast.parser import ParseError

from . import quoting

# pglast's internal name (and a spec's) -> format_type()'s, for the types it spells differently
_SPELLED = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
    "varchar": "character varying",
    "bpchar": "character",
}
_WITH_ZONE = {"timestamptz": ("timestamp", "with"), "timestamp": ("timestamp", "without"), "time": ("time", "without")}
_WITH_ZONE["timetz"] = ("time", "with")


def format_type(
    name: str, mods: tuple[int, ...] = (), array_dims: int = 0, *, schema: str | None = None, column: bool = False
) -> str:
    """format_type() of a type: `name` is pglast's internal name of a built-in type (int4, varchar, ...) or, with
    `schema`, a type of that schema. `column`: a column's type, where `char` means char(1)."""
    suffix = "[]" if array_dims else ""
    if schema is not None and schema != "pg_catalog":
        return quoting.qualified(schema, name) + suffix
    if name in _WITH_ZONE:
        word, zone = _WITH_ZONE[name]
        precision = f"({mods[0]})" if mods else ""
        return f"{word}{precision} {zone} time zone{suffix}"
    if name == "numeric" and mods:
        return f"numeric({mods[0]},{mods[1] if len(mods) > 1 else 0}){suffix}"
    if name == "bpchar" and column and not mods:
        mods = (1,)
    spelled = _SPELLED.get(name, name)
    return spelled + (f"({','.join(str(m) for m in mods)})" if mods else "") + suffix


@lru_cache(maxsize=1024)
def function_types(args: str, returns: str) -> tuple[str, str] | None:
    """(the input argument types as oidvectortypes() prints them, the result as pg_get_function_result() does)
    of a function declared with `args` and `returns`; None when they do not parse."""
    try:
        stmt: Any = parse_sql(f"CREATE FUNCTION f({args}) RETURNS {returns} LANGUAGE sql AS ''")[0].stmt
    except ParseError:
        return None
    inputs, table = [], []
    for p in stmt.parameters or ():
        mode = getattr(p.mode, "name", str(p.mode))
        if mode == "FUNC_PARAM_TABLE":
            table.append(f"{quoting.ident(p.name)} {_type(p.argType)}")
        elif mode in ("FUNC_PARAM_IN", "FUNC_PARAM_INOUT", "FUNC_PARAM_VARIADIC", "FUNC_PARAM_DEFAULT"):
            inputs.append(_type(p.argType))
    if table:
        result = f"TABLE({', '.join(table)})"
    else:
        result = ("SETOF " if stmt.returnType.setof else "") + _type(stmt.returnType)
    return ", ".join(inputs), result


def _type(node: Any) -> str:
    """A function's argument or result type: PostgreSQL keeps no modifier there (varchar(3) is varchar)."""
    parts = [n.sval for n in node.names]
    schema = parts[0] if len(parts) > 1 else None
    name = parts[-1]
    if schema is None and name not in _SPELLED and name not in _WITH_ZONE and name not in _BUILT_IN:
        schema = "public"
    return format_type(name, (), len(node.arrayBounds or ()), schema=schema)


# Built-in types a spec names without a schema (pglast keeps their own name, not pg_catalog.x)
_BUILT_IN = frozenset(
    {
        "text",
        "uuid",
        "json",
        "jsonb",
        "date",
        "interval",
        "bytea",
        "inet",
        "cidr",
        "macaddr",
        "tsvector",
        "oid",
        "numeric",
        "trigger",
        "void",
        "record",
        "name",
        "regclass",
        "anyelement",
        "event_trigger",
        "xml",
        "money",
        "point",
    }
)
