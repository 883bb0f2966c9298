"""The views of domains, composite types and range types for their templates (domain.sql.j2,
composite_type.sql.j2, range_type.sql.j2, and the diff's alter_domain / alter_type_attribute).

`TypeUses` says which of them a column type names: the from-scratch migration creates each before what uses it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from .. import ir
from ..pg import quoting


@dataclass(frozen=True)
class DomainView:
    """CREATE DOMAIN name AS type COLLATE ... DEFAULT ... NOT NULL CONSTRAINT ... CHECK (...)."""

    domain: ir.Domain

    @property
    def name(self) -> str:
        return self.domain.name.q

    @property
    def type(self) -> str:
        return self.domain.sql_type

    @property
    def collation(self) -> str | None:
        return self.domain.collation

    @property
    def default(self) -> str | None:
        return self.domain.default

    @property
    def not_null(self) -> bool:
        return self.domain.not_null

    @property
    def checks(self) -> list[tuple[str, str]]:
        return [(c.q, c.check) for c in self.domain.checks]


@dataclass(frozen=True)
class CompositeView:
    """CREATE TYPE name AS (attribute type, ...)."""

    composite: ir.CompositeType

    @property
    def name(self) -> str:
        return self.composite.name.q

    @property
    def attributes(self) -> list[tuple[str, str]]:
        return [(a.q, a.sql_type) for a in self.composite.attributes]


@dataclass(frozen=True)
class RangeView:
    """CREATE TYPE name AS RANGE (SUBTYPE = ..., ...): the options the spec gives."""

    range: ir.RangeType

    @property
    def name(self) -> str:
        return self.range.name.q

    @property
    def subtype(self) -> str:
        return self.range.subtype

    @property
    def subtype_opclass(self) -> str | None:
        return self.range.subtype_opclass

    @property
    def collation(self) -> str | None:
        return self.range.collation

    @property
    def canonical(self) -> str | None:
        return self.range.canonical

    @property
    def subtype_diff(self) -> str | None:
        return self.range.subtype_diff

    @property
    def multirange(self) -> str | None:
        """MULTIRANGE_TYPE_NAME, qualified, when the spec names it."""
        r = self.range
        return quoting.qualified(r.name.schema, r.multirange) if r.named_multirange else None


class TypeUses:
    """The node key of the spec's type a column type (`sql_type`) names, by its element's spelling."""

    def __init__(self, schema: ir.Schema):
        self.keys: dict[str, Hashable] = {d.name.q: ("domain", d.name) for d in schema.domains}
        self.keys |= {c.name.q: ("composite_type", c.name) for c in schema.composite_types}
        for r in schema.range_types:
            self.keys[r.name.q] = ("range_type", r.name)
            self.keys[quoting.qualified(r.name.schema, r.multirange)] = ("range_type", r.name)

    def key(self, sql_type: str) -> Hashable | None:
        element = sql_type
        while element.endswith("[]"):
            element = element[:-2]
        return self.keys.get(element)

    def of(self, columns: tuple[ir.Column, ...]) -> list[Hashable]:
        found = (self.key(c.sql_type) for c in columns)
        return sorted({k for k in found if k is not None}, key=repr)
