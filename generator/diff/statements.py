"""The statements of a diff migration: small views, one template each (templates/sql/diff/*.sql.j2).

A view holds what its template prints: names quoted by pg/quoting.py,
literals, and the spec's fragments (parsed when it was resolved). The SQL
keywords are in the templates; clauses the from-scratch migration shares (a
column, a constraint, a partition bound, an object's name) are the macros of
templates/sql/macros.sql.j2, over the views of sql/views.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import ir
from ..pg import quoting
from ..sql import from_scratch, views
from ..sql.views import Object
from ..templating import environment


def text(view: Any) -> str:
    """The SQL of one view (templates/sql/<view.template>.sql.j2)."""
    return views.statement(view.template, view).rstrip("\n")


def condition(macro: str, *args: Any) -> str:
    """A SQL condition (or row name) of templates/sql/diff/conditions.sql.j2, for the prechecks and the moves."""
    module = environment().get_template("sql/diff/conditions.sql.j2").module
    return str(getattr(module, macro)(*args)).strip()


def create(stmt: from_scratch.Statement) -> str:
    """An object created exactly as the from-scratch migration creates it."""
    return from_scratch.render_statement(stmt)


def comment_on(target: Object, comment: str | None) -> views.Comments:
    """COMMENT ON the object, IS NULL when the comment went."""
    return views.Comments((views.Comment(target, comment),))


# -- objects ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rename:
    """ALTER <object> RENAME TO <new>."""

    target: Object
    new: str
    template: ClassVar[str] = "diff/rename"


@dataclass(frozen=True)
class RenameColumn:
    table: str
    column: str
    new: str
    template: ClassVar[str] = "diff/rename_column"


@dataclass(frozen=True)
class RenameConstraint:
    table: str
    name: str
    new: str
    template: ClassVar[str] = "diff/rename_constraint"


@dataclass(frozen=True)
class RenameValue:
    type: str
    value: str  # a literal
    new: str  # a literal
    template: ClassVar[str] = "diff/rename_value"


@dataclass(frozen=True)
class Drop:
    """DROP <object>."""

    target: Object
    template: ClassVar[str] = "diff/drop"


@dataclass(frozen=True)
class DropIndexConcurrently:
    """DROP INDEX CONCURRENTLY IF EXISTS: outside a transaction, without blocking the table; can run again."""

    index: str
    template: ClassVar[str] = "diff/drop_index_concurrently"


@dataclass(frozen=True)
class AddValue:
    type: str
    value: str  # a literal
    anchor: str  # a literal: the value it goes before or after
    before: bool  # BEFORE the anchor (else AFTER)
    template: ClassVar[str] = "diff/add_value"


@dataclass(frozen=True)
class AlterPolicy:
    """ALTER POLICY with the clauses that change (None: left as it is)."""

    name: str
    table: str
    roles: list[views.RoleView] | None = None
    using: str | None = None
    check: str | None = None
    template: ClassVar[str] = "diff/alter_policy"


@dataclass(frozen=True)
class Revoke:
    """REVOKE [GRANT OPTION FOR] privileges ON <target> FROM roles (the target as GRANT names it)."""

    privileges: list[str]
    kind: str  # as ir.Grant.kind
    target: str
    roles: list[views.RoleView]
    grant_option: bool = False  # take back only the right to grant
    columns: tuple[str, ...] = ()  # quoted: of a column-level privilege
    template: ClassVar[str] = "diff/revoke"


@dataclass(frozen=True)
class RestorePrivileges:
    """The privileges (all when `privileges` holds ALL) that the object gets by default, given back to `role`:
    PostgreSQL's built-in ones (EXECUTE to PUBLIC on a function) or the owner's default privileges, global or in
    the object's schema, as the database has them when the migration runs (what a revoke took away)."""

    kind: str  # as ir.Grant.kind: "table" | "function" | "procedure" | "sequence" | "schema"
    target: str
    role: str
    privileges: tuple[str, ...]
    template: ClassVar[str] = "diff/restore_privileges"

    @property
    def routine(self) -> bool:
        """A function's or a procedure's (a regprocedure in pg_proc)."""
        return self.kind in ("function", "procedure")

    @property
    def object_literal(self) -> str:
        """The object as text: a regclass or regprocedure, or the schema's name."""
        return quoting.literal(catalog_name(self.target) if self.kind == "schema" else self.target)

    @property
    def target_literal(self) -> str:
        return quoting.literal(self.target)

    @property
    def public(self) -> bool:
        return self.role == "public"

    @property
    def role_literal(self) -> str:
        return quoting.literal(self.role)

    @property
    def role_sql_literal(self) -> str:
        """The role as GRANT names it, as text."""
        return quoting.literal("PUBLIC" if self.public else quoting.ident(self.role))

    @property
    def every(self) -> bool:
        return "ALL" in self.privileges

    @property
    def privileges_literal(self) -> str:
        return quoting.literal("{" + ",".join(self.privileges) + "}")


def catalog_name(quoted: str) -> str:
    """A name as the catalog stores it, from its quoted spelling (`"My Schema"` -> `My Schema`)."""
    return quoted[1:-1].replace('""', '"') if quoted.startswith('"') else quoted


@dataclass(frozen=True)
class ReplaceFunction(views.FunctionView):
    """CREATE OR REPLACE FUNCTION, laid out as the from-scratch CREATE FUNCTION (sql/macros.sql.j2)."""

    replace: ClassVar[bool] = True
    template: ClassVar[str] = "function"


# -- ALTER TABLE -------------------------------------------------------------------------


@dataclass(frozen=True)
class AddColumn:
    table: str
    column: views.ColumnView
    template: ClassVar[str] = "diff/add_column"


@dataclass(frozen=True)
class DropColumn:
    table: str
    column: str
    template: ClassVar[str] = "diff/drop_column"


@dataclass(frozen=True)
class AlterColumnType:
    """ALTER COLUMN ... TYPE, converting `USING column::via::type` where an implicit cast will not do."""

    table: str
    column: str
    type: str
    cast: bool = False  # USING column::type
    via: str | None = None  # USING column::via::type (an enum goes through text)
    collation: str | None = None  # COLLATE (quoted): without it, the column takes the type's default collation
    template: ClassVar[str] = "diff/alter_column_type"


@dataclass(frozen=True)
class ExtensionOwnComment:
    """COMMENT ON EXTENSION with the comment the extension comes with (the spec's is removed)."""

    name: str  # a literal
    template: ClassVar[str] = "diff/extension_own_comment"


@dataclass(frozen=True)
class DropExpression:
    """ALTER COLUMN ... DROP EXPRESSION: a STORED generated column becomes a plain one, its values kept."""

    table: str
    name: str
    template: ClassVar[str] = "db/repair/drop_expression"


@dataclass(frozen=True)
class SetDefault:
    table: str
    column: str
    default: str
    template: ClassVar[str] = "diff/set_default"


@dataclass(frozen=True)
class DropDefault:
    table: str
    column: str
    template: ClassVar[str] = "diff/drop_default"


@dataclass(frozen=True)
class Identity:
    """ALTER COLUMN ... ADD GENERATED, SET GENERATED (`identity`: ALWAYS | BY DEFAULT), or DROP IDENTITY (None)."""

    table: str
    column: str
    identity: str | None
    add: bool = False
    template: ClassVar[str] = "diff/identity"


@dataclass(frozen=True)
class NotNull:
    """ALTER COLUMN ... SET NOT NULL, or DROP NOT NULL."""

    table: str
    column: str
    set: bool
    template: ClassVar[str] = "diff/not_null"


@dataclass(frozen=True)
class AddConstraint:
    table: str
    name: str
    constraint: views.ConstraintView
    not_valid: bool = False
    template: ClassVar[str] = "diff/add_constraint"

    @classmethod
    def of(cls, table: ir.Name, con: ir.Constraint, *, not_valid: bool = False) -> AddConstraint:
        return cls(table.q, con.q, views.ConstraintView(con), not_valid)


@dataclass(frozen=True)
class AddNotNullCheck:
    """ADD CONSTRAINT ... CHECK (column IS NOT NULL) NOT VALID: proves NOT NULL without a long lock."""

    table: str
    name: str
    column: str
    template: ClassVar[str] = "diff/add_not_null_check"


@dataclass(frozen=True)
class AddKeyUsingIndex:
    """ADD CONSTRAINT ... PRIMARY KEY / UNIQUE USING INDEX (built CONCURRENTLY before, under the same name)."""

    table: str
    name: str
    primary: bool
    deferrable: bool = False
    initially_deferred: bool = False
    template: ClassVar[str] = "diff/add_key_using_index"


@dataclass(frozen=True)
class DropConstraint:
    table: str
    name: str
    if_exists: bool = False
    template: ClassVar[str] = "diff/drop_constraint"


@dataclass(frozen=True)
class ValidateConstraint:
    table: str
    name: str
    template: ClassVar[str] = "diff/validate_constraint"


@dataclass(frozen=True)
class RowLevelSecurity:
    """ALTER TABLE ... ENABLE / DISABLE / FORCE / NO FORCE ROW LEVEL SECURITY (`change`, one of those in lower case)."""

    table: str
    change: str
    template: ClassVar[str] = "diff/row_level_security"


@dataclass(frozen=True)
class DetachPartition:
    table: str
    partition: str
    template: ClassVar[str] = "diff/detach_partition"


@dataclass(frozen=True)
class AttachPartition:
    table: str
    partition: str
    bound: views.BoundView
    template: ClassVar[str] = "diff/attach_partition"


@dataclass(frozen=True)
class SetSchema:
    table: str
    schema: str
    template: ClassVar[str] = "diff/set_schema"


# -- rows and checks -------------------------------------------------------------------


@dataclass(frozen=True)
class FillNulls:
    """UPDATE ... SET c = DEFAULT WHERE c IS NULL."""

    table: str
    column: str
    template: ClassVar[str] = "diff/fill_nulls"


@dataclass(frozen=True)
class Precheck:
    """Counts the rows that match `condition` and, when there are any, names how many and the first few.

    Read-only. In the PRECHECK phase each check only records what it found
    (and prints it as a WARNING), so that one run lists every problem; the
    `Verdict` at the end of the phase then stops the migration.
    """

    relation: str  # the FROM clause
    condition: str  # true for a row that cannot follow
    key: str  # a text expression that names one row
    order: str  # the order of the rows named
    message: str  # a format() literal: %s for the count, then %s for the rows named
    hint: str  # a literal
    limit: int = 5
    template: ClassVar[str] = "diff/precheck"


@dataclass(frozen=True)
class Recheck(Precheck):
    """The same check inside the main transaction, under the table's lock: it stops the transaction at once."""

    template: ClassVar[str] = "diff/recheck"


@dataclass(frozen=True)
class Verdict:
    """The end of the PRECHECK phase: stops the migration, listing every problem the checks recorded."""

    message: str  # a literal
    hint: str  # a literal
    template: ClassVar[str] = "diff/verdict"


@dataclass(frozen=True)
class Guard:
    """Stops a run of the whole file once the main transaction has committed (diff/guard.py)."""

    condition: str  # true once it has
    message: str  # a literal
    hint: str  # a literal
    template: ClassVar[str] = "diff/applied"


@dataclass(frozen=True)
class LockTable:
    """LOCK TABLE ... IN ACCESS EXCLUSIVE MODE."""

    table: str
    template: ClassVar[str] = "diff/lock_table"


@dataclass(frozen=True)
class IfConstraint:
    """Runs `statement` only while the constraint is there (or missing), so that it can run again."""

    regclass: str  # a literal naming the table
    name: str  # a literal naming the constraint
    statement: str
    exists: bool = True
    template: ClassVar[str] = "diff/if_constraint"

    @classmethod
    def on(cls, table: ir.Name, constraint: str, statement: Any, *, exists: bool) -> IfConstraint:
        return cls(quoting.literal(table.q), quoting.literal(constraint), text(statement), exists)


@dataclass(frozen=True)
class DropInvalidIndex:
    """Drops the index only when it is INVALID: what a failed CREATE INDEX CONCURRENTLY leaves behind."""

    index: str  # the quoted, qualified name
    template: ClassVar[str] = "diff/drop_invalid_index"

    @property
    def regclass(self) -> str:
        return quoting.literal(self.index)


@dataclass(frozen=True)
class NotNullNames:
    """Renames PostgreSQL 18's NOT NULL constraints to the names a fresh database gives them (no-op before 18)."""

    regclass: str
    pairs: list[tuple[str, str]]  # (column, wanted name), literals
    template: ClassVar[str] = "diff/not_null_names"

    @classmethod
    def of(cls, table: ir.Name, wanted: dict[str, str]) -> NotNullNames:
        pairs = [(quoting.literal(col), quoting.literal(want)) for col, want in sorted(wanted.items())]
        return cls(quoting.literal(table.q), pairs)


def columns_sql(columns: tuple[ir.Column, ...]) -> str:
    return ", ".join(c.q for c in columns)
