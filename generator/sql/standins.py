"""Minimal stand-ins for external objects, so a migration can run on an empty test database.

They are derived from the spec's `external` declarations: roles, schemas,
tables with their key columns and foreign keys, and functions whose
`stand_in` gives a SQL body (others return NULL). External schemas and tables
are made readable by the declared roles, as the earlier migrations that really
created them would have done. Never part of a migration: templates/sql/standins.sql.j2.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..pg import quoting
from ..templating import environment
from . import views


@dataclass(frozen=True)
class TableView:
    table: ir.ExternalTable

    @property
    def name(self) -> str:
        return self.table.name.q

    @property
    def body(self) -> list[views.ColumnView | views.ConstraintView]:
        keys = [ir.Constraint("", "primary_key", self.table.primary_key)] if self.table.primary_key else []
        keys += [ir.Constraint("", "unique", columns) for columns in self.table.unique]
        return [*map(views.ColumnView, self.table.columns), *(views.ConstraintView(k, named=False) for k in keys)]

    @property
    def foreign_keys(self) -> list[views.ConstraintView]:
        return [views.ConstraintView(fk) for fk in self.table.foreign_keys]


@dataclass(frozen=True)
class FunctionView:
    function: ir.ExternalFunction

    @property
    def name(self) -> str:
        return self.function.name.q

    @property
    def args(self) -> str:
        return self.function.args

    @property
    def returns(self) -> str:
        return self.function.returns

    @property
    def stand_in(self) -> str | None:
        return self.function.stand_in


@dataclass(frozen=True)
class StandinsView:
    external: ir.External

    @property
    def roles(self) -> list[str]:
        return [quoting.ident(r) for r in self.external.roles]

    @property
    def schemas(self) -> list[str]:
        return [quoting.ident(s) for s in self.external.schemas]

    @property
    def tables(self) -> list[TableView]:
        return [TableView(t) for t in self.external.tables]

    @property
    def functions(self) -> list[FunctionView]:
        return [FunctionView(f) for f in self.external.functions]

    @property
    def nothing(self) -> bool:
        """No external object: the file is one empty line."""
        e = self.external
        return not (e.roles or e.schemas or e.tables or e.functions)


def standin_sql(schema: ir.Schema) -> str:
    text: str = environment().get_template("sql/standins.sql.j2").render(obj=StandinsView(schema.external))
    return text
