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
) -> ViewRowModel | None:
    """The row model of `v`, through the table models' field rules (None when a column cannot be modelled)."""
    columns = tuple(dataclasses.replace(c, not_null=False, default=None, identity=None) for c in v.columns)
    as_table = ir.Table(v.name, v.module, columns, comment=v.comment)
    built = tables.models(as_table, enums, imports, classes, problems, [])
    if not built:
        return None
    row = built[0]
    assert isinstance(row, RowModel)
    summary = (
        spelling.docstring_text(v.comment or "", first=True) or f"A row of {spelling.docstring_text(v.name.display)}."
    )
    return ViewRowModel(row.name, row.table, summary, row.aliased, row.fields, kind=v.kind)
