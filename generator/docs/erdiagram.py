"""The Mermaid `erDiagram` of a docs page: tables, their key columns and foreign keys.

Only key columns (PK, FK, UK) are drawn: the column tables of the page carry
the rest, and a diagram of every column stops being readable. Names go inside
double quotes (Mermaid >= 9.2 accepts any character there but `"` and `%`,
neither of which an identifier has); attribute words are reduced to the
characters every Mermaid version accepts, since GitHub and mkdocs-material ship
different ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from .. import ir
from ..pg import datatypes

_NOT_A_WORD = re.compile(r"[^A-Za-z0-9_\-\[\]()]")


class Attribute(NamedTuple):
    type: str
    name: str
    keys: tuple[str, ...]  # PK, FK, UK


class Entity(NamedTuple):
    name: str  # printed inside double quotes
    attributes: tuple[Attribute, ...]


class Relationship(NamedTuple):
    """`"parent" ||..o{ "child" : "columns"`: the ends say how many rows each side has, the line
    whether the key identifies the child (`--`) or not (`..`)."""

    parent: str
    parent_end: str  # `||` exactly one, `|o` zero or one (a nullable key)
    line: str
    child_end: str  # `o{` zero or more, `o|` zero or one (the key is unique)
    child: str
    columns: str


@dataclass(frozen=True)
class Diagram:
    entities: tuple[Entity, ...]
    relationships: tuple[Relationship, ...]


@dataclass(frozen=True)
class _Keyed:
    """A table as the diagram sees it: key columns and foreign keys, spec-defined or external."""

    name: ir.Name
    columns: tuple[ir.Column, ...]
    primary_key: tuple[str, ...]
    unique: tuple[tuple[str, ...], ...]
    foreign_keys: tuple[ir.Constraint, ...]


def _keyed(table: ir.Table | ir.ExternalTable) -> _Keyed:
    if isinstance(table, ir.ExternalTable):
        return _Keyed(table.name, table.columns, table.primary_key, table.unique, table.foreign_keys)
    pk = next((c.columns for c in table.constraints if c.kind == "primary_key"), ())
    unique = tuple(c.columns for c in table.constraints if c.kind == "unique")
    return _Keyed(table.name, table.columns, pk, unique, table.foreign_keys)


def word(text: str) -> str:
    return _NOT_A_WORD.sub("_", text)


def type_word(column: ir.Column) -> str:
    builtin = datatypes.BASE_TYPES.get(column.base)
    base = column.enum.name if column.enum is not None else builtin.sql if builtin else column.base
    return word(base) + "[]" * column.array_dims


def _entity(t: _Keyed) -> Entity:
    keys: dict[str, list[str]] = {}
    for col in t.primary_key:
        keys.setdefault(col, []).append("PK")
    for fk in t.foreign_keys:
        for col in fk.columns:
            keys.setdefault(col, []).append("FK")
    for cols in t.unique:
        for col in cols:
            keys.setdefault(col, []).append("UK")
    attributes = tuple(
        Attribute(type_word(c), word(c.name), tuple(dict.fromkeys(keys[c.name]))) for c in t.columns if c.name in keys
    )
    return Entity(t.name.display, attributes)


def _relationship(child: _Keyed, fk: ir.Constraint) -> Relationship:
    assert fk.ref_table is not None
    cols = set(fk.columns)
    nullable = {c.name for c in child.columns if not c.not_null}
    one_to_one = any(set(key) == cols for key in (child.primary_key, *child.unique) if key)
    return Relationship(
        fk.ref_table.display,
        "|o" if cols & nullable else "||",  # a nullable key may point nowhere
        "--" if cols <= set(child.primary_key) else "..",
        "o|" if one_to_one else "o{",
        child.name.display,
        ", ".join(fk.columns),
    )


def diagram(tables: Iterable[ir.Table | ir.ExternalTable]) -> Diagram:
    """The diagram of `tables`, with the foreign keys between them (in the order given)."""
    keyed = [_keyed(t) for t in tables]
    drawn = {t.name for t in keyed}
    relationships = tuple(_relationship(t, fk) for t in keyed for fk in t.foreign_keys if fk.ref_table in drawn)
    return Diagram(tuple(_entity(t) for t in keyed), relationships)
