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
from ..pg import extensions, sqlparse
from ..sql import clauses, from_scratch, views
from . import erdiagram, usertypes
from . import markdown as md
from .links import Links, Migrations, SchemaIndex, function_anchor, page_path, table_anchor
from .viewmodel import (
    NONE,
    CodeBlock,
    ColumnRow,
    ConstraintRow,
    DocFinding,
    EnumSection,
    EnumValueRow,
    ExtensionRow,
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
    PublicationRow,
    SchemaSection,
    SecurityRow,
    SequenceRow,
    TableRow,
    TableSection,
    TriggerRow,
    ViewColumnRow,
    ViewSection,
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
    if isinstance(obj, (ir.Grant, ir.DefaultPrivilege)):  # revokes and default privileges with the grants
        return ("grant", obj.module)
    if isinstance(obj, ir.Function):
        return ("function", obj.key)  # overloads apart
    if isinstance(obj, ir.Aggregate):
        return ("aggregate", obj.key)  # aggs6
    return (stmt.template.removesuffix("_unchecked"), obj.name)  # table, rls, enum, function (function_unchecked too)


def _role_text(role: str) -> str:
    return "PUBLIC" if role == "public" else md.inline(role)


def _seed_summary(seed: ir.SeedRows) -> str:
    kept = "updated to these values" if seed.on_conflict == "update" else "kept as it is"
    return (
        f"{count(len(seed.data), 'row', 'rows')} the schema needs, written by the migrations; a row whose "
        f"{md.inline(columns_list(seed.key))} the table already has is {kept}"
    )


def statements_by_owner(schema: ir.Schema) -> dict[tuple[str, Any], list[str]]:
    groups: dict[tuple[str, Any], list[str]] = {}
    parents = {p.name: t.name for t in schema.tables for p in t.partitions if p.has_own_objects}
    for stmt, text in from_scratch.rendered_statements(schema):
        owner = _owner(stmt)
        if owner[1] in parents and owner[0] in ("index", "table"):  # K3: a partition's own, shown with it
            owner = ("partition", parents[owner[1]])
        groups.setdefault(owner, []).append(text)
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
        if column.generated is not None:
            kept = "virtual: computed when read" if column.virtual else "stored"
            notes.append(f"Generated from {md.code(column.generated)} ({kept}; read-only)")
        if column.collation is not None:
            notes.append(f"Collation {md.code(column.collation)}")
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
        self.sequences = [q for q in schema.sequences if q.module == module.name]
        self.extensions = [x for x in schema.extensions if x.module == module.name]
        self.publications = [p for p in schema.publications if p.module == module.name]
        self.published_in: dict[Name, list[ir.Publication]] = {}  # by table
        for pub in schema.publications:
            for name in pub.tables:
                self.published_in.setdefault(name, []).append(pub)
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
            extensions=tuple(self.extension_row(x) for x in self.extensions),
            publications=tuple(self.publication_row(p) for p in self.publications),
            publications_sql=block(
                "sql", [t for p in self.publications for t in self.sql.get(("publication", p.name), [])]
            ),
            extensions_sql=block(
                "sql", [t for x in self.extensions for t in self.sql.get(("extension", x.name), [])], "\n"
            ),
            types=usertypes.sections(self.schema, self.module.name, self.sql, self.links),  # types5
            sequences=tuple(self.sequence_row(q) for q in self.sequences),
            sequences_sql=block(
                "sql",
                [
                    text
                    for q in self.sequences
                    for kind in ("sequence", "sequence_owner")
                    for text in self.sql.get((kind, q.name), [])
                ],
            ),
            functions=tuple(self.function_section(f) for f in self.index.functions.get(self.module.name, [])),
            triggers=tuple(self.trigger_row(trg) for trg in self.triggers),
            triggers_sql=block(
                "sql",
                [text for t in self.tables for text in self.sql.get(("trigger", t.name), [])]
                + [text for name in self.external_trigger_tables() for text in self.sql.get(("trigger", name), [])],
            ),
            grants=block("sql", self.sql.get(("grant", self.module.name), []), "\n"),
            aggregates_sql=block(  # aggs6
                "sql",
                [
                    text
                    for a in self.schema.aggregates
                    if a.module == self.module.name
                    for text in self.sql.get(("aggregate", a.key), [])
                ],
            ),
            event_triggers_sql=block(
                "sql",
                [
                    text
                    for et in self.schema.event_triggers
                    if et.module == self.module.name
                    for text in self.sql.get(("event_trigger", et.name), [])
                ],
            ),
            primary_keys=self.constraint_rows("primary_key", lambda c: md.inline(columns_list(c.columns))),
            unique=self.constraint_rows("unique", lambda c: md.inline(columns_list(c.columns))),
            checks=self.constraint_rows("check", lambda c: md.code(c.check or "") + not_valid(c)),
            exclusions=self.constraint_rows("exclude", lambda c: md.code(clauses.constraint_body(c))),
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
            schemas=tuple(self.schema_section(ns) for ns in self.schema.schemas if ns.module == self.module.name),
            views=tuple(self.view_section(v) for v in self.schema.views if v.module == self.module.name),
        )

    def view_section(self, v: ir.View) -> ViewSection:
        facts = [f"Reads {', '.join(md.inline(r.display) for r in v.reads)}."] if v.reads else []
        if v.security_invoker:
            facts.append("Runs with the privileges and row level security of the querying role (security_invoker).")
        elif not v.materialized:
            facts.append("Runs with the privileges of its owner (no security_invoker).")
        if v.check_option:
            facts.append(f"WITH {v.check_option.upper()} CHECK OPTION: rows written through it must satisfy it.")
        if v.materialized:
            unique = [ix for ix in v.indexes if ix.unique and ix.where is None]
            facts.append(
                "REFRESH MATERIALIZED VIEW CONCURRENTLY can run (a unique index)."
                if unique
                else "REFRESH MATERIALIZED VIEW CONCURRENTLY needs a unique index; it has none."
            )
        return ViewSection(
            kind="Materialized view" if v.materialized else "View",
            name=md.inline(v.name.display),
            anchor=md.anchor(md.anchor_id("view", v.name.schema, v.name.name)),
            comment=md.paragraph(v.comment) if v.comment else "",
            facts=tuple(facts),
            columns=tuple(
                ViewColumnRow(md.inline(c.name), md.inline(c.sql_type), md.inline(c.comment or NONE)) for c in v.columns
            ),
            ddl=CodeBlock("sql", "\n\n".join(self.sql[("view", v.name)] + self.sql.get(("index", v.name), []))),
        )

    def schema_section(self, ns: ir.Namespace) -> SchemaSection:
        held = [
            count(sum(1 for t in self.schema.tables if t.name.schema == ns.name), "table", "tables"),
            count(sum(1 for e in self.schema.enums if e.name.schema == ns.name), "enum type", "enum types"),
            count(sum(1 for f in self.schema.functions if f.name.schema == ns.name), "function", "functions"),
        ]
        holds = ", ".join(h for h in held if not h.startswith("0 "))
        return SchemaSection(
            name=md.inline(ns.name),
            anchor=md.anchor(md.anchor_id("schema", ns.name)),
            comment=md.paragraph(ns.comment) if ns.comment else "",
            holds=holds or "nothing yet",
            ddl=CodeBlock("sql", "\n\n".join(self.sql[("schema", ns.name)])),
        )

    # -- referenced tables: externals get a section here, other modules' tables a link --
    def referenced_tables(self) -> list[ir.Table | ir.ExternalTable]:
        """Tables outside this module that its tables reference, transitively through external tables."""
        own = {t.name for t in self.tables}
        by_name = self.index.relations
        seen: dict[Name, ir.Table | ir.ExternalTable] = {}
        todo = [fk.ref_table for t in self.tables for fk in t.foreign_keys] + [trg.table for trg in self.triggers]
        todo += [  # and those it puts policies or seed rows on
            t.name for t in self.index.attached if t.module == self.module.name and (t.policies or t.rows or t.indexes)
        ]
        while todo:
            name = todo.pop(0)
            if name is None or name in own or name in seen:
                continue
            seen[name] = by_name[name]
            if isinstance(seen[name], ir.ExternalTable):
                todo.extend(fk.ref_table for fk in seen[name].foreign_keys)
        return list(seen.values())

    def external_trigger_tables(self) -> list[Name]:
        """The external tables this page's triggers are on (auth.users), in the order of the triggers."""
        own = {t.name for t in self.tables}
        return list(dict.fromkeys(trg.table for trg in self.triggers if trg.table not in own))

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
        mine = t.module == self.module.name  # what the spec attaches to it is shown where it is declared
        return ExternalSection(
            name=md.inline(t.name.display),
            anchor=md.anchor(table_anchor(t.name)),
            columns=tuple(
                ExternalColumnRow(md.inline(c.name), self.type_cell(c), yes_no(not c.not_null), tuple(keys[c.name]))
                for c in t.columns
            ),
            policies_sql=block("sql", self.sql.get(("rls", t.name), [])) if mine else None,
            seed=_seed_summary(t.rows) if mine and t.rows is not None else None,
            seed_sql=block("sql", self.sql.get(("rows", t.name), [])) if mine else None,
            indexes_sql=block("sql", self.sql.get(("index", t.name), [])) if mine else None,
        )

    # -- tables -----------------------------------------------------------
    def type_cell(self, c: ir.Column) -> str:
        if c.enum is None:
            return self.links.user_type(c.sql_type) or md.inline(c.sql_type)  # types5: a link to its section
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
            seed=None if t.rows is None else _seed_summary(t.rows),
            seed_sql=block("sql", self.sql.get(("rows", t.name), [])),
            access=self.access("table", t.name.q, t.name.schema),
            publications=tuple(self.links.publication(p) for p in self.published_in.get(t.name, []))
            + tuple(self.links.publication(p) for p in self.schema.publications if p.all_tables),
        )

    def partitioning(self, t: ir.Table) -> Partitioning:
        return Partitioning(
            rule=_time_rule(t),
            method=md.inline(t.partition_by or ""),
            key=md.inline(columns_list(t.partition_key)),
            count=count(len(t.partitions), "partition", "partitions"),
            has_default=any(p.is_default for p in t.partitions),
            rows=tuple(
                # the default partition has no bounds: DEFAULT, and no upper bound
                PartitionRow(
                    md.inline(p.name.display),
                    md.code("DEFAULT") if p.is_default else md.code(_partition_lower(p)),
                    NONE if p.is_default else md.code(_partition_upper(p)),
                    "; ".join(x for x in (md.inline(p.comment or NONE), _own_objects(p)) if x) or NONE,
                )
                for p in t.partitions
            ),
            sql=block("sql", self.sql.get(("partition", t.name), [])),
            kind=t.partition_by or "RANGE",
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
            f"{self.links.table(c.ref_table)} ({md.inline(columns_list(c.ref_columns))}){not_valid(c)}",
            (c.on_delete or "no action").upper(),
            (c.on_update or "no action").upper(),
            md.inline(c.comment or NONE),
        )

    def index_row(self, t: ir.Table, ix: ir.Index) -> IndexRow:
        cols = ", ".join(clauses.index_element(e) for e in ix.elements)
        if ix.include:
            cols += f" INCLUDE ({', '.join(ix.include)})"
        if ix.parameters:
            cols += f" WITH ({', '.join(views.option(n, v) for n, v in ix.parameters)})"
        return IndexRow(
            md.inline(ix.name.name),
            self.links.table(t.name),
            md.inline(cols),
            md.inline(ix.method),
            yes_no(ix.unique),
            code_or_none(ix.where),
            md.inline(ix.comment or NONE),
        )

    # -- sequences, enums, functions, triggers ---------------------------------
    def publication_row(self, p: ir.Publication) -> PublicationRow:
        if p.all_tables:
            tables = "every table (FOR ALL TABLES)"
        else:
            tables = (
                ", ".join(
                    self.links.table(t)
                    + (f" ({md.code(clauses.published(p, t))})" if p.filter_of(t) is not None else "")
                    for t in p.tables
                )
                or NONE
            )
            tables += " (added to a publication made elsewhere)" if p.external else ""
        return PublicationRow(
            md.inline(p.name),
            md.anchor(md.anchor_id("publication", p.name)),
            tables,
            md.inline(", ".join(p.publish)),
            md.inline(p.comment) if p.comment else NONE,
        )

    def extension_row(self, x: ir.Extension) -> ExtensionRow:
        known = extensions.EXTENSIONS.get(x.name)
        brings = []
        if known is not None:
            brings += [f"type {md.inline(t)}" for t in known.types]
            brings += [f"index method {md.inline(m)}" for m in sorted(known.index_methods)]
            brings += [f"operator class {md.inline(c)}" for c in known.operator_classes]
        return ExtensionRow(
            md.inline(x.name),
            md.anchor(md.anchor_id("extension", x.schema, x.name)),
            md.inline(x.schema),
            ", ".join(brings) or NONE,
            md.inline(x.comment) if x.comment else NONE,
        )

    def sequence_row(self, q: ir.Sequence) -> SequenceRow:
        owner = NONE
        if q.owner is not None and q.owner_column is not None:
            owner = f"{self.links.table(q.owner)}.{md.inline(q.owner_column)}" + (" (serial)" if q.serial else "")
        return SequenceRow(
            md.inline(q.name.display),
            md.anchor(md.anchor_id("sequence", q.name.schema, q.name.name)),
            md.inline(q.data_type),
            str(q.start),
            str(q.increment),
            f"{q.min_value} .. {q.max_value}",
            str(q.cache),
            yes_no(q.cycle),
            owner,
            md.inline(q.comment or NONE),
        )

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
            anchor=md.anchor(function_anchor(f, self.index.overloaded)),
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
                for trg in (self.index.callers.get(f.name, []) if f.returns_trigger else [])
            ),
            ddl=CodeBlock("sql", "\n\n".join(self.sql[("function", f.key)])),
            access=self.access(f.kind, f.signature, f.name.schema),  # a procedure's grants are its own kind
            procedure=f.kind == "procedure",
        )

    def access(self, kind: str, target: str, schema: str = "") -> str:
        """Who may do what on an object, after PostgreSQL's own default (EXECUTE on a function to PUBLIC), the spec's
        default privileges for objects of its kind in its schema, and its grants and revokes; the database's
        default privileges (Supabase's) add to it."""
        routine = kind in ("function", "procedure")
        held: dict[str, list[str]] = {"public": ["EXECUTE (PostgreSQL's default)"]} if routine else {}
        on = {"table": "tables", "sequence": "sequences", "schema": "schemas"}.get(
            kind, "functions" if routine else None
        )
        for d in self.schema.default_privileges:
            if d.on != on or d.schema not in (None, schema):
                continue
            for role in d.roles:
                if d.revoke:
                    if role in held and (d.schema is None or role != "public"):
                        del held[role]
                else:
                    held.setdefault(role, []).extend(f"{p.upper()} (default privilege)" for p in d.privileges)
        taken: dict[str, list[str]] = {}
        for r in self.schema.revokes:
            if (r.kind, r.target) == (kind, target):
                for role in r.roles:
                    taken.setdefault(role, []).extend(p.upper() for p in r.privileges)
                    if role in held and {"execute", "all"} & set(r.privileges):
                        del held[role]
        for g in self.schema.grants:
            if (g.kind, g.target) == (kind, target):
                on = f" ({md.inline(columns_list(g.columns))})" if g.columns else ""
                for role in g.roles:
                    held.setdefault(role, []).extend(f"{p.upper()}{on}" for p in g.privileges)
        parts = [f"{_role_text(role)}: {', '.join(held[role])}" for role in sorted(held)]
        parts += [f"revoked from {_role_text(role)}: {', '.join(taken[role])}" for role in sorted(taken)]
        return "; ".join(parts) or "the owner only"

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


def not_valid(c: ir.Constraint) -> str:
    """A NOT VALID constraint says so: the rows that were there when it was added are unchecked."""
    return " (NOT VALID: rows older than it are unchecked)" if c.not_valid else ""


def _time_rule(t: ir.Table) -> str:
    """A declared time partitioning in words, for the table's section (README, Time partitions)."""
    rule = t.time_partitions
    if rule is None:
        return ""
    kept = (
        "every period is kept"
        if rule.retain is None
        else f"partitions older than {rule.retain} {rule.interval}(s) before the current one are "
        + ("dropped with their rows" if rule.retired == "drop" else "detached and kept as tables of their own")
    )
    return (
        f"One partition per {rule.interval} from {rule.start}, at midnight {md.inline(rule.timezone)}, named "
        f"{md.code(t.name.name + '_' + _example_suffix(rule))}, made {rule.premake} {rule.interval}(s) ahead by "
        f"{md.code(rule.function.display + '()')} (run it from a scheduler: `schemagen partitions`); {kept}."
    )


def _example_suffix(rule: ir.TimePartitions) -> str:
    return {"day": "YYYY_MM_DD", "week": "YYYY_MM_DD", "month": "YYYY_MM", "quarter": "YYYY_qN", "year": "YYYY"}[
        rule.interval
    ]


def _partition_lower(p: ir.Partition) -> str:
    """A range partition's lower bound, a list partition's values, a hash partition's modulus."""
    if p.is_list:
        return ", ".join(p.values)
    return str(p.modulus) if p.is_hash else p.lower


def _partition_upper(p: ir.Partition) -> str:
    return str(p.remainder) if p.is_hash else p.upper


def _own_objects(p: ir.Partition) -> str:
    """The partition's own indexes and constraints (K3), after its notes; their SQL follows the table of partitions."""
    names = [f"index {md.inline(ix.name.name)}" for ix in p.indexes]
    names += [f"constraint {md.inline(c.name)}" for c in p.constraints]
    return f"Its own: {', '.join(names)}" if names else ""
