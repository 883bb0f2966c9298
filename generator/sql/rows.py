"""Seed rows as the templates see them (templates/sql/rows.sql.j2, templates/sql/delete_row.sql.j2).

Each row is its own `INSERT ... ON CONFLICT (key)`: the statement that puts it in whether or not the
table has it, so a from-scratch migration and a diff (a row added or changed) write the same SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..pg import quoting

Row = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RowView:
    columns: list[str]  # quoted
    values: list[str]  # SQL constants
    updated: list[str]  # the quoted columns DO UPDATE sets; none: DO NOTHING


@dataclass(frozen=True)
class RowsView:
    """The INSERT of each of `rows` (all the table's seed rows, or those a diff adds or changes)."""

    table_name: ir.Name
    seed: ir.SeedRows
    rows: tuple[Row, ...]
    template: str = "rows"

    @property
    def name(self) -> ir.Name:
        """The table (the docs show its rows in its section)."""
        return self.table_name

    @property
    def table(self) -> str:
        return self.table_name.q

    @property
    def key(self) -> list[str]:
        return [quoting.ident(k) for k in self.seed.key]

    @property
    def inserts(self) -> list[RowView]:
        return [self._row(row) for row in self.rows]

    def _row(self, row: Row) -> RowView:
        updated = [] if self.seed.on_conflict == "nothing" else [c for c, _v in row if c not in self.seed.key]
        return RowView([quoting.ident(c) for c, _v in row], [v for _c, v in row], [quoting.ident(c) for c in updated])


@dataclass(frozen=True)
class DeleteRowView:
    """The DELETE of one seed row, by its key; `unchanged`: only while its other columns hold the seeded values."""

    table_name: ir.Name
    key: list[tuple[str, str]]  # (quoted column, SQL constant)
    unchanged: list[tuple[str, str]]  # (quoted column, SQL constant): IS NOT DISTINCT FROM
    template: str = "delete_row"

    @property
    def table(self) -> str:
        return self.table_name.q

    @classmethod
    def of(cls, table: ir.Name, seed: ir.SeedRows, row: Row, *, unchanged: bool = False) -> DeleteRowView:
        values = dict(row)
        others = [(quoting.ident(c), v) for c, v in row if c not in seed.key] if unchanged else []
        return cls(table, [(quoting.ident(k), values[k]) for k in seed.key], others)
