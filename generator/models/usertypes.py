"""The Python types of the spec's domains, composite types and range types (types5), and the models of
composite types.

- a domain: its base type's (a domain over `citext` is `str`, over `numeric(12,2)` a bounded Decimal);
- a composite type: a Pydantic model class of its own (`Address`), every attribute optional (PostgreSQL has no
  NOT NULL on an attribute); psycopg reads a composite value as a tuple unless the application registers it
  (`psycopg.types.composite.register_composite`), which gives an object with the attributes the model reads;
- a range (built-in or the spec's): psycopg's `Range` of its subtype's Python type (`Range[datetime]` for
  tstzrange), a multirange psycopg's `Multirange` of those, each checked as an instance (`InstanceOf`): psycopg
  reads them as such with no registration for the built-in ones (`register_range` / `register_multirange` for the
  spec's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir
from ..pg import datatypes


@dataclass(frozen=True)
class UserTypes:
    """The spec's types by their SQL spelling (a column's `sql_type` without array brackets)."""

    domains: dict[str, ir.Domain] = field(default_factory=dict)
    composites: dict[str, ir.CompositeType] = field(default_factory=dict)
    ranges: dict[str, tuple[str, bool]] = field(default_factory=dict)  # -> (subtype's base, is a multirange)

    @classmethod
    def of(cls, schema: ir.Schema) -> UserTypes:
        ranges = {r.name.q: (r.subtype_base, False) for r in schema.range_types}
        ranges |= {ir.Name(r.name.schema, r.multirange).q: (r.subtype_base, True) for r in schema.range_types}
        return cls({d.name.q: d for d in schema.domains}, {c.name.q: c for c in schema.composite_types}, ranges)

    def range_of(self, col: ir.Column) -> tuple[str, bool] | None:
        """(subtype's base, multirange) of a column of a range or multirange type; None for any other."""
        if col.base in datatypes.BUILTIN_RANGES:
            return datatypes.BUILTIN_RANGES[col.base], False
        if col.base in datatypes.BUILTIN_MULTIRANGES:
            return datatypes.BUILTIN_RANGES[datatypes.BUILTIN_MULTIRANGES[col.base]], True
        return self.ranges.get(element_sql(col))


def element_sql(col: ir.Column) -> str:
    """The column's type without its array brackets."""
    sql = col.sql_type
    while sql.endswith("[]"):
        sql = sql[:-2]
    return sql


def range_value(subtype: str) -> tuple[str, str | None] | None:
    """A bound's Python type (annotation, its module) for a range of `subtype`; None when the models have none."""
    return datatypes.RANGE_VALUES.get(subtype)


def composite_order(composites: list[ir.CompositeType]) -> list[ir.CompositeType]:
    """The composite types of a module, each after those of the module its attributes use (a class is defined
    before a field names it)."""
    by_sql = {c.name.q: c for c in composites}
    done: dict[str, ir.CompositeType] = {}

    def visit(c: ir.CompositeType, path: frozenset[str]) -> None:
        if c.name.q in done or c.name.q in path:
            return
        for a in c.attributes:
            used = by_sql.get(element_sql(a))
            if used is not None:
                visit(used, path | {c.name.q})
        done[c.name.q] = c

    for c in composites:
        visit(c, frozenset())
    return list(done.values())
