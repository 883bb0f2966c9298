"""One table for PostgreSQL types, so that no stage grows its own `if` chain over them.

Keyed by the internal name pglast gives a type (`int4`, `timestamptz`, ...),
each entry says how to spell it in SQL, which modifiers it takes, and how a
value of it looks in Python (the generated models). Later stages (models,
docs) read the same table instead of growing their own `if`s.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PyType:
    """A PostgreSQL type in the generated Pydantic models.

    `alias` and `constraints` are format strings over the column's modifiers
    (`{0}`, `{1}`); missing trailing modifiers take `mod_defaults` (numeric(p)
    is numeric(p, 0)), and a type written without any modifier is unconstrained.
    `family` says which Python operators agree with PostgreSQL's on its values,
    for translating CHECK constraints (models/checks.py).
    """

    annotation: str  # the Python type
    module: str | None = None  # imported from, e.g. "decimal"
    alias: str | None = None  # name of the constrained type alias, e.g. "Varchar{0}"
    constraints: str | None = None  # pydantic Field arguments of the alias
    mod_defaults: tuple[int, ...] = ()
    family: str = "other"


def _int(bits: int) -> PyType:
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return PyType("int", alias=f"Int{bits // 8}", constraints=f"ge={lo}, le={hi}", family="int")


_STR = PyType("str", family="text")


@dataclass(frozen=True)
class BaseType:
    sql: str  # canonical spelling, without modifiers
    max_mods: int = 0  # how many typmods it accepts, e.g. numeric(p, s) -> 2
    py: PyType | None = None  # None: the models need an explicit `python_type`


BASE_TYPES: dict[str, BaseType] = {
    "int2": BaseType("smallint", py=_int(16)),
    "int4": BaseType("integer", py=_int(32)),
    "int8": BaseType("bigint", py=_int(64)),
    "numeric": BaseType(
        "numeric",
        2,
        PyType("Decimal", "decimal", "Numeric{0}_{1}", "max_digits={0}, decimal_places={1}", (0,), "decimal"),
    ),
    "float4": BaseType("real", py=PyType("float", family="float")),
    "float8": BaseType("double precision", py=PyType("float", family="float")),
    "bool": BaseType("boolean", py=PyType("bool", family="bool")),
    "text": BaseType("text", py=_STR),
    "varchar": BaseType("varchar", 1, PyType("str", alias="Varchar{0}", constraints="max_length={0}", family="text")),
    "bpchar": BaseType("char", 1, PyType("str", alias="Char{0}", constraints="max_length={0}", family="text")),
    "uuid": BaseType("uuid", py=PyType("UUID", "uuid", family="uuid")),
    "json": BaseType("json", py=PyType("JsonValue", "pydantic", family="json")),
    "jsonb": BaseType("jsonb", py=PyType("JsonValue", "pydantic", family="json")),
    "timestamptz": BaseType("timestamptz", 1, PyType("AwareDatetime", "pydantic", family="timestamptz")),
    "timestamp": BaseType("timestamp", 1, PyType("NaiveDatetime", "pydantic", family="timestamp")),
    "date": BaseType("date", py=PyType("date", "datetime", family="date")),
    "time": BaseType("time", 1, PyType("time", "datetime", family="time")),
    "timetz": BaseType("timetz", 1),
    "interval": BaseType("interval", py=PyType("timedelta", "datetime")),
    "bytea": BaseType("bytea", py=PyType("bytes")),
    "inet": BaseType("inet"),
    "cidr": BaseType("cidr"),
    "macaddr": BaseType("macaddr"),
    "tsvector": BaseType("tsvector"),
    "regconfig": BaseType("regconfig", py=PyType("str")),  # a text search configuration, read back by its name
    "oid": BaseType("oid", py=PyType("int", alias="Oid", constraints="ge=0, le=4294967295", family="int")),
}

# Ranges and multiranges (types5): the built-in ones, each by its subtype (a key of BASE_TYPES). Their Python type
# (models) is psycopg's Range / Multirange of the subtype's value (RANGE_VALUES), what psycopg reads them as.
BUILTIN_RANGES: dict[str, str] = {
    "int4range": "int4",
    "int8range": "int8",
    "numrange": "numeric",
    "tsrange": "timestamp",
    "tstzrange": "timestamptz",
    "daterange": "date",
}
BUILTIN_MULTIRANGES: dict[str, str] = {
    "int4multirange": "int4range",
    "int8multirange": "int8range",
    "nummultirange": "numrange",
    "tsmultirange": "tsrange",
    "tstzmultirange": "tstzrange",
    "datemultirange": "daterange",
}
BASE_TYPES.update({name: BaseType(name) for name in (*BUILTIN_RANGES, *BUILTIN_MULTIRANGES)})
# A bound's Python type, by a range's subtype (a key of BASE_TYPES): (annotation, module it comes from).
RANGE_VALUES: dict[str, tuple[str, str | None]] = {
    "int2": ("int", None),
    "int4": ("int", None),
    "int8": ("int", None),
    "numeric": ("Decimal", "decimal"),
    "float4": ("float", None),
    "float8": ("float", None),
    "date": ("date", "datetime"),
    "timestamp": ("datetime", "datetime"),
    "timestamptz": ("datetime", "datetime"),
    "text": ("str", None),
    "varchar": ("str", None),
    "time": ("time", "datetime"),
    "interval": ("timedelta", "datetime"),
    "uuid": ("UUID", "uuid"),
}

# Types whose values can order a range partition, by how to compare bounds.

# Type changes that keep every value, so a migration makes them without asking
# (narrower ones need `allow_destructive`). Within one type, a larger modifier
# widens: see schemagen.diff.types. "enum" stands for any enum type.
WIDER: dict[str, frozenset[str]] = {
    "int2": frozenset({"int4", "int8", "numeric"}),
    "int4": frozenset({"int8", "numeric"}),
    "int8": frozenset({"numeric"}),
    "float4": frozenset({"float8"}),
    "varchar": frozenset({"text"}),
    "enum": frozenset({"text"}),
}
# Changes to a length-limited text type with an assignment cast: without a USING
# clause a value too long fails the change, where an explicit cast would cut it.
ASSIGNMENT_TO_LENGTH: frozenset[tuple[str, str]] = frozenset(
    {("text", "varchar"), ("text", "bpchar"), ("varchar", "bpchar"), ("bpchar", "varchar")}
)
INTEGER_RANGE: dict[str, tuple[int, int]] = {
    "int2": (-(2**15), 2**15 - 1),
    "int4": (-(2**31), 2**31 - 1),
    "int8": (-(2**63), 2**63 - 1),
}
# Changes PostgreSQL makes without rewriting the table (binary-coercible) when the new type widens the old one
# (a varchar without a length is text).
NO_REWRITE: frozenset[tuple[str, str]] = frozenset(
    {("varchar", "text"), ("varchar", "varchar"), ("text", "varchar"), ("numeric", "numeric")}
)

# The serial shorthands: a column of the integer type, its own sequence of that type, OWNED BY the column,
# and DEFAULT nextval of it (as PostgreSQL expands them).
SERIAL_TYPES: dict[str, str] = {
    "smallserial": "int2",
    "serial2": "int2",
    "serial": "int4",
    "serial4": "int4",
    "bigserial": "int8",
    "serial8": "int8",
}

# Types whose precision (fractional digits of a second) may grow without a rewrite (timestamp_support).
SECONDS_PRECISION: frozenset[str] = frozenset({"timestamp", "timestamptz", "time"})
