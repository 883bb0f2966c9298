"""Where each object is documented, and links that reach it from any page.

An object's section lives on the page of its module; an external table gets a
section on every page that references it. Building every link through `Links`
is what keeps every link pointing at an anchor that exists.
"""

from __future__ import annotations

import collections
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import ir
from ..ir import Name
from . import markdown as md


def page_path(module: str) -> str:
    return f"{module}.md"


def table_anchor(name: Name) -> str:
    return md.anchor_id("table", name.schema, name.name)


def function_anchor(f: ir.Function, overloaded: frozenset[Name]) -> str:
    """A function's anchor: by its name, and by its input types too when the name has overloads."""
    types = (", ".join(f.arg_types),) if f.name in overloaded else ()
    return md.anchor_id("function", f.name.schema, f.name.name, *types)


@dataclass(frozen=True)
class SchemaIndex:
    """Lookups over the whole schema, built once for all pages (so pages cost O(size), not O(modules x size))."""

    table_module: dict[Name, str]
    enum_module: dict[Name, str]
    function_module: dict[Name, str]
    relations: dict[Name, ir.Table | ir.ExternalTable]
    enum_users: dict[Name, list[tuple[Name, str]]]
    callers: dict[Name, list[ir.Trigger]]
    triggers: dict[str, list[ir.Trigger]]  # by the module of their table
    tables: dict[str, list[ir.Table]]  # by module, and so on
    enums: dict[str, list[ir.Enum]]
    functions: dict[str, list[ir.Function]]
    # the page of each trigger on an external table (its function's module's)
    trigger_module: dict[tuple[Name, str], str] = field(default_factory=dict)
    attached: tuple[ir.ExternalTable, ...] = ()  # the external tables (for what the spec attaches to them)
    # types5: a domain, composite or range type (and a multirange) by its SQL spelling -> (module, anchor id)
    type_pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    overloaded: frozenset[Name] = frozenset()  # names of several functions: each documented with its signature
    # the anchor a link by name reaches (a trigger's function): the overload without arguments, else the first
    function_anchors: dict[Name, str] = field(default_factory=dict)

    @classmethod
    def of(cls, schema: ir.Schema) -> SchemaIndex:
        table_module = {t.name: t.module for t in schema.tables}
        relations: dict[Name, ir.Table | ir.ExternalTable] = {t.name: t for t in schema.tables}
        relations.update({t.name: t for t in schema.external.tables})
        enum_users: dict[Name, list[tuple[Name, str]]] = {}
        for t in schema.tables:
            for c in t.columns:
                if c.enum is not None:
                    enum_users.setdefault(c.enum, []).append((t.name, c.name))
        function_module = {f.name: f.module for f in schema.functions}
        overloaded = frozenset(n for n, c in collections.Counter(f.name for f in schema.functions).items() if c > 1)
        function_anchors: dict[Name, str] = {}
        for f in schema.functions:
            if f.name not in function_anchors or not f.arg_types:
                function_anchors[f.name] = function_anchor(f, overloaded)
        callers: dict[Name, list[ir.Trigger]] = {}
        trigger_module: dict[tuple[Name, str], str] = {}
        triggers: dict[str, list[ir.Trigger]] = {}
        for trg in schema.triggers:
            callers.setdefault(trg.function, []).append(trg)
            # a trigger on an external table (auth.users) is on the page of its function's module
            module = table_module.get(trg.table) or function_module.get(trg.function) or schema.modules[0].name
            triggers.setdefault(module, []).append(trg)
            if trg.table not in table_module:
                trigger_module[(trg.table, trg.name)] = module
        return cls(
            table_module,
            {e.name: e.module for e in schema.enums},
            {f.name: f.module for f in schema.functions},
            relations,
            enum_users,
            callers,
            triggers,
            ir.by_module(schema.tables),
            ir.by_module(schema.enums),
            ir.by_module(schema.functions),
            trigger_module,
            schema.external.tables,
            type_pages(schema),
            overloaded,
            function_anchors,
        )


@dataclass(frozen=True)
class Migration:
    stem: str  # e.g. 0025_harden_sync_operations
    up: str  # link target from a page, e.g. ../migrations/0025_harden_sync_operations.sql
    down: str | None  # the first migration has none


@dataclass(frozen=True)
class Migrations:
    """The chain of migration files as pages link to them, oldest first."""

    chain: tuple[Migration, ...]

    @classmethod
    def of(cls, paths: Sequence[str], docs_dir: str) -> Migrations:
        """`paths` relative to the output directory, as the chain lists them (.sql, .down.sql, .state.json)."""
        present = set(paths)
        chain = []
        for path in paths:
            if path.endswith(".sql") and not path.endswith(".down.sql"):
                stem = path.removesuffix(".sql")
                down = f"{stem}.down.sql"
                chain.append(
                    Migration(
                        posixpath.basename(stem),
                        posixpath.relpath(path, docs_dir),
                        posixpath.relpath(down, docs_dir) if down in present else None,
                    )
                )
        return cls(tuple(chain))

    @property
    def newest(self) -> Migration:
        return self.chain[-1]

    def link(self, migration: Migration) -> str:
        return md.link(f"{migration.stem}.sql", migration.up)


class Links:
    """Links from one page to the section that documents an object, wherever it is."""

    def __init__(self, index: SchemaIndex, page: str):
        self.page = page
        self.table_module = index.table_module
        self.enum_module = index.enum_module
        self.function_module = index.function_module
        self.trigger_module = index.trigger_module
        self.type_pages = index.type_pages
        self.function_anchors = index.function_anchors

    def _to(self, module: str | None, anchor_id: str) -> str:
        if module is None or module == self.page:  # external tables get a section on every page that references them
            return "#" + anchor_id
        return f"{page_path(module)}#{anchor_id}"

    def user_type(self, sql_type: str) -> str | None:
        """A link to the section of the spec's type a column of `sql_type` has (types5); None for any other."""
        element = sql_type
        while element.endswith("[]"):
            element = element[:-2]
        page = self.type_pages.get(element)
        return None if page is None else md.link(sql_type, self._to(*page))

    def table(self, name: Name) -> str:
        return md.link(name.display, self._to(self.table_module.get(name), table_anchor(name)))

    def enum(self, name: Name, label: str) -> str:
        return md.link(label, self._to(self.enum_module[name], md.anchor_id("enum", name.schema, name.name)))

    def function(self, name: Name) -> str:
        module = self.function_module.get(name)
        if module is None:  # a built-in or external function: no page of the spec describes it
            return md.code(f"{name.display}()")
        return md.link(f"{name.display}()", self._to(module, self.function_anchors[name]))

    def trigger(self, table: Name, trigger: str) -> str:
        return md.link(
            trigger,
            self._to(
                self.table_module.get(table) or self.trigger_module[(table, trigger)],
                md.anchor_id("trigger", table.schema, table.name, trigger),
            ),
        )

    def constraint(self, table: Name, constraint: str) -> str:
        return md.link(
            constraint,
            self._to(self.table_module[table], md.anchor_id("constraint", table.schema, table.name, constraint)),
        )

    def publication(self, p: ir.Publication) -> str:
        return md.link(p.name, self._to(p.module, md.anchor_id("publication", p.name)))


def type_anchor(kind: str, name: Name) -> str:
    """The anchor id of a domain, composite or range type's section (types5)."""
    return md.anchor_id(kind, name.schema, name.name)


def type_pages(schema: ir.Schema) -> dict[str, tuple[str, str]]:
    pages = {d.name.q: (d.module, type_anchor("domain", d.name)) for d in schema.domains}
    pages |= {c.name.q: (c.module, type_anchor("composite", c.name)) for c in schema.composite_types}
    for r in schema.range_types:
        pages[r.name.q] = pages[Name(r.name.schema, r.multirange).q] = (r.module, type_anchor("range", r.name))
    return pages
