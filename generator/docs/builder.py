"""IR -> the docs view-model: one page per spec module, and the index page.

The pages' structure (headings, sentences, table headers) is in
templates/docs/; what fills it is computed here from the IR. Every cell too: the facts a column's Notes give are
derived from the schema (keys, foreign keys with their ON DELETE, checks that
read it, triggers that set it), never copied from prose. The SQL blocks are the
statements that create the whole schema from scratch (sql/from_scratch.py, as `schemagen
sql` prints them), grouped by the object they make: the schema after the newest
migration, whose files the pages link to.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .. import ir
from ..ir import Name
from ..pg import sqlparse
from ..sql import clauses, from_scratch, views
from . import erdiagram
from . import markdown as md
from .links import Links, Migrations, SchemaIndex, page_path, table_anchor
from .viewmodel import (
    NONE,
    CodeBlock,
    ColumnRow,
    ConstraintRow,
    DocFinding,
    EnumSection,
    EnumValueRow,
    ExternalColumnRow,
    ExternalSection,
    FindingRow,
    ForeignKeyRow,
    FunctionSection,
    IndexModule,
    IndexPage,
    IndexRow,
    MigrationRow,
    ModulePage,
    Partitioning,
    PartitionRow,
    SecurityRow,
    TableRow,
    TableSection,
    TriggerRow,
)


def yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def count(n: int, one: str, many: str) -> str:
    """`1 policy`, `4 policies`."""
    return f"{n} {one if n == 1 else many}"


def code_or_none(text: str | None) -> str:
    return NONE if text is None else md.code(text)


def block(language: str, texts: Sequence[str], separator: str = "\n\n") -> CodeBlock | None:
    return CodeBlock(language, separator.join(texts)) if texts else None


def columns_list(columns: Iterable[str]) -> str:
    return ", ".join(columns)


def key_fact(columns: Sequence[str], one: str, several: str) -> str:
    """What a key says of its columns: `one` (`Primary key`) on its only column, `Part of <several> (a, b)`
    on each of several."""
    return one if len(columns) == 1 else f"Part of {several} ({md.inline(columns_list(columns))})"


def _owner(stmt: from_scratch.Statement) -> tuple[str, Any]:
    """Which section of which page shows a migration statement."""
    obj = stmt.obj
    if isinstance(obj, (views.PartitionOf, views.ForeignKey)):
        return ("partition" if stmt.template == "partition" else "table", obj.table.name)
    if isinstance(obj, (ir.Index, ir.Policy, ir.Trigger)):
        return ({"index": "index", "policy": "rls", "trigger": "trigger"}[stmt.template], obj.table)
    if isinstance(obj, ir.Grant):
        return ("grant", obj.module)
    return (stmt.template.removesuffix("_unchecked"), obj.name)  # table, rls, enum, function (function_unchecked too)


def statements_by_owner(schema: ir.Schema) -> dict[tuple[str, Any], list[str]]:
    groups: dict[tuple[str, Any], list[str]] = {}
    for stmt, text in from_scratch.rendered_statements(schema):
        groups.setdefault(_owner(stmt), []).append(text)
    return groups


class _ColumnNotes:
    """The facts a table's structure gives about each of its columns, for the Notes cell."""

    def __init__(self, table: ir.Table, links: Links):
        self.table = table
        self.links = links
        self.facts: dict[str, list[str]] = {c.name: [] for c in table.columns}
        for con in table.constraints:
            for col, fact in self._constraint_facts(con):
                self.facts[col].append(fact)
        for ix in table.indexes:
            cols = [e.column for e in ix.elements]
            if ix.unique and len(cols) == 1 and cols[0] is not None:
                where = NONE if ix.where is None else f" where {md.code(ix.where)}"
                self.facts[cols[0]].append(f"Unique{where} (index {md.inline(ix.name.name)})")
        for col in table.partition_key:
            self.facts[col].append(f"Partition key ({md.inline(table.partition_by or '')})")

    def _constraint_facts(self, con: ir.Constraint) -> list[tuple[str, str]]:
        if con.kind == "check":
            assert con.check is not None
            fact = f"Checked by {self.links.constraint(self.table.name, con.name)}"
            return [(col, fact) for col in check_columns(self.table, con.check)]
        if con.kind == "foreign_key":
            assert con.ref_table is not None
            target = f"{self.links.table(con.ref_table)} ({md.inline(columns_list(con.ref_columns))})"
            fact = f"{key_fact(con.columns, 'Foreign key', 'foreign key')} → {target}, {on_action(con)}"
        elif con.kind == "primary_key":
            fact = key_fact(con.columns, "Primary key", "primary key")
        else:
            fact = key_fact(con.columns, "Unique", "unique key")
        return [(col, fact) for col in con.columns]

    def cell(self, column: ir.Column) -> tuple[str, ...]:
        notes = list(self.facts[column.name])
        if column.identity:
            notes.append(f"Identity (GENERATED {column.identity.upper()})")
        if column.set_by:
            label = "Set by trigger" if len(column.set_by) == 1 else "Set by triggers"
            notes.append(f"{label} {', '.join(self.links.trigger(self.table.name, t) for t in column.set_by)}")
        if column.comment:
            notes.append(md.inline(column.comment))
        return tuple(notes)


def on_action(con: ir.Constraint) -> str:
    """The ON DELETE (and, when given, ON UPDATE) action; PostgreSQL's default is NO ACTION."""
    text = f"ON DELETE {(con.on_delete or 'no action').upper()}"
    if con.on_update:
        text += f", ON UPDATE {con.on_update.upper()}"
    return text


def check_columns(table: ir.Table, check: str) -> list[str]:
    """Columns of `table` a CHECK expression reads, in table order (pglast, never a regex)."""
    refs = {r[-1] for r, _offset in sqlparse.expression_column_refs(check) if len(r) == 1 or r[-2] == table.name.name}
    return [c.name for c in table.columns if c.name in refs]


class PageBuilder:
    """Builds the page of one module."""

    def __init__(
        self,
        schema: ir.Schema,
        index: SchemaIndex,
        module: ir.Module,
        sql: Mapping[tuple[str, Any], list[str]],
        migrations: Migrations,
    ):
        self.schema = schema
        self.index = index
        self.module = module
        self.sql = sql
        self.migrations = migrations
        self.links = Links(index, module.name)
        self.tables = index.tables.get(module.name, [])
        self.triggers = index.triggers.get(module.name, [])
        self.triggers_of: dict[
            Name, list[ir.Trigger]
        ] = {}  # by table: a scan per table would be quadratic in a large module
        for trg in self.triggers:
            self.triggers_of.setdefault(trg.table, []).append(trg)

    def build(self, findings: Sequence[DocFinding] | None) -> ModulePage:
        return ModulePage(
            path=page_path(self.module.name),
            module=md.inline(self.module.name),
            description=md.paragraph(self.module.description) if self.module.description else NONE,
            newest=self.migrations.link(self.migrations.newest),
            spec_file=md.code(self.module.file),
            diagram=erdiagram.diagram([*self.tables, *self.referenced_tables()]),
            tables=tuple(self.table_section(t) for t in self.tables),
            enums=tuple(self.enum_section(e) for e in self.index.enums.get(self.module.name, [])),
            functions=tuple(self.function_section(f) for f in self.index.functions.get(self.module.name, [])),
            triggers=tuple(self.trigger_row(trg) for trg in self.triggers),
            triggers_sql=block("sql", [text for t in self.tables for text in self.sql.get(("trigger", t.name), [])]),
            grants=block("sql", self.sql.get(("grant", self.module.name), []), "\n"),
            primary_keys=self.constraint_rows("primary_key", lambda c: md.inline(columns_list(c.columns))),
            unique=self.constraint_rows("unique", lambda c: md.inline(columns_list(c.columns))),
            checks=self.constraint_rows("check", lambda c: md.code(c.check or "")),
            foreign_keys=tuple(
                self.foreign_key_row(t, c) for t in self.tables for c in t.constraints if c.kind == "foreign_key"
            ),
            indexes=tuple(self.index_row(t, ix) for t in self.tables for ix in t.indexes),
            security=tuple(
                SecurityRow(
                    self.links.table(t.name),
                    "Enabled" if t.row_level_security else "Disabled",
                    yes_no(t.force_row_level_security),
                    str(len(t.policies)),
                )
                for t in self.tables
            ),
            secured=sum(1 for t in self.tables if t.row_level_security),
            all_policies=count(sum(len(t.policies) for t in self.tables), "policy", "policies"),
            external_tables=tuple(self.external_section(t) for t in self.referenced_externals()),
            findings=None
            if findings is None
            else tuple(
                FindingRow(md.inline(f.level), md.inline(f.code), md.inline(f.where), md.inline(f.message))
                for f in findings
            ),
        )

    # -- referenced tables: externals get a section here, other modules' tables a link --
    def referenced_tables(self) -> list[ir.Table | ir.ExternalTable]:
        """Tables outside this module that its tables reference, transitively through external tables."""
        own = {t.name for t in self.tables}
        by_name = self.index.relations
        seen: dict[Name, ir.Table | ir.ExternalTable] = {}
        todo = [fk.ref_table for t in self.tables for fk in t.foreign_keys]
        while todo:
            name = todo.pop(0)
            if name is None or name in own or name in seen:
                continue
            seen[name] = by_name[name]
            if isinstance(seen[name], ir.ExternalTable):
                todo.extend(fk.ref_table for fk in seen[name].foreign_keys)
        return list(seen.values())

    def referenced_externals(self) -> list[ir.ExternalTable]:
        return [t for t in self.referenced_tables() if isinstance(t, ir.ExternalTable)]

    def external_section(self, t: ir.ExternalTable) -> ExternalSection:
        keys: dict[str, list[str]] = {c.name: [] for c in t.columns}
        for col in t.primary_key:
            keys[col].append(key_fact(t.primary_key, "Primary key", "primary key"))
        for cols in t.unique:
            for col in cols:
                keys[col].append("Unique")
        for fk in t.foreign_keys:
            assert fk.ref_table is not None
            for col in fk.columns:
                keys[col].append(
                    f"Foreign key → {self.links.table(fk.ref_table)} ({md.inline(columns_list(fk.ref_columns))})"
                )
        return ExternalSection(
            name=md.inline(t.name.display),
            anchor=md.anchor(table_anchor(t.name)),
            columns=tuple(
                ExternalColumnRow(md.inline(c.name), self.type_cell(c), yes_no(not c.not_null), tuple(keys[c.name]))
                for c in t.columns
            ),
        )

    # -- tables -----------------------------------------------------------
    def type_cell(self, c: ir.Column) -> str:
        if c.enum is None:
            return md.inline(c.sql_type)
        return self.links.enum(c.enum, c.enum.display + "[]" * c.array_dims)

    def table_section(self, t: ir.Table) -> TableSection:
        notes = _ColumnNotes(t, self.links)
        return TableSection(
            name=md.inline(t.name.display),
            anchor=md.anchor(table_anchor(t.name)),
            comment=md.paragraph(t.comment) if t.comment else NONE,
            columns=tuple(
                ColumnRow(
                    md.inline(c.name), self.type_cell(c), yes_no(not c.not_null), code_or_none(c.default), notes.cell(c)
                )
                for c in t.columns
            ),
            ddl=CodeBlock("sql", "\n\n".join(self.sql[("table", t.name)])),
            indexes=block("sql", self.sql.get(("index", t.name), []), "\n"),
            partitioning=self.partitioning(t) if t.partition_by else None,
            row_security="enabled" if t.row_level_security else "disabled",
            forced=t.force_row_level_security,
            policies=count(len(t.policies), "policy", "policies"),
            rls_sql=block("sql", self.sql.get(("rls", t.name), [])),
            replica_identity=block("sql", self.sql.get(("replica_identity", t.name), [])),
            triggers=tuple(self.links.trigger(t.name, trg.name) for trg in self.triggers_of.get(t.name, [])),
        )

    def partitioning(self, t: ir.Table) -> Partitioning:
        return Partitioning(
            method=md.inline(t.partition_by or ""),
            key=md.inline(columns_list(t.partition_key)),
            count=count(len(t.partitions), "partition", "partitions"),
            has_default=any(p.is_default for p in t.partitions),
            rows=tuple(
                # the default partition has no bounds: DEFAULT, and no upper bound
                PartitionRow(
                    md.inline(p.name.display),
                    md.code("DEFAULT") if p.is_default else md.code(p.lower),
                    NONE if p.is_default else md.code(p.upper),
                    md.inline(p.comment or NONE),
                )
                for p in t.partitions
            ),
            sql=block("sql", self.sql.get(("partition", t.name), [])),
        )

    # The summaries put the object's own name first: a wide table scrolls, and the site keeps its first column in view.
    def named(self, kind: str, table: Name, name: str) -> str:
        """An object's name cell, with the anchor that links to it from elsewhere."""
        return md.anchor(md.anchor_id(kind, table.schema, table.name, name)) + md.inline(name)

    def constraint_rows(self, kind: str, definition: Callable[[ir.Constraint], str]) -> tuple[ConstraintRow, ...]:
        return tuple(
            ConstraintRow(
                self.named("constraint", t.name, c.name),
                self.links.table(t.name),
                definition(c),
                md.inline(c.comment or NONE),
            )
            for t in self.tables
            for c in t.constraints
            if c.kind == kind
        )

    def foreign_key_row(self, t: ir.Table, c: ir.Constraint) -> ForeignKeyRow:
        assert c.ref_table is not None
        return ForeignKeyRow(
            self.named("constraint", t.name, c.name),
            self.links.table(t.name),
            md.inline(columns_list(c.columns)),
            f"{self.links.table(c.ref_table)} ({md.inline(columns_list(c.ref_columns))})",
            (c.on_delete or "no action").upper(),
            (c.on_update or "no action").upper(),
            md.inline(c.comment or NONE),
        )

    def index_row(self, t: ir.Table, ix: ir.Index) -> IndexRow:
        cols = ", ".join(clauses.index_element(e) for e in ix.elements)
        if ix.include:
            cols += f" INCLUDE ({', '.join(ix.include)})"
        return IndexRow(
            md.inline(ix.name.name),
            self.links.table(t.name),
            md.inline(cols),
            md.inline(ix.method),
            yes_no(ix.unique),
            code_or_none(ix.where),
            md.inline(ix.comment or NONE),
        )

    # -- enums, functions, triggers ------------------------------------------
    def enum_section(self, e: ir.Enum) -> EnumSection:
        return EnumSection(
            name=md.inline(e.name.display),
            anchor=md.anchor(md.anchor_id("enum", e.name.schema, e.name.name)),
            comment=md.paragraph(e.comment) if e.comment else NONE,
            used_by=tuple(f"{self.links.table(t)}.{md.inline(c)}" for t, c in self.index.enum_users.get(e.name, [])),
            values=tuple(EnumValueRow(str(i), md.code(v)) for i, v in enumerate(e.values, 1)),
            ddl=CodeBlock("sql", "\n\n".join(self.sql[("enum", e.name)])),
        )

    def function_section(self, f: ir.Function) -> FunctionSection:
        return FunctionSection(
            name=md.inline(f.name.display),
            arg_types=md.inline(", ".join(f.arg_types)),
            anchor=md.anchor(md.anchor_id("function", f.name.schema, f.name.name)),
            comment=md.paragraph(f.comment) if f.comment else NONE,
            arguments=md.code(f.args) if f.args else NONE,
            returns=md.code(f.returns),
            language=md.inline(f.language),
            volatility=f.volatility.upper(),
            security=f.security.upper(),
            strict=f.strict,
            search_path=NONE if f.search_path is None else md.code(", ".join(f.search_path)),
            callers=tuple(
                f"{self.links.trigger(trg.table, trg.name)} on {self.links.table(trg.table)}"
                for trg in self.index.callers.get(f.name, [])
            ),
            ddl=CodeBlock("sql", "\n\n".join(self.sql[("function", f.name)])),
        )

    def trigger_row(self, trg: ir.Trigger) -> TriggerRow:
        return TriggerRow(
            self.named("trigger", trg.table, trg.name),
            self.links.table(trg.table),
            trg.timing.upper(),
            md.inline(clauses.trigger_events(trg)) + transition_tables(trg),
            trg.level.upper(),
            self.links.function(trg.function) + (f" {md.code(clauses.trigger_args(trg))}" if trg.args else ""),
            md.inline(columns_list(trg.sets)),
            code_or_none(trg.when),
            md.inline(trg.comment or NONE),
        )


def transition_tables(trg: ir.Trigger) -> str:
    """A trigger's transition tables, as the Events cell adds them."""
    parts = [
        f"{what}: {md.code(name)}" for what, name in (("old rows", trg.old_table), ("new rows", trg.new_table)) if name
    ]
    return f" ({', '.join(parts)})" if parts else ""


def module_pages(
    schema: ir.Schema, index: SchemaIndex, migrations: Migrations, findings: Sequence[DocFinding] | None = None
) -> list[ModulePage]:
    sql = statements_by_owner(schema)
    grouped = None if findings is None else ir.by_module(findings)
    return [
        PageBuilder(schema, index, m, sql, migrations).build(None if grouped is None else grouped.get(m.name, []))
        for m in schema.modules
    ]


def index_page(schema: ir.Schema, index: SchemaIndex, migrations: Migrations) -> IndexPage:
    links = Links(index, "")  # the index is no module's page: every link names its page
    return IndexPage(
        newest=migrations.link(migrations.newest),
        migration_count=count(len(migrations.chain), "migration", "migrations"),
        modules=tuple(
            IndexModule(
                md.link(m.name, page_path(m.name)),
                md.paragraph(m.description) if m.description else NONE,
                tuple(
                    TableRow(links.table(t.name), md.inline(t.comment or NONE)) for t in index.tables.get(m.name, [])
                ),
            )
            for m in schema.modules
        ),
        migrations=tuple(
            MigrationRow(migrations.link(m), NONE if m.down is None else md.link(posixpath.basename(m.down), m.down))
            for m in migrations.chain
        ),
    )
