"""What the templates read for schemas of the spec's own and for SQL views (sql/schema.sql.j2, view.sql.j2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import ir
from ..pg import sqlparse


@dataclass(frozen=True)
class SchemaView:
    schema: ir.Namespace

    @property
    def name(self) -> str:
        return self.schema.q


def in_own_schema(key: Any, own: frozenset[str]) -> str | None:
    """The spec's schema an object's node key (`(kind, Name)`) lives in, if it is one the spec creates."""
    if isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], ir.Name) and key[1].schema in own:
        return key[1].schema
    return None


@dataclass(frozen=True)
class ViewView:
    """A view or materialized view as templates/sql/view.sql.j2 lays it out."""

    view: ir.View
    or_replace: bool = False  # CREATE OR REPLACE VIEW (the diff, when the columns allow it)
    template: ClassVar[str] = "view"

    @property
    def name(self) -> str:
        return self.view.name.q

    @property
    def materialized(self) -> bool:
        return self.view.materialized

    @property
    def security_invoker(self) -> bool:
        return self.view.security_invoker

    @property
    def check_option(self) -> str | None:
        """LOCAL or CASCADED, for WITH ... CHECK OPTION."""
        return None if self.view.check_option is None else self.view.check_option.upper()

    @property
    def query(self) -> str:
        """The query, with a line break after a `-- ...` comment it ends in (so the comment ends there)."""
        query = self.view.query
        return query + "\n" if sqlparse.ends_in_line_comment(query) else query
