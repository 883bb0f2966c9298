"""Minimal stand-ins for external objects, so a migration can run on an empty test database.

They are derived from the spec's `external` declarations: roles (and the tenancy's
anonymous role), schemas,
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
    name: str
    body: list[views.ColumnView | views.ConstraintView]  # the columns, then the keys (unnamed)
    foreign_keys: list[views.ConstraintView]
    row_level_security: bool  # as the spec states it (Supabase's storage.objects has it)

    @classmethod
    def of(cls, t: ir.ExternalTable) -> TableView:
        keys = [ir.Constraint("", "primary_key", t.primary_key)] if t.primary_key else []
        keys += [ir.Constraint("", "unique", columns) for columns in t.unique]
        body: list[views.ColumnView | views.ConstraintView] = list(map(views.ColumnView, t.columns))
        body += [views.ConstraintView(k, named=False) for k in keys]
        return cls(t.name.q, body, [views.ConstraintView(fk) for fk in t.foreign_keys], t.row_level_security)


@dataclass(frozen=True)
class FunctionView:
    name: str
    args: str
    returns: str
    stand_in: str | None  # its body; None: it returns NULL

    @classmethod
    def of(cls, f: ir.ExternalFunction) -> FunctionView:
        return cls(f.name.q, f.args, f.returns, f.stand_in)


@dataclass(frozen=True)
class StandinsView:
    external: ir.External
    tenancy: ir.Tenancy | None = None
    publications: tuple[ir.Publication, ...] = ()  # the spec's; those made elsewhere get a stand-in

    @property
    def external_publications(self) -> list[str]:
        return [p.q for p in self.publications if p.external]

    @property
    def roles(self) -> list[str]:
        """The declared roles, and the tenancy's anonymous role (the database tests check it exists)."""
        roles = set(self.external.roles)
        if self.tenancy is not None and self.tenancy.anonymous_role is not None:
            roles.add(self.tenancy.anonymous_role)
        return [quoting.ident(r) for r in sorted(roles)]

    @property
    def schemas(self) -> list[str]:
        return [quoting.ident(s) for s in self.external.schemas]

    @property
    def tables(self) -> list[TableView]:
        return [TableView.of(t) for t in self.external.tables]

    @property
    def functions(self) -> list[FunctionView]:
        return [FunctionView.of(f) for f in self.external.functions]

    @property
    def nothing(self) -> bool:
        """No external object: the file is one empty line."""
        e = self.external
        return not (self.roles or e.schemas or e.tables or e.functions or self.external_publications)


def standin_sql(schema: ir.Schema) -> str:
    text: str = (
        environment()
        .get_template("sql/standins.sql.j2")
        .render(obj=StandinsView(schema.external, schema.tenancy, schema.publications))
    )
    return text
