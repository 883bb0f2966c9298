"""The view-model of the reference docs: what a page shows, every piece ready to print.

Headings, cells, links and anchors arrive here already escaped for Markdown
(markdown.py) and computed from the IR (builder.py); templates/docs/*.md.j2
only lay them out, with no logic of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import erdiagram
from . import markdown as md

NONE = ""  # an empty cell: no default, no predicate


@dataclass(frozen=True)
class MdTable:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def rule(self) -> tuple[str, ...]:
        return tuple("---" for _ in self.header)


@dataclass(frozen=True)
class CodeBlock:
    language: str
    text: str

    @property
    def fence(self) -> str:
        return md.fence(self.text)


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


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


@dataclass(frozen=True)
class TableSection:
    heading: str
    anchor: str
    comment: str
    columns: MdTable
    ddl: CodeBlock
    indexes: CodeBlock | None
    partitioning: str
    partitions: MdTable | None
    partitions_sql: CodeBlock | None
    rls: str
    rls_sql: CodeBlock | None
    triggers: str


@dataclass(frozen=True)
class EnumSection:
    heading: str
    anchor: str
    comment: str
    used_by: str
    values: MdTable
    ddl: CodeBlock


@dataclass(frozen=True)
class FunctionSection:
    heading: str
    anchor: str
    comment: str
    facts: tuple[Fact, ...]
    ddl: CodeBlock


@dataclass(frozen=True)
class ExternalSection:
    heading: str
    anchor: str
    columns: MdTable


@dataclass(frozen=True)
class ModulePage:
    path: str
    title: str
    intro: tuple[str, ...]
    diagram: erdiagram.Diagram
    tables: tuple[TableSection, ...]
    enums: tuple[EnumSection, ...]
    functions: tuple[FunctionSection, ...]
    triggers: MdTable
    triggers_sql: CodeBlock | None
    grants: CodeBlock | None
    primary_keys: MdTable
    unique: MdTable
    checks: MdTable
    foreign_keys: MdTable
    indexes: MdTable
    rls: MdTable
    rls_total: str
    external_tables: tuple[ExternalSection, ...]
    findings: MdTable | None  # None: lint was not run, so the section is left out


@dataclass(frozen=True)
class IndexModule:
    heading: str
    description: str
    tables: MdTable


@dataclass(frozen=True)
class IndexPage:
    title: str
    intro: str
    modules: tuple[IndexModule, ...]
    migrations_anchor: str
    migrations: MdTable  # every migration of the chain, oldest first, with its down file
