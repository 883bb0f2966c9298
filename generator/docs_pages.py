"""IR -> the docs view-model: one page per spec module, and the index page.

Every cell is computed here from the IR: the facts a column's Notes give are
derived from the schema (keys, foreign keys with their ON DELETE, checks that
read it, triggers that set it), never copied from prose. The SQL blocks are the
statements that create the whole schema from scratch (render_sql, as `schemagen
sql` prints them), grouped by the object they make: the schema after the newest
migration, whose files the pages link to.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import erdiagram, ir, render_sql, sqlparse
from . import markdown as md
from .docs_links import (
    Links,
    Migrations,
    SchemaIndex,
    by_module,
    page_path,
    table_anchor,
)
from .docs_model import (
    NONE,
    CodeBlock,
    DocFinding,
    EnumSection,
    ExternalSection,
    Fact,
    FunctionSection,
    IndexModule,
    IndexPage,
    MdTable,
    ModulePage,
    TableSection,
)
from .ir import Name

MIGRATIONS_ANCHOR = "migrations"  # the index page's list of migration files


def yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def partition_row(p: ir.Partition) -> tuple[str, str, str, str]:
    """A partition's cells: its bounds, or DEFAULT (and no upper bound) for the default partition."""
    lower, upper = (md.code("DEFAULT"), NONE) if p.is_default else (md.code(p.lower), md.code(p.upper))
    return (md.inline(p.name.display), lower, upper, md.inline(p.comment or NONE))


def code_or_none(text: str | None) -> str:
    return NONE if text is None else md.code(text)


def block(language: str, texts: Sequence[str], separator: str = "\n\n") -> CodeBlock | None:
    return CodeBlock(language, separator.join(texts)) if texts else None


def columns_list(columns: Iterable[str]) -> str:
    return ", ".join(columns)


def _owner(stmt: render_sql.Statement) -> tuple[str, Any]:
    """Which section of which page shows a migration statement."""
    obj = stmt.obj
    if isinstance(obj, (render_sql.PartitionOf, render_sql.ForeignKey)):
        return ("partition" if stmt.template == "partition" else "table", obj.table.name)
    if isinstance(obj, (ir.Index, ir.Policy, ir.Trigger)):
        return ({"index": "index", "policy": "rls", "trigger": "trigger"}[stmt.template], obj.table)
    if isinstance(obj, ir.Grant):
        return ("grant", obj.module)
    return (stmt.template.removesuffix("_unchecked"), obj.name)  # table, rls, enum, function (function_unchecked too)


def statements_by_owner(schema: ir.Schema) -> dict[tuple[str, Any], list[str]]:
    groups: dict[tuple[str, Any], list[str]] = {}
    for stmt, text in render_sql.rendered_statements(schema):
        groups.setdefault(_owner(stmt), []).append(text)
    return groups


class _ColumnNotes:
    """The facts a table's structure gives about each of its columns, for the Notes cell."""

    def __init__(self, table: ir.Table, links: Links):
        self.table = table
        self.links = links
        self.facts: dict[str, list[str]] = {c.name: [] for c in table.columns}
        add = {"primary_key": self._primary_key, "unique": self._unique, "foreign_key": self._foreign_key, "check": self._check}
        for con in table.constraints:
            add[con.kind](con)
        for ix in table.indexes:
            cols = [e.column for e in ix.elements]
            if ix.unique and len(cols) == 1 and cols[0] is not None:
                where = NONE if ix.where is None else f" where {md.code(ix.where)}"
                self.facts[cols[0]].append(f"Unique{where} (index {md.inline(ix.name.name)})")
        for col in table.partition_key:
            self.facts[col].append(f"Partition key ({md.inline(table.partition_by or '')})")

    def _primary_key(self, con: ir.Constraint) -> None:
        fact = "Primary key" if len(con.columns) == 1 else f"Part of primary key ({md.inline(columns_list(con.columns))})"
        for col in con.columns:
            self.facts[col].append(fact)

    def _unique(self, con: ir.Constraint) -> None:
        fact = "Unique" if len(con.columns) == 1 else f"Part of unique key ({md.inline(columns_list(con.columns))})"
        for col in con.columns:
            self.facts[col].append(fact)

    def _foreign_key(self, con: ir.Constraint) -> None:
        assert con.ref_table is not None
        head = "Foreign key" if len(con.columns) == 1 else f"Part of foreign key ({md.inline(columns_list(con.columns))})"
        fact = f"{head} → {self.links.table(con.ref_table)} ({md.inline(columns_list(con.ref_columns))}), {on_action(con)}"
        for col in con.columns:
            self.facts[col].append(fact)

    def _check(self, con: ir.Constraint) -> None:
        assert con.check is not None
        for col in check_columns(self.table, con.check):
            self.facts[col].append(f"Checked by {self.links.constraint(self.table.name, con.name)}")

    def cell(self, column: ir.Column) -> str:
        notes = list(self.facts[column.name])
        if column.identity:
            notes.append(f"Identity (GENERATED {column.identity.upper()})")
        if column.set_by:
            label = "Set by trigger" if len(column.set_by) == 1 else "Set by triggers"
            notes.append(f"{label} {', '.join(self.links.trigger(self.table.name, t) for t in column.set_by)}")
        if column.comment:
            notes.append(md.inline(column.comment))
        return "<br>".join(notes)


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

    def __init__(self, schema: ir.Schema, index: SchemaIndex, module: ir.Module, sql: Mapping[tuple[str, Any], list[str]], migrations: Migrations):
        self.schema = schema
        self.index = index
        self.module = module
        self.sql = sql
        self.migrations = migrations
        self.links = Links(index, module.name)
        self.tables = index.tables.get(module.name, [])
        self.triggers = index.triggers.get(module.name, [])
        self.triggers_of: dict[Name, list[ir.Trigger]] = {}  # by table: a scan per table would be quadratic in a large module
        for trg in self.triggers:
            self.triggers_of.setdefault(trg.table, []).append(trg)

    def build(self, findings: Sequence[DocFinding] | None) -> ModulePage:
        rls_tables = [t for t in self.tables if t.row_level_security]
        n_policies = sum(len(t.policies) for t in self.tables)
        return ModulePage(
            path=page_path(self.module.name),
            title=f"Module {md.inline(self.module.name)}",
            intro=self.intro(),
            diagram=erdiagram.diagram([*self.tables, *self.referenced_tables()]),
            tables=tuple(self.table_section(t) for t in self.tables),
            enums=tuple(self.enum_section(e) for e in self.index.enums.get(self.module.name, [])),
            functions=tuple(self.function_section(f) for f in self.index.functions.get(self.module.name, [])),
            triggers=self.trigger_table(),
            triggers_sql=block("sql", [text for t in self.tables for text in self.sql.get(("trigger", t.name), [])]),
            grants=block("sql", self.sql.get(("grant", self.module.name), []), "\n"),
            primary_keys=self.constraint_table("primary_key", ("Constraint", "Table", "Columns", "Notes"), lambda c: (md.inline(columns_list(c.columns)),)),
            unique=self.constraint_table("unique", ("Constraint", "Table", "Columns", "Notes"), lambda c: (md.inline(columns_list(c.columns)),)),
            checks=self.constraint_table("check", ("Constraint", "Table", "Expression", "Notes"), lambda c: (md.code(c.check or ""),)),
            foreign_keys=self.constraint_table("foreign_key", ("Constraint", "Table", "Columns", "References", "On delete", "On update", "Notes"), self.fk_cells),
            indexes=self.index_table(),
            rls=MdTable(
                ("Table", "Row level security", "Forced", "Policies"),
                tuple((self.links.table(t.name), "Enabled" if t.row_level_security else "Disabled", yes_no(t.force_row_level_security), str(len(t.policies))) for t in self.tables),
            ),
            rls_total=f"Row level security is enabled on {len(rls_tables)} of {len(self.tables)} tables; {n_policies} {'policy' if n_policies == 1 else 'policies'} in all.",
            external_tables=tuple(self.external_section(t) for t in self.referenced_externals()),
            findings=None if findings is None else self.finding_table(findings),
        )

    def intro(self) -> tuple[str, ...]:
        paragraphs = [md.paragraph(self.module.description)] if self.module.description else []
        paragraphs.append(
            f"This page shows the schema after migration {self.migrations.link(self.migrations.newest)}, the newest. "
            f"Its SQL creates that schema from scratch, as {md.code('schemagen sql')} gives it to a new database; "
            f"a database in use gets there through the [migrations](index.md#{MIGRATIONS_ANCHOR}), applied in order."
        )
        paragraphs.append(f"Generated by schemagen from {md.code(self.module.file)}: edit the spec and run {md.code('schemagen build')}, not this page.")
        return tuple(paragraphs)

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
            keys[col].append("Primary key" if len(t.primary_key) == 1 else f"Part of primary key ({md.inline(columns_list(t.primary_key))})")
        for cols in t.unique:
            for col in cols:
                keys[col].append("Unique")
        for fk in t.foreign_keys:
            assert fk.ref_table is not None
            for col in fk.columns:
                keys[col].append(f"Foreign key → {self.links.table(fk.ref_table)} ({md.inline(columns_list(fk.ref_columns))})")
        rows = tuple((md.inline(c.name), self.type_cell(c), yes_no(not c.not_null), "<br>".join(keys[c.name])) for c in t.columns)
        return ExternalSection(
            heading=f"External table {md.inline(t.name.display)}",
            anchor=md.anchor(table_anchor(t.name)),
            columns=MdTable(("Column", "Type", "Nullable", "Notes"), rows),
        )

    # -- tables -----------------------------------------------------------
    def type_cell(self, c: ir.Column) -> str:
        if c.enum is None:
            return md.inline(c.sql_type)
        return self.links.enum(c.enum, c.enum.display + "[]" * c.array_dims)

    def table_section(self, t: ir.Table) -> TableSection:
        notes = _ColumnNotes(t, self.links)
        rows = tuple((md.inline(c.name), self.type_cell(c), yes_no(not c.not_null), code_or_none(c.default), notes.cell(c)) for c in t.columns)
        partitions = None
        partitioning = NONE
        if t.partition_by:
            n = len(t.partitions)
            partitioning = f"Partitioned by {md.inline(t.partition_by)} ({md.inline(columns_list(t.partition_key))}); {n} partition{'' if n == 1 else 's'}."
            if any(p.is_default for p in t.partitions):
                partitioning += " A row outside every range goes to the DEFAULT partition."
            partitions = MdTable(("Partition", "From", "To", "Notes"), tuple(partition_row(p) for p in t.partitions))
        n_pol = len(t.policies)
        rls = f"Row level security {'enabled' if t.row_level_security else 'disabled'}{' and forced' if t.force_row_level_security else ''}; {n_pol} polic{'y' if n_pol == 1 else 'ies'}."
        own_triggers = self.triggers_of.get(t.name, [])
        return TableSection(
            heading=f"Table {md.inline(t.name.display)}",
            anchor=md.anchor(table_anchor(t.name)),
            comment=md.paragraph(t.comment) if t.comment else NONE,
            columns=MdTable(("Column", "Type", "Nullable", "Default", "Notes"), rows),
            ddl=CodeBlock("sql", "\n\n".join(self.sql[("table", t.name)])),
            indexes=block("sql", self.sql.get(("index", t.name), []), "\n"),
            partitioning=partitioning,
            partitions=partitions,
            partitions_sql=block("sql", self.sql.get(("partition", t.name), [])),
            rls=rls,
            rls_sql=block("sql", self.sql.get(("rls", t.name), [])),
            triggers=", ".join(self.links.trigger(t.name, trg.name) for trg in own_triggers),
        )

    # The summaries put the object's own name first: a wide table scrolls, and the site keeps its first column in view.
    def constraint_table(self, kind: str, header: tuple[str, ...], cells: Any) -> MdTable:
        rows = []
        for t in self.tables:
            for c in t.constraints:
                if c.kind == kind:
                    name = md.anchor(md.anchor_id("constraint", t.name.schema, t.name.name, c.name)) + md.inline(c.name)
                    rows.append((name, self.links.table(t.name), *cells(c), md.inline(c.comment or NONE)))
        return MdTable(header, tuple(rows))

    def fk_cells(self, c: ir.Constraint) -> tuple[str, ...]:
        assert c.ref_table is not None
        target = f"{self.links.table(c.ref_table)} ({md.inline(columns_list(c.ref_columns))})"
        return (md.inline(columns_list(c.columns)), target, (c.on_delete or "no action").upper(), (c.on_update or "no action").upper())

    def index_table(self) -> MdTable:
        rows = []
        for t in self.tables:
            for ix in t.indexes:
                cols = ", ".join(e.sql for e in ix.elements)
                if ix.include:
                    cols += f" INCLUDE ({', '.join(ix.include)})"
                rows.append((md.inline(ix.name.name), self.links.table(t.name), md.inline(cols), md.inline(ix.method), yes_no(ix.unique), code_or_none(ix.where), md.inline(ix.comment or NONE)))
        return MdTable(("Index", "Table", "Columns", "Method", "Unique", "Partial predicate", "Notes"), tuple(rows))

    # -- enums, functions, triggers ------------------------------------------
    def enum_section(self, e: ir.Enum) -> EnumSection:
        return EnumSection(
            heading=f"Enum {md.inline(e.name.display)}",
            anchor=md.anchor(md.anchor_id("enum", e.name.schema, e.name.name)),
            comment=md.paragraph(e.comment) if e.comment else NONE,
            used_by=", ".join(f"{self.links.table(t)}.{md.inline(c)}" for t, c in self.index.enum_users.get(e.name, [])),
            values=MdTable(("Position", "Value"), tuple((str(i), md.code(v)) for i, v in enumerate(e.values, 1))),
            ddl=CodeBlock("sql", "\n\n".join(self.sql[("enum", e.name)])),
        )

    def function_section(self, f: ir.Function) -> FunctionSection:
        facts = [Fact("Returns", md.code(f.returns)), Fact("Language", md.inline(f.language)), Fact("Volatility", f.volatility.upper()), Fact("Security", f"SECURITY {f.security.upper()}")]
        if f.args:
            facts.insert(0, Fact("Arguments", md.code(f.args)))
        if f.strict:
            facts.append(Fact("Strict", "Yes: returns NULL on NULL input"))
        if f.search_path is not None:
            facts.append(Fact("search_path", md.code(", ".join(f.search_path))))
        callers = [f"{self.links.trigger(trg.table, trg.name)} on {self.links.table(trg.table)}" for trg in self.index.callers.get(f.name, [])]
        if callers:
            facts.append(Fact("Called by", ", ".join(callers)))
        return FunctionSection(
            heading=f"Function {md.inline(f.name.display)}({md.inline(', '.join(f.arg_types))})",
            anchor=md.anchor(md.anchor_id("function", f.name.schema, f.name.name)),
            comment=md.paragraph(f.comment) if f.comment else NONE,
            facts=tuple(facts),
            ddl=CodeBlock("sql", "\n\n".join(self.sql[("function", f.name)])),
        )

    def trigger_table(self) -> MdTable:
        rows = []
        for trg in self.triggers:
            name = md.anchor(md.anchor_id("trigger", trg.table.schema, trg.table.name, trg.name)) + md.inline(trg.name)
            rows.append(
                (
                    name,
                    self.links.table(trg.table),
                    trg.timing.upper(),
                    trg.events_sql,
                    trg.level.upper(),
                    self.links.function(trg.function),
                    md.inline(columns_list(trg.sets)),
                    code_or_none(trg.when),
                    md.inline(trg.comment or NONE),
                )
            )
        return MdTable(("Trigger", "Table", "Timing", "Events", "For each", "Function", "Sets", "When", "Notes"), tuple(rows))

    def finding_table(self, findings: Sequence[DocFinding]) -> MdTable:
        rows = tuple((md.inline(f.level), md.inline(f.code), md.inline(f.where), md.inline(f.message)) for f in findings)
        return MdTable(("Level", "Code", "Where", "Message"), rows)


def module_pages(schema: ir.Schema, index: SchemaIndex, migrations: Migrations, findings: Sequence[DocFinding] | None = None) -> list[ModulePage]:
    sql = statements_by_owner(schema)
    grouped = None if findings is None else by_module(findings)
    return [PageBuilder(schema, index, m, sql, migrations).build(None if grouped is None else grouped.get(m.name, [])) for m in schema.modules]


def index_page(schema: ir.Schema, index: SchemaIndex, migrations: Migrations) -> IndexPage:
    links = Links(index, "")  # the index is no module's page: every link names its page
    modules = []
    for m in schema.modules:
        rows = tuple((links.table(t.name), md.inline(t.comment or NONE)) for t in index.tables.get(m.name, []))
        modules.append(IndexModule(md.link(m.name, page_path(m.name)), md.paragraph(m.description) if m.description else NONE, MdTable(("Table", "Description"), rows)))
    n = len(migrations.chain)
    return IndexPage(
        title="Schema reference",
        intro=(
            f"The schema after migration {migrations.link(migrations.newest)}, the newest of the "
            f"[{n} migration{'' if n == 1 else 's'}](#{MIGRATIONS_ANCHOR}), generated by schemagen from the spec. One page per spec module:"
        ),
        modules=tuple(modules),
        migrations_anchor=md.anchor(MIGRATIONS_ANCHOR),
        migrations=MdTable(
            ("Migration", "Undone by"),
            tuple((migrations.link(m), NONE if m.down is None else md.link(posixpath.basename(m.down), m.down)) for m in migrations.chain),
        ),
    )
