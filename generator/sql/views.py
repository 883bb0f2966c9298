"""What each template of templates/sql/ reads: one view per kind of statement, over IR objects.

A view gives its template the pieces to print and nothing else: names quoted by
pg/quoting.py, literals, the spec's SQL fragments as written (each was parsed
when the spec was resolved), and choices from a closed list (`CASCADE`,
`BY DEFAULT`, `STABLE`) in the case SQL writes them. The SQL keywords are in
the templates; the clauses several statements share (a column definition, a
constraint, an index key, a partition bound, a role list, an object named by
COMMENT ON, DROP and RENAME) are macros of templates/sql/macros.sql.j2. Templates
see views, never the IR itself, so the IR stays data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from .. import ir
from ..pg import quoting
from ..templating import environment


def statement(template: str, obj: Any) -> str:
    """One statement: the macro `statement` of templates/sql/<template>.sql.j2, given its view.

    A statement template is a macro called from here rather than a template
    rendered: the macros it imports are loaded once, not at every statement
    (a migration from scratch has one statement per object).
    """
    return str(environment().get_template(f"sql/{template}.sql.j2").module.statement(obj))  # type: ignore[attr-defined]


def names(columns: tuple[str, ...]) -> list[str]:
    """Column names, quoted."""
    return [quoting.ident(c) for c in columns]


# -- clauses (the macros of sql/macros.sql.j2) -----------------------------------------


@dataclass(frozen=True)
class ColumnView:
    """A column as CREATE TABLE and ADD COLUMN define it (macro `column`)."""

    column: ir.Column
    kind: ClassVar[str] = "column"  # an item of a table's body (macro `definition`)

    @property
    def name(self) -> str:
        return self.column.q

    @property
    def type(self) -> str:
        return self.column.sql_type

    @property
    def identity(self) -> str | None:
        return self.column.identity.upper() if self.column.identity else None

    @property
    def not_null(self) -> bool:
        return self.column.not_null

    @property
    def default(self) -> str | None:
        return self.column.default

    @property
    def collation(self) -> str | None:
        return quoting.ident(self.column.collation) if self.column.collation is not None else None

    @property
    def generated(self) -> str | None:
        return self.column.generated

    @property
    def storage(self) -> str:
        """How a generated column keeps its value."""
        return "VIRTUAL" if self.column.virtual else "STORED"


@dataclass(frozen=True)
class ConstraintView:
    """A constraint after its name (macro `constraint`): CHECK, PRIMARY KEY, UNIQUE or FOREIGN KEY."""

    constraint: ir.Constraint
    named: bool = True  # CONSTRAINT <name> before it in a table's body (a stand-in's key has no name)

    @property
    def kind(self) -> str:
        return self.constraint.kind

    @property
    def name(self) -> str | None:
        return self.constraint.q if self.named else None

    @property
    def check(self) -> str | None:
        return self.constraint.check

    @property
    def deferrable(self) -> bool:
        return self.constraint.deferrable

    @property
    def nulls_not_distinct(self) -> bool:
        return self.constraint.nulls_not_distinct

    @property
    def initially_deferred(self) -> bool:
        return self.constraint.initially_deferred

    @property
    def columns(self) -> list[str]:
        return names(self.constraint.columns)

    @property
    def ref_table(self) -> str:
        assert self.constraint.ref_table is not None
        return self.constraint.ref_table.q

    @property
    def ref_columns(self) -> list[str]:
        return names(self.constraint.ref_columns)

    @property
    def on_delete(self) -> str | None:
        return self.constraint.on_delete.upper() if self.constraint.on_delete else None

    @property
    def on_update(self) -> str | None:
        return self.constraint.on_update.upper() if self.constraint.on_update else None

    @property
    def exclusion(self) -> list[ExclusionView]:
        return [ExclusionView(e) for e in self.constraint.exclusion]

    @property
    def method(self) -> str | None:
        return self.constraint.method

    @property
    def include(self) -> list[str]:
        return names(self.constraint.include)

    @property
    def where(self) -> str | None:
        return self.constraint.where


@dataclass(frozen=True)
class ExclusionView:
    """One element of an exclusion constraint: its key (macro `index_key`) and operator."""

    element: ir.ExclusionElement

    @property
    def key(self) -> IndexKeyView:
        return IndexKeyView(self.element.key)

    @property
    def operator(self) -> str:
        return self.element.operator


@dataclass(frozen=True)
class IndexKeyView:
    """One key of an index (macro `index_key`): a column, or an expression in parentheses."""

    element: ir.IndexElement

    @property
    def column(self) -> str | None:
        return quoting.ident(self.element.column) if self.element.column is not None else None

    @property
    def expression(self) -> str | None:
        return self.element.expression

    @property
    def descending(self) -> bool:
        return self.element.descending

    @property
    def nulls(self) -> str | None:
        return self.element.nulls.upper() if self.element.nulls else None

    @property
    def collation(self) -> str | None:
        return self.element.collation

    @property
    def opclass(self) -> str | None:
        return self.element.opclass

    @property
    def opclass_params(self) -> list[str]:
        return [option(name, value) for name, value in self.element.opclass_params]


@dataclass(frozen=True)
class BoundView:
    """A partition's bounds (macro `bound`, and the conditions on a partition key of the diff)."""

    partition: ir.Partition

    @property
    def is_default(self) -> bool:
        return self.partition.is_default

    @property
    def lower(self) -> str:
        return self.partition.lower

    @property
    def upper(self) -> str:
        return self.partition.upper

    @property
    def is_list(self) -> bool:
        return self.partition.is_list

    @property
    def values(self) -> list[str]:
        """A list partition's values, as SQL literals (NULL as the keyword)."""
        return list(self.partition.values)

    @property
    def non_null_values(self) -> list[str]:
        return [v for v in self.partition.values if v != "NULL"]

    @property
    def takes_null(self) -> bool:
        return "NULL" in self.partition.values

    @property
    def is_hash(self) -> bool:
        return self.partition.is_hash

    @property
    def modulus(self) -> int | None:
        return self.partition.modulus

    @property
    def remainder(self) -> int | None:
        return self.partition.remainder

    @property
    def has_lower(self) -> bool:
        """A range with a lowest value (not MINVALUE)."""
        return self.partition.lower != "MINVALUE"

    @property
    def has_upper(self) -> bool:
        return self.partition.upper != "MAXVALUE"

    @property
    def has_both(self) -> bool:
        return self.has_lower and self.has_upper

    @property
    def unbounded(self) -> bool:
        """MINVALUE to MAXVALUE: no value lies outside it."""
        return not (self.has_lower or self.has_upper)


@dataclass(frozen=True)
class RoleView:
    """A role as GRANT, REVOKE and CREATE POLICY name it (macro `roles`): `public` is the keyword PUBLIC."""

    role: str

    @property
    def public(self) -> bool:
        return self.role == "public"

    @property
    def name(self) -> str:
        return quoting.ident(self.role)


def roles(role_names: tuple[str, ...]) -> list[RoleView]:
    return [RoleView(r) for r in role_names]


@dataclass(frozen=True)
class Object:
    """An object as COMMENT ON, DROP and ALTER ... RENAME name it (macro `object`).

    `kind` is one of table, column, type, function, index, sequence,
    constraint, policy, trigger; `table` is the table a column belongs to, or
    the one a constraint, policy or trigger is ON.
    """

    kind: str
    name: str  # quoted (and qualified where the kind is); a function's signature
    table: str | None = None  # quoted and qualified
    if_exists: bool = False


# -- statements --------------------------------------------------------------------------


@dataclass(frozen=True)
class PartitionOf:
    """A partition with the table it belongs to: what a partition's statement is about."""

    table: ir.Table
    partition: ir.Partition


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key with its table: what an ALTER TABLE ... ADD CONSTRAINT is about."""

    table: ir.Table
    constraint: ir.Constraint


@dataclass(frozen=True)
class EnumView:
    enum: ir.Enum

    @property
    def name(self) -> str:
        return self.enum.name.q

    @property
    def values(self) -> list[str]:
        return [quoting.literal(v) for v in self.enum.values]


def body(columns: tuple[ir.Column, ...], constraints: tuple[ir.Constraint, ...]) -> list[ColumnView | ConstraintView]:
    """A table's body: its columns, then its constraints (macro `definition`)."""
    return [*map(ColumnView, columns), *map(ConstraintView, constraints)]


@dataclass(frozen=True)
class ReplicaIdentityView:
    """ALTER TABLE ... REPLICA IDENTITY: `setting` is DEFAULT, FULL or NOTHING, or `index` the index to use."""

    table: ir.Table

    @property
    def name(self) -> str:
        return self.table.name.q

    @property
    def setting(self) -> str:
        return self.table.replica_identity.upper()

    @property
    def index(self) -> str | None:
        return None if self.table.replica_index is None else quoting.ident(self.table.replica_index)


@dataclass(frozen=True)
class TableView:
    table: ir.Table

    @property
    def name(self) -> str:
        return self.table.name.q

    @property
    def body(self) -> list[ColumnView | ConstraintView]:
        return body(self.table.columns, self.table.created_constraints)

    @property
    def partition_by(self) -> str | None:
        return self.table.partition_by

    @property
    def partition_key(self) -> list[str]:
        return names(self.table.partition_key)


@dataclass(frozen=True)
class PartitionView:
    of: PartitionOf

    @property
    def name(self) -> str:
        return self.of.partition.name.q

    @property
    def parent(self) -> str:
        return self.of.table.name.q

    @property
    def bound(self) -> BoundView:
        return BoundView(self.of.partition)


@dataclass(frozen=True)
class IndexView:
    """CREATE INDEX; CONCURRENTLY IF NOT EXISTS on a table that holds rows, IF NOT EXISTS where it may run again."""

    index: ir.Index
    concurrently: bool = False
    if_not_exists: bool = False
    template: ClassVar[str] = "index"

    @property
    def unique(self) -> bool:
        return self.index.unique

    @property
    def name(self) -> str:
        return quoting.ident(self.index.name.name)

    @property
    def table(self) -> str:
        return self.index.table.q

    @property
    def method(self) -> str | None:
        """USING <method>, but for btree, which CREATE INDEX takes by default."""
        return None if self.index.method == "btree" else self.index.method

    @property
    def keys(self) -> list[IndexKeyView]:
        return [IndexKeyView(e) for e in self.index.elements]

    @property
    def include(self) -> list[str]:
        return names(self.index.include)

    @property
    def nulls_not_distinct(self) -> bool:
        return self.index.nulls_not_distinct

    @property
    def parameters(self) -> list[str]:
        """WITH (...): `name = value` each."""
        return [option(name, value) for name, value in self.index.parameters]

    @property
    def where(self) -> str | None:
        return self.index.where


@dataclass(frozen=True)
class ForeignKeyView:
    of: ForeignKey

    @property
    def table(self) -> str:
        return self.of.table.name.q

    @property
    def name(self) -> str:
        return self.of.constraint.q

    @property
    def constraint(self) -> ConstraintView:
        return ConstraintView(self.of.constraint)

    @property
    def not_valid(self) -> bool:
        return self.of.constraint.not_valid


def dollar_quote(body: str) -> str:
    """A dollar-quote tag that does not occur in the body."""
    tag = "$$"
    n = 0
    while tag in body:
        n += 1
        tag = f"$body{n if n > 1 else ''}$"
    return tag


@dataclass(frozen=True)
class EventTriggerView:
    """CREATE EVENT TRIGGER (funcs5): the name and function quoted, each tag a literal."""

    trigger: ir.EventTrigger

    @property
    def name(self) -> str:
        return self.trigger.q

    @property
    def event(self) -> str:
        return self.trigger.event

    @property
    def tags(self) -> list[str]:
        return [quoting.literal(t) for t in self.trigger.tags]

    @property
    def function(self) -> str:
        return self.trigger.function.q


@dataclass(frozen=True)
class AggregateView:
    """CREATE [OR REPLACE] AGGREGATE (aggs6): the support functions quoted, INITCOND a literal."""

    aggregate: ir.Aggregate
    replace: bool = False
    template: ClassVar[str] = "aggregate"

    @property
    def signature(self) -> str:
        return self.aggregate.signature

    @property
    def sfunc(self) -> str:
        return self.aggregate.sfunc.q

    @property
    def stype(self) -> str:
        return self.aggregate.stype

    @property
    def finalfunc(self) -> str | None:
        return None if self.aggregate.finalfunc is None else self.aggregate.finalfunc.q

    @property
    def combinefunc(self) -> str | None:
        return None if self.aggregate.combinefunc is None else self.aggregate.combinefunc.q

    @property
    def initcond(self) -> str | None:
        return None if self.aggregate.initcond is None else quoting.literal(self.aggregate.initcond)

    @property
    def parallel(self) -> str | None:
        """SAFE or RESTRICTED; nothing for UNSAFE, the default."""
        return None if self.aggregate.parallel == "unsafe" else self.aggregate.parallel.upper()


def _number(value: float) -> str:
    """COST and ROWS as written: 10, not 10.0."""
    return str(int(value)) if value == int(value) else repr(value)


@dataclass(frozen=True)
class FunctionView:
    function: ir.Function
    replace: ClassVar[bool] = False  # CREATE OR REPLACE

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
    def language(self) -> str:
        return self.function.language

    @property
    def volatility(self) -> str | None:
        """IMMUTABLE or STABLE; nothing for VOLATILE, the default."""
        return None if self.function.volatility == "volatile" else self.function.volatility.upper()

    @property
    def strict(self) -> bool:
        return self.function.strict

    @property
    def security_definer(self) -> bool:
        return self.function.security == "definer"

    @property
    def leakproof(self) -> bool:
        return self.function.leakproof

    @property
    def procedure(self) -> bool:
        """CREATE PROCEDURE: no RETURNS (and none of the attributes below, which are a function's)."""
        return self.function.kind == "procedure"

    @property
    def parallel(self) -> str | None:
        """SAFE or RESTRICTED; nothing for UNSAFE, the default."""
        return None if self.function.parallel == "unsafe" else self.function.parallel.upper()

    @property
    def cost(self) -> str | None:
        return None if self.function.cost is None else _number(self.function.cost)

    @property
    def rows(self) -> str | None:
        return None if self.function.rows is None else _number(self.function.rows)

    @property
    def search_path(self) -> str | None:
        """The schemas of SET search_path, quoted; '' for an empty path; None when not set."""
        if self.function.search_path is None:
            return None
        return ", ".join(quoting.ident(s) for s in self.function.search_path) or "''"

    @property
    def settings(self) -> list[tuple[str, str]]:
        """SET name = 'value' of each setting but search_path (aggs6): the name as written, the value a literal."""
        return [(name, quoting.literal(value)) for name, value in self.function.settings]

    @property
    def dollar(self) -> str:
        return dollar_quote(self.function.body)

    @property
    def body(self) -> str:
        return self.function.body


@dataclass(frozen=True)
class TriggerEvent:
    """One event of a trigger, with its `UPDATE OF` columns (quoted, or "")."""

    name: str
    columns: str


@dataclass(frozen=True)
class TriggerView:
    trigger: ir.Trigger

    @property
    def name(self) -> str:
        return self.trigger.q

    @property
    def timing(self) -> str:
        return self.trigger.timing.upper()

    @property
    def events(self) -> list[TriggerEvent]:
        of = ", ".join(quoting.ident(c) for c in self.trigger.update_of)
        return [TriggerEvent(e.upper(), of if e == "update" else "") for e in self.trigger.events]

    @property
    def old_table(self) -> str | None:
        return None if self.trigger.old_table is None else quoting.ident(self.trigger.old_table)

    @property
    def new_table(self) -> str | None:
        return None if self.trigger.new_table is None else quoting.ident(self.trigger.new_table)

    @property
    def args(self) -> str:
        """The function's arguments, each a string literal, as pg_get_triggerdef writes them."""
        return ", ".join(quoting.literal(a) for a in self.trigger.args)

    @property
    def table(self) -> str:
        return self.trigger.table.q

    @property
    def level(self) -> str:
        return self.trigger.level.upper()

    @property
    def when(self) -> str | None:
        return self.trigger.when or None

    @property
    def function(self) -> str:
        return self.trigger.function.q


@dataclass(frozen=True)
class RlsView:
    table: ir.Table

    @property
    def name(self) -> str:
        return self.table.name.q

    @property
    def enable(self) -> bool:
        return self.table.row_level_security

    @property
    def force(self) -> bool:
        return self.table.force_row_level_security


def has_rls_statement(t: ir.Table) -> bool:
    """Whether the from-scratch migration writes an rls statement for the table."""
    return t.row_level_security or t.force_row_level_security


@dataclass(frozen=True)
class PolicyView:
    policy: ir.Policy

    @property
    def name(self) -> str:
        return self.policy.q

    @property
    def table(self) -> str:
        return self.policy.table.q

    @property
    def restrictive(self) -> bool:
        return self.policy.restrictive

    @property
    def command(self) -> str:
        return self.policy.command.upper()

    @property
    def roles(self) -> list[RoleView]:
        """The roles of TO; none for PUBLIC alone, CREATE POLICY's default."""
        return [] if self.policy.roles == ("public",) else roles(self.policy.roles)

    @property
    def using(self) -> str | None:
        return self.policy.using

    @property
    def check(self) -> str | None:
        return self.policy.check


@dataclass(frozen=True)
class GrantView:
    """GRANT (and REVOKE) on a table, a function, a sequence, or all sequences of a schema (macro `grant_target`)."""

    grant: ir.Grant

    @property
    def privileges(self) -> list[str]:
        return [p.upper() for p in self.grant.privileges]

    @property
    def kind(self) -> str:
        return self.grant.kind

    @property
    def target(self) -> str:
        return self.grant.target

    @property
    def roles(self) -> list[RoleView]:
        return roles(self.grant.roles)

    @property
    def with_grant_option(self) -> bool:
        return self.grant.with_grant_option

    @property
    def columns(self) -> list[str]:
        """The columns of a column-level grant, quoted (none: the whole object)."""
        return names(self.grant.columns)


@dataclass(frozen=True)
class RevokeView(GrantView):
    """REVOKE privileges ON an object FROM roles (the grant's `roles`): what the spec takes away."""

    grant_option: ClassVar[bool] = False


@dataclass(frozen=True)
class DefaultPrivilegesView:
    """ALTER DEFAULT PRIVILEGES ... GRANT or REVOKE (privileges K5)."""

    default: ir.DefaultPrivilege

    @property
    def for_role(self) -> str | None:
        return None if self.default.for_role is None else quoting.ident(self.default.for_role)

    @property
    def schema(self) -> str | None:
        return None if self.default.schema is None else quoting.ident(self.default.schema)

    @property
    def revoke(self) -> bool:
        return self.default.revoke

    @property
    def on(self) -> str:
        return self.default.on

    @property
    def privileges(self) -> list[str]:
        return [p.upper() for p in self.default.privileges]

    @property
    def roles(self) -> list[RoleView]:
        return roles(self.default.roles)


@dataclass(frozen=True)
class Comment:
    """COMMENT ON an object: its text as a literal, or NULL when `text` is None."""

    target: Object
    text: str | None

    @property
    def literal(self) -> str | None:
        return None if self.text is None else quoting.literal(self.text)


@dataclass(frozen=True)
class Comments:
    """COMMENT ON statements (sql/comments.sql.j2): an object's comments, or the one a diff changes."""

    comments: tuple[Comment, ...]
    template: ClassVar[str] = "comments"


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")


def option(name: str, value: str) -> str:
    """`name = value` of WITH (...) or of an operator class's parameters: a number bare, other values quoted
    (PostgreSQL stores the text either way)."""
    return f"{quoting.ident(name)} = {value if _NUMBER.match(value) else quoting.literal(value)}"


@dataclass(frozen=True)
class MaintainView:
    """The first run of a table's time-partition maintenance, and its pg_cron schedule (templates/sql/maintain)."""

    table: ir.Table

    @property
    def rule(self) -> ir.TimePartitions:
        assert self.table.time_partitions is not None
        return self.table.time_partitions

    @property
    def function(self) -> str:
        return self.rule.function.q

    @property
    def table_name(self) -> str:
        return self.table.name.display

    @property
    def schedule(self) -> str | None:
        return quoting.literal(self.rule.schedule) if self.rule.schedule else None

    @property
    def job(self) -> str:
        return quoting.literal(f"schemagen maintain {self.table.name}")

    @property
    def command(self) -> str:
        return quoting.literal(f"SELECT count(*) FROM {self.function}()")
