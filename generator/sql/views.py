"""What each template of templates/sql/ reads: one view per kind of statement, over IR objects.

A view gives its template every piece ready to print: names quoted by
pg/quoting.py, clauses written by clauses.py. Templates see views, never the
IR itself, so the IR stays data; moving a sentence from clauses.py into its
template changes the view and the template, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .. import ir
from . import clauses


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
        return clauses.enum_values(self.enum)


@dataclass(frozen=True)
class TableView:
    table: ir.Table

    @property
    def name(self) -> str:
        return self.table.name.q

    @property
    def body_lines(self) -> list[str]:
        return clauses.table_body_lines(self.table)

    @property
    def partition_clause(self) -> str:
        return clauses.partition_clause(self.table)


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
    def bound(self) -> str:
        return clauses.partition_bound(self.of.partition)


@dataclass(frozen=True)
class IndexView:
    index: ir.Index

    @property
    def ddl(self) -> str:
        return clauses.create_index(self.index)


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
    def body(self) -> str:
        return clauses.constraint_body(self.of.constraint)


@dataclass(frozen=True)
class FunctionView:
    function: ir.Function

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
    def attributes(self) -> list[str]:
        return clauses.function_attributes(self.function)

    @property
    def dollar(self) -> str:
        return clauses.dollar_quote(self.function)

    @property
    def body(self) -> str:
        return self.function.body


@dataclass(frozen=True)
class TriggerView:
    trigger: ir.Trigger

    @property
    def name(self) -> str:
        return self.trigger.q

    @property
    def timing(self) -> str:
        return self.trigger.timing

    @property
    def events(self) -> str:
        return clauses.trigger_events(self.trigger)

    @property
    def table(self) -> str:
        return self.trigger.table.q

    @property
    def level(self) -> str:
        return self.trigger.level

    @property
    def when_lines(self) -> list[str]:
        return clauses.trigger_when_lines(self.trigger)

    @property
    def function(self) -> str:
        return self.trigger.function.q


@dataclass(frozen=True)
class RlsView:
    table: ir.Table

    @property
    def statements(self) -> list[str]:
        return clauses.rls_statements(self.table)


@dataclass(frozen=True)
class PolicyView:
    policy: ir.Policy

    @property
    def ddl(self) -> str:
        return clauses.create_policy(self.policy)


@dataclass(frozen=True)
class GrantView:
    grant: ir.Grant

    @property
    def ddl(self) -> str:
        return clauses.grant(self.grant)


@dataclass(frozen=True)
class Comment:
    """COMMENT ON one object (sql/comment.sql.j2; sql/comments.sql.j2 lays out several)."""

    template: ClassVar[str] = "comment"
    kind: str  # "TABLE", "COLUMN", "TYPE", "FUNCTION", ...
    target: str  # ready to print
    text: str

    @property
    def ddl(self) -> str:
        return clauses.comment(self.kind, self.target, self.text)
