"""One clause alone, as text: for the drift report and the docs, which show a clause without its statement.

Each is printed by the macro of templates/sql/macros.sql.j2 (or the template
of its statement) that the migrations use, so a clause reads the same
everywhere; no SQL is written here.
"""

from __future__ import annotations

from typing import Any

from .. import ir
from ..templating import environment
from . import publications, views


def macro(name: str, *args: Any) -> str:
    """The text of a macro of sql/macros.sql.j2."""
    return str(getattr(environment().get_template("sql/macros.sql.j2").module, name)(*args))


def statement(template: str, view: Any) -> str:
    """A statement of templates/sql/, without its closing semicolon."""
    return views.statement(template, view).rstrip("\n").removesuffix(";")


def constraint_body(con: ir.Constraint) -> str:
    """The constraint's definition after its name."""
    return macro("constraint", views.ConstraintView(con))


def index_element(e: ir.IndexElement) -> str:
    return macro("index_key", views.IndexKeyView(e))


def create_index(ix: ir.Index) -> str:
    return statement("index", views.IndexView(ix))


def partition_bound(p: ir.Partition) -> str:
    return macro("bound", views.BoundView(p))


def partition_clause(t: ir.Table) -> str:
    """` PARTITION BY ...` of CREATE TABLE, or nothing."""
    return " " + macro("partitioning", views.TableView(t)) if t.partition_by else ""


def create_policy(p: ir.Policy) -> str:
    return statement("policy", views.PolicyView(p))


def role(name: str) -> str:
    """A role as GRANT, REVOKE and CREATE POLICY name it (`public` is the keyword PUBLIC)."""
    return macro("roles", [views.RoleView(name)])


def trigger_events(t: ir.Trigger) -> str:
    return macro("events", views.TriggerView(t))


def trigger_args(t: ir.Trigger) -> str:
    """A trigger's function arguments as CREATE TRIGGER writes them: string literals."""
    return views.TriggerView(t).args


def generation(c: ir.Column) -> str:
    """`GENERATED ALWAYS AS (...) STORED` of a generated column, or nothing."""
    return macro("generation", views.ColumnView(c)) if c.generated is not None else ""


def collation(c: ir.Column) -> str:
    """`COLLATE "C"` of a column with a collation of its own, or nothing."""
    return macro("collate", views.ColumnView(c)) if c.collation is not None else ""


def published(p: ir.Publication, table: ir.Name) -> str:
    """A table as the publication lists it: with its column list and row filter."""
    return macro("published", [publications.TableView.of(p, table)])
