"""The statements of a diff migration: small views with ready-to-print fields, one template each.

Each view names its template (templates/sql/diff/*.sql.j2); every identifier
in a field went through pg/quoting.py, every expression was parsed when the spec
was resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import ir
from ..pg import quoting
from ..sql import from_scratch, views
from ..templating import environment


def text(view: Any) -> str:
    """The SQL of one view (a diff view, or an IR object with the template given as `template`)."""
    sql: str = environment().get_template(f"sql/{view.template}.sql.j2").render(obj=view)
    return sql.rstrip("\n")


def condition(macro: str, *args: Any) -> str:
    """A SQL condition (or row name) of templates/sql/diff/conditions.sql.j2, for the prechecks."""
    module = environment().get_template("sql/diff/conditions.sql.j2").module
    return str(getattr(module, macro)(*args)).strip()


def create(stmt: from_scratch.Statement) -> str:
    """An object created exactly as the from-scratch migration creates it."""
    return from_scratch.render_statement(stmt)


@dataclass(frozen=True)
class Rename:
    """ALTER <kind> <target> RENAME [<member> ]TO <new>."""

    template: ClassVar[str] = "diff/rename"
    kind: str  # TABLE, INDEX, SEQUENCE, TYPE, POLICY, TRIGGER, FUNCTION
    target: str
    new: str
    member: str = ""  # e.g. 'COLUMN a ', "VALUE 'x' ", 'CONSTRAINT c '


@dataclass(frozen=True)
class Drop:
    template: ClassVar[str] = "diff/drop"
    kind: str  # TABLE, TYPE, FUNCTION, INDEX CONCURRENTLY IF EXISTS, POLICY, TRIGGER
    target: str


@dataclass(frozen=True)
class AlterTable:
    template: ClassVar[str] = "diff/alter_table"
    table: str
    action: str


@dataclass(frozen=True)
class AddValue:
    template: ClassVar[str] = "diff/add_value"
    type: str
    value: str
    position: str  # BEFORE | AFTER
    anchor: str


@dataclass(frozen=True)
class AlterPolicy:
    template: ClassVar[str] = "diff/alter_policy"
    name: str
    table: str
    clauses: tuple[str, ...]

    @property
    def lines(self) -> list[str]:
        """The clauses, the last one ending the statement."""
        return [*self.clauses[:-1], self.clauses[-1] + ";"]


@dataclass(frozen=True)
class Revoke:
    template: ClassVar[str] = "diff/revoke"
    privileges: str
    on: str
    roles: str
    grant_option: str = ""  # "GRANT OPTION FOR " to take back only the right to grant


@dataclass(frozen=True)
class CommentOff:
    template: ClassVar[str] = "diff/comment_off"
    kind: str
    target: str


def comment_on(kind: str, target: str, comment: str | None) -> views.Comment | CommentOff:
    """COMMENT ON the object, or IS NULL when the comment went."""
    return views.Comment(kind, target, comment) if comment is not None else CommentOff(kind, target)


@dataclass(frozen=True)
class Concurrently:
    template: ClassVar[str] = "diff/index_concurrently"
    concurrent_ddl: str


@dataclass(frozen=True)
class ReplaceFunction(views.FunctionView):
    """CREATE OR REPLACE FUNCTION, laid out as the from-scratch CREATE FUNCTION (sql/macros.sql.j2)."""

    template: ClassVar[str] = "diff/function_replace"


@dataclass(frozen=True)
class FillNulls:
    """UPDATE ... SET c = DEFAULT WHERE c IS NULL."""

    template: ClassVar[str] = "diff/fill_nulls"
    table: str
    column: str


@dataclass(frozen=True)
class Precheck:
    """Counts the rows that match `condition` and, when there are any, names how many and the first few.

    Read-only. In the PRECHECK phase each check only records what it found
    (and prints it as a WARNING), so that one run lists every problem; the
    `Verdict` at the end of the phase then stops the migration.
    """

    template: ClassVar[str] = "diff/precheck"
    relation: str  # the FROM clause
    condition: str  # true for a row that cannot follow
    key: str  # a text expression that names one row
    order: str  # the order of the rows named
    message: str  # a format() literal: %s for the count, then %s for the rows named
    hint: str  # a literal
    limit: int = 5


@dataclass(frozen=True)
class Recheck(Precheck):
    """The same check inside the main transaction, under the table's lock: it stops the transaction at once."""

    template: ClassVar[str] = "diff/recheck"


@dataclass(frozen=True)
class Verdict:
    """The end of the PRECHECK phase: stops the migration, listing every problem the checks recorded."""

    template: ClassVar[str] = "diff/verdict"
    message: str  # a literal
    hint: str  # a literal


@dataclass(frozen=True)
class LockTable:
    template: ClassVar[str] = "diff/lock_table"
    table: str
    mode: str = "ACCESS EXCLUSIVE"


@dataclass(frozen=True)
class IfConstraint:
    """Runs `statement` only while the constraint is there (or missing), so that it can run again."""

    template: ClassVar[str] = "diff/if_constraint"
    regclass: str  # a literal naming the table
    name: str  # a literal naming the constraint
    statement: str
    exists: bool = True

    @property
    def test(self) -> str:
        return "EXISTS" if self.exists else "NOT EXISTS"

    @classmethod
    def on(cls, table: ir.Name, constraint: str, statement: Any, *, exists: bool) -> IfConstraint:
        return cls(quoting.literal(table.q), quoting.literal(constraint), text(statement), exists)


@dataclass(frozen=True)
class DropInvalidIndex:
    """Drops the index only when it is INVALID: what a failed CREATE INDEX CONCURRENTLY leaves behind."""

    template: ClassVar[str] = "diff/drop_invalid_index"
    index: str  # the quoted, qualified name

    @property
    def regclass(self) -> str:
        return quoting.literal(self.index)


@dataclass(frozen=True)
class NotNullNames:
    """Renames PostgreSQL 18's NOT NULL constraints to the names a fresh database gives them (no-op before 18)."""

    template: ClassVar[str] = "diff/not_null_names"
    regclass: str
    pairs: str

    @classmethod
    def of(cls, table: ir.Name, wanted: dict[str, str]) -> NotNullNames:
        pairs = ", ".join(f"({quoting.literal(col)}, {quoting.literal(want)})" for col, want in sorted(wanted.items()))
        return cls(quoting.literal(table.q), pairs)


def columns_sql(columns: tuple[ir.Column, ...]) -> str:
    return ", ".join(c.q for c in columns)
