"""The model of a view or materialized view: one read-only row model, every column nullable (PostgreSQL
computes the values and does not promise NOT NULL of a view's column)."""

from __future__ import annotations

import dataclasses
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import ClassVar

from .. import ir
from . import spelling, tables
from .imports import Imports
from .tables import Problem
from .usertypes import UserTypes
from .viewmodel import RowModel


@dataclass(frozen=True)
class ViewRowModel(RowModel):
    template: ClassVar[str] = "models/view_row.py.j2"
    kind: str = "view"  # or "materialized view", for the docstring


def model(
    v: ir.View,
    enums: dict[ir.Name, ir.Enum],
    imports: Imports,
    classes: AbstractSet[str],
    problems: list[Problem],
    types: UserTypes | None = None,
) -> ViewRowModel | None:
    """The row model of `v`, through the table models' field rules (None when a column cannot be modelled)."""
    columns = tuple(dataclasses.replace(c, not_null=False, default=None, identity=None) for c in v.columns)
    as_table = ir.Table(v.name, v.module, columns, comment=v.comment)
    built = tables.models(as_table, enums, imports, classes, problems, [], types)
    if not built:
        return None
    row = built[0]
    assert isinstance(row, RowModel)
    summary = (
        spelling.docstring_text(v.comment or "", first=True) or f"A row of {spelling.docstring_text(v.name.display)}."
    )
    return ViewRowModel(row.name, row.table, summary, row.aliased, row.fields, kind=v.kind)


@dataclass(frozen=True)
class CompositeModel(RowModel):
    template: ClassVar[str] = "models/composite.py.j2"


def composite(
    c: ir.CompositeType,
    enums: dict[ir.Name, ir.Enum],
    imports: Imports,
    classes: AbstractSet[str],
    problems: list[Problem],
    types: UserTypes,
) -> CompositeModel | None:
    """The model of a composite type (types5): its attributes as a row model's fields, every one optional."""
    as_table = ir.Table(c.name, c.module, c.attributes, comment=c.comment)
    built = tables.models(as_table, enums, imports, classes, problems, [], types)
    if not built:
        return None
    row = built[0]
    assert isinstance(row, RowModel)
    summary = spelling.docstring_text(c.comment or "", first=True) or f"A value of {row.table}."
    return CompositeModel(row.name, row.table, summary, row.aliased, row.fields)
