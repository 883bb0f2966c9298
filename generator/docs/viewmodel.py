"""The view-model of the reference docs: what a page shows, every piece ready to print.

The templates (templates/docs/*.md.j2) hold the page: headings, sentences,
table headers, lists. What fills them arrives here already escaped for Markdown
(markdown.py) and computed from the IR (builder.py): names, cells, links,
anchors, and words that depend on a count ("4 policies"). A table of the page is
a tuple of rows, one named tuple per kind of row, so that the template names
each cell under its header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from . import erdiagram
from . import markdown as md

NONE = ""  # an empty cell: no default, no predicate


@dataclass(frozen=True)
class CodeBlock:
    language: str
    text: str

    @property
    def fence(self) -> str:
        return md.fence(self.text)


@dataclass(frozen=True)
class DocFinding:
    """A `schemagen lint` finding as a page shows it: the seam between lint and docs.

    Only findings that do not depend on today's date belong here: a page must
    stay byte-identical from one day to the next, or `build --check` fails.
    """

    module: str
    level: str
    code: str
    where: str  # the object or `file:line:col`
    message: str


# -- rows of the pages' tables, named after their headers --------------------


class ColumnRow(NamedTuple):
    name: str
    type: str
    nullable: str  # Yes | No
    default: str
    notes: tuple[str, ...]  # one fact a line


class PartitionRow(NamedTuple):
    name: str
    lower: str
    upper: str
    notes: str


class EnumValueRow(NamedTuple):
    position: str
    value: str


class ConstraintRow(NamedTuple):
    name: str  # with its anchor
    table: str
    definition: str  # the columns of a key, the expression of a check
    notes: str


class ForeignKeyRow(NamedTuple):
    name: str
    table: str
    columns: str
    references: str
    on_delete: str
    on_update: str
    notes: str


class IndexRow(NamedTuple):
    name: str
    table: str
    columns: str
    method: str
    unique: str
    predicate: str
    notes: str


class TriggerRow(NamedTuple):
    name: str
    table: str
    timing: str
    events: str
    level: str
    function: str
    sets: str
    when: str
    notes: str


class SecurityRow(NamedTuple):
    table: str
    state: str  # Enabled | Disabled
    forced: str
    policies: str


class FindingRow(NamedTuple):
    level: str
    code: str
    where: str
    message: str


class ExternalColumnRow(NamedTuple):
    name: str
    type: str
    nullable: str
    notes: tuple[str, ...]


class TableRow(NamedTuple):
    """A table of a module, on the index page."""

    table: str
    description: str


class MigrationRow(NamedTuple):
    migration: str
    down: str


# -- sections -----------------------------------------------------------------


@dataclass(frozen=True)
class Partitioning:
    method: str  # RANGE, LIST, HASH
    key: str
    count: str  # "12 partitions"
    has_default: bool
    rows: tuple[PartitionRow, ...]
    sql: CodeBlock | None  # None: no partition yet
    rule: str = ""  # a declared time partitioning, in words ("" for none)
    kind: str = "RANGE"  # K3: LIST rows hold the values in `lower`; HASH rows the modulus and remainder


@dataclass(frozen=True)
class TableSection:
    name: str
    anchor: str
    comment: str
    columns: tuple[ColumnRow, ...]
    ddl: CodeBlock
    indexes: CodeBlock | None
    partitioning: Partitioning | None
    row_security: str  # enabled | disabled
    forced: bool
    policies: str  # "4 policies"
    rls_sql: CodeBlock | None
    replica_identity: CodeBlock | None  # ALTER TABLE ... REPLICA IDENTITY, when not the default
    triggers: tuple[str, ...]  # links
    seed: str | None = None  # how its seed rows are written (ON CONFLICT), when it has some
    seed_sql: CodeBlock | None = None
    access: str = ""  # privileges K5: who may do what (grants, column grants, revokes)
    publications: tuple[str, ...] = ()  # links to the publications that carry it


@dataclass(frozen=True)
class EnumSection:
    name: str
    anchor: str
    comment: str
    used_by: tuple[str, ...]  # links to table.column
    values: tuple[EnumValueRow, ...]
    ddl: CodeBlock


class PublicationRow(NamedTuple):
    name: str
    anchor: str
    tables: str  # links, "every table", or what is added to one made elsewhere
    publish: str
    comment: str


class ExtensionRow(NamedTuple):
    name: str
    anchor: str
    schema: str
    brings: str  # its types, operator classes and index methods that pg/extensions.py knows
    comment: str = ""  # the spec's (COMMENT ON EXTENSION)


class SequenceRow(NamedTuple):
    name: str
    anchor: str
    data_type: str
    start: str
    increment: str
    bounds: str  # "1 .. 2147483647"
    cache: str
    cycle: str  # Yes | No
    owned_by: str  # a link to table.column, or —
    comment: str


@dataclass(frozen=True)
class FunctionSection:
    name: str
    arg_types: str
    anchor: str
    comment: str
    arguments: str  # "" when it takes none
    returns: str
    language: str
    volatility: str
    security: str
    strict: bool
    search_path: str  # "" when not set
    callers: tuple[str, ...]  # triggers that call it, with their tables
    ddl: CodeBlock
    access: str = ""  # privileges K5: who may call it (grants, revokes, PostgreSQL's default)
    procedure: bool = False  # funcs5: a procedure (CALL), no result nor volatility


@dataclass(frozen=True)
class ExternalSection:
    name: str
    anchor: str
    columns: tuple[ExternalColumnRow, ...]
    policies_sql: CodeBlock | None = None  # the spec's policies on it
    seed: str | None = None  # its seed rows, when the spec gives some
    seed_sql: CodeBlock | None = None
    indexes_sql: CodeBlock | None = None  # the spec's indexes on it (funcs5)


@dataclass(frozen=True)
class SchemaSection:
    """A schema the module creates (`schemas:`)."""

    name: str
    anchor: str
    comment: str
    holds: str  # "2 tables, 1 function" or "nothing yet"
    ddl: CodeBlock


@dataclass(frozen=True)
class TypeSection:
    """A domain, composite type or range type of the module (types5)."""

    kind: str  # "Domain" | "Composite type" | "Range type"
    name: str
    anchor: str
    comment: str
    facts: tuple[tuple[str, str], ...]  # (what, its value): base type, NOT NULL, a CHECK, an attribute, the subtype
    used_by: tuple[str, ...]  # links to table.column
    ddl: CodeBlock


@dataclass(frozen=True)
class ViewColumnRow:
    name: str
    type: str
    comment: str


@dataclass(frozen=True)
class ViewSection:
    """A view or materialized view of the module."""

    kind: str  # "View" | "Materialized view"
    name: str
    anchor: str
    comment: str
    facts: tuple[str, ...]  # what it reads, how it runs
    columns: tuple[ViewColumnRow, ...]
    ddl: CodeBlock


@dataclass(frozen=True)
class ModulePage:
    path: str
    module: str
    description: str
    newest: str  # a link to the newest migration
    spec_file: str
    diagram: erdiagram.Diagram
    tables: tuple[TableSection, ...]
    enums: tuple[EnumSection, ...]
    functions: tuple[FunctionSection, ...]
    triggers: tuple[TriggerRow, ...]
    triggers_sql: CodeBlock | None
    grants: CodeBlock | None
    primary_keys: tuple[ConstraintRow, ...]
    unique: tuple[ConstraintRow, ...]
    checks: tuple[ConstraintRow, ...]
    foreign_keys: tuple[ForeignKeyRow, ...]
    indexes: tuple[IndexRow, ...]
    security: tuple[SecurityRow, ...]
    secured: int  # tables with row level security enabled
    all_policies: str  # "12 policies"
    external_tables: tuple[ExternalSection, ...]
    findings: tuple[FindingRow, ...] | None  # None: lint was not run, so the section is left out
    schemas: tuple[SchemaSection, ...] = ()  # the schemas it creates; no section when none
    views: tuple[ViewSection, ...] = ()  # its views and materialized views; no section when none
    sequences: tuple[SequenceRow, ...] = ()  # the section is left out when the module has none
    sequences_sql: CodeBlock | None = None
    extensions: tuple[ExtensionRow, ...] = ()  # the section is left out when the module has none
    extensions_sql: CodeBlock | None = None
    types: tuple[TypeSection, ...] = ()  # types5: domains, composite and range types; no section when none
    exclusions: tuple[ConstraintRow, ...] = ()  # K3 exclusion constraints; the section is left out when none
    publications: tuple[PublicationRow, ...] = ()  # the section is left out when the module has none
    publications_sql: CodeBlock | None = None
    event_triggers_sql: CodeBlock | None = None  # funcs5: the section is left out when the module has none
    aggregates_sql: CodeBlock | None = None  # aggs6: the section is left out when the module has none

    @property
    def linted(self) -> bool:
        return self.findings is not None


@dataclass(frozen=True)
class IndexModule:
    link: str
    description: str
    tables: tuple[TableRow, ...]


@dataclass(frozen=True)
class IndexPage:
    newest: str
    migration_count: str  # "2 migrations"
    modules: tuple[IndexModule, ...]
    migrations: tuple[MigrationRow, ...]  # every migration of the chain, oldest first, with its down file
