"""One table for PostgreSQL types (STYLE.md, lesson 6).

Keyed by the internal name pglast gives a type (`int4`, `timestamptz`, ...),
each entry says how to spell it in SQL and which modifiers it takes. Later
stages (models, docs) read the same table instead of growing their own `if`s.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BaseType:
    sql: str  # canonical spelling, without modifiers
    max_mods: int = 0  # how many typmods it accepts, e.g. numeric(p, s) -> 2


BASE_TYPES: dict[str, BaseType] = {
    "int2": BaseType("smallint"),
    "int4": BaseType("integer"),
    "int8": BaseType("bigint"),
    "numeric": BaseType("numeric", 2),
    "float4": BaseType("real"),
    "float8": BaseType("double precision"),
    "bool": BaseType("boolean"),
    "text": BaseType("text"),
    "varchar": BaseType("varchar", 1),
    "bpchar": BaseType("char", 1),
    "uuid": BaseType("uuid"),
    "json": BaseType("json"),
    "jsonb": BaseType("jsonb"),
    "timestamptz": BaseType("timestamptz", 1),
    "timestamp": BaseType("timestamp", 1),
    "date": BaseType("date"),
    "time": BaseType("time", 1),
    "timetz": BaseType("timetz", 1),
    "interval": BaseType("interval"),
    "bytea": BaseType("bytea"),
    "inet": BaseType("inet"),
    "cidr": BaseType("cidr"),
    "macaddr": BaseType("macaddr"),
    "tsvector": BaseType("tsvector"),
    "oid": BaseType("oid"),
}

# Types whose values can order a range partition, by how to compare bounds.
ORDERED_BOUNDS = {"int2": "int", "int4": "int", "int8": "int", "date": "date", "timestamptz": "date", "timestamp": "date", "numeric": "decimal", "text": "text", "varchar": "text"}

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
# Changes PostgreSQL makes without rewriting the table (binary-coercible).
NO_REWRITE: frozenset[tuple[str, str]] = frozenset({("varchar", "text"), ("varchar", "varchar"), ("text", "varchar"), ("numeric", "numeric")})
