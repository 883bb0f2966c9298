"""Views and materialized views: the relations each query reads, and its output columns with their types.

An output column's type comes from the spec's `columns:` when given, else from
the query: a plain column of a table, partition or view of the spec (or an
external table) has that column's type; a cast its type; count(...) bigint.
Anything else needs `columns: {name: {type: ...}}` (E110): schemagen reads no
database to learn it, so a build gives the same models and docs everywhere.
A view reading a view is resolved after it; views reading each other in a
circle are refused (E111).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import errors, ir
from ..ir import Name
from ..pg import sqlparse, viewquery
from ..spec import model
from ..spec.loader import LoadedFile
from . import indexes
from .registry import Claim, Registry
from .report import Report, Where, qualified
from .types import column_type

VIEW_TYPE = errors.VIEW_COLUMN
VIEW_CYCLE = errors.VIEW_CYCLE
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})


@dataclass(frozen=True)
class _Entry:
    spec: model.View | model.MaterializedView
    where: Where
    module: str
    materialized: bool


@dataclass
class Built:
    views: list[ir.View]
    claims: list[Claim]


def views(files: list[LoadedFile], registry: Registry, tables: Mapping[Name, ir.Table], report: Report) -> Built:
    entries: dict[Name, _Entry] = {}
    claims: list[Claim] = []
    for f in files:
        for section, materialized in (("views", False), ("materialized_views", True)):
            for key, spec in getattr(f.spec, section).items():
                where = Where(f.pos, (section, key))
                name = qualified(report, key, where, "view")
                if name.schema not in registry.schemas:
                    report.error(
                        where,
                        errors.UNKNOWN_SCHEMA,
                        f'unknown schema "{name.schema}" (declare it under schemas: or external.schemas)',
                        key=True,
                    )
                    continue
                what = "materialized view" if materialized else "view"
                claims += [Claim("relation", name, where, what), Claim("type", name, where, what)]
                report.origin(("view", name), where, spec.lint)
                entries.setdefault(name, _Entry(spec, where, f.module, materialized))
    resolver = _Resolver(entries, registry, tables, report, claims)
    return Built([v for v in (resolver.view(n) for n in entries) if v is not None], claims)


class _Resolver:
    def __init__(
        self,
        entries: dict[Name, _Entry],
        registry: Registry,
        tables: Mapping[Name, ir.Table],
        report: Report,
        claims: list[Claim],
    ):
        self.entries = entries
        self.registry = registry
        self.tables = tables
        self.partitions = {p.name: t for t in tables.values() for p in t.partitions}
        self.report = report
        self.claims = claims
        self.done: dict[Name, ir.View | None] = {}
        self.busy: list[Name] = []

    def view(self, name: Name) -> ir.View | None:
        if name in self.done:
            return self.done[name]
        entry = self.entries[name]
        if name in self.busy:
            circle = " -> ".join(n.display for n in self.busy[self.busy.index(name) :] + [name])
            self.report.error(entry.where, VIEW_CYCLE, f"views read each other in a circle: {circle}", key=True)
            self.done[name] = None
            return None
        self.busy.append(name)
        try:
            result = self._build(name, entry)
        finally:
            self.busy.pop()
        self.done.setdefault(name, result)
        return self.done[name]

    def columns_of(self, name: Name) -> tuple[ir.Column, ...] | None:
        """The columns of a relation the spec knows; None for one it does not (a system catalog)."""
        if name in self.tables:
            return self.tables[name].columns
        if name in self.partitions:
            return self.partitions[name].columns
        if name in self.registry.external_tables:
            return self.registry.external_tables[name].columns
        if name in self.entries:
            v = self.view(name)
            return None if v is None else v.columns
        return None

    def relation(self, schema: str | None, rel: str, where: Where) -> tuple[Name | None, bool]:
        """(the relation of the spec a name in the query means, or None; whether the name is known at all)."""
        name = Name(schema or "public", rel)
        if name in self.tables or name in self.partitions or name in self.entries:
            return name, True
        if name in self.registry.external_tables:
            return None, True
        if schema in SYSTEM_SCHEMAS or (schema is None and rel.startswith("pg_")):
            return None, True
        self.report.error(
            where,
            errors.UNKNOWN_TABLE,
            f'the query reads unknown relation "{name.display}" (declare it under external.tables)',
        )
        return None, False

    def _build(self, name: Name, entry: _Entry) -> ir.View | None:
        spec = entry.spec
        qw = entry.where.at("query")
        query = spec.query.strip().rstrip(";").rstrip()
        try:
            shape = viewquery.parse(query)
        except sqlparse.FragmentError as exc:
            self.report.sql_error(qw, exc)
            return None
        ok = True
        reads: list[Name] = []
        for schema, rel in sorted(shape.relations, key=lambda r: (r[0] or "", r[1])):
            found, known = self.relation(schema, rel, qw)
            ok &= known
            if found is not None and found != name:
                reads.append(found)
        if not ok or any(self.view(r) is None for r in reads if r in self.entries):
            return None  # what it reads is wrong, and reported where it is
        sources: dict[str, tuple[ir.Column, ...] | None] = {}
        for alias, (schema, rel) in shape.sources.items():
            target = Name(schema or "public", rel)
            sources[alias] = self.columns_of(target)
        columns = self._columns(name, entry, shape, sources)
        if columns is None:
            return None
        called = [*self.registry.functions, *self.registry.aggregates]  # aggs6: an aggregate is called too
        calls = tuple(sorted({k[0] for k in called if k[0].name in shape.calls}, key=str))
        idx = self._indexes(name, entry, columns)
        return ir.View(
            name=name,
            module=entry.module,
            query=query,
            columns=columns,
            reads=tuple(dict.fromkeys(reads)),
            calls=calls,
            materialized=entry.materialized,
            security_invoker=getattr(spec, "security_invoker", False),
            check_option=getattr(spec, "check_option", None),
            indexes=idx,
            comment=spec.comment,
        )

    def _columns(
        self,
        name: Name,
        entry: _Entry,
        shape: viewquery.Query,
        sources: dict[str, tuple[ir.Column, ...] | None],
    ) -> tuple[ir.Column, ...] | None:
        qw = entry.where.at("query")
        given = entry.spec.columns
        outputs: list[tuple[str, ir.Column | None, str | None, int | None]] = []  # name, source column, cast type
        ok = True
        for i, out in enumerate(shape.outputs, 1):
            if out.star is not None:
                chosen = [sources.get(out.star[-1])] if out.star else list(sources.values())
                if not chosen or any(c is None for c in chosen):
                    self.report.error_in_fragment(
                        qw, out.location, VIEW_TYPE, "a * over a relation the spec does not describe: list its columns"
                    )
                    ok = False
                    continue
                outputs += [(c.name, c, None, out.location) for cols in chosen if cols for c in cols]
                continue
            if out.name is None:
                self.report.error_in_fragment(
                    qw, out.location, VIEW_TYPE, f"output column {i} has no name: write `AS name` after it"
                )
                ok = False
                continue
            source = self._referenced(out.ref, sources) if out.ref else None
            outputs.append((out.name, source, out.type, out.location))
        seen: set[str] = set()
        result: list[ir.Column] = []
        for col_name, source, cast, location in outputs:
            if col_name in seen:
                self.report.error_in_fragment(
                    qw, location, errors.DUPLICATE_NAME, f'two output columns are named "{col_name}": rename one (AS)'
                )
                ok = False
                continue
            seen.add(col_name)
            spec_col = given.get(col_name)
            cw = entry.where.at("columns", col_name)
            typed: Any = None
            if spec_col is not None and spec_col.type is not None:
                typed = column_type(spec_col.type, self.registry.enums, self.report, cw.at("type"))
            elif source is not None:
                typed = (source.sql_type, source.base, source.enum, source.mods, source.array_dims)
            elif cast is not None:
                typed = column_type(cast, self.registry.enums, self.report, qw)
            if typed is None:
                if spec_col is None or spec_col.type is None:
                    self.report.error_in_fragment(
                        qw,
                        location,
                        VIEW_TYPE,
                        f'cannot infer the type of view column "{col_name}": give it as columns: '
                        f"{{{col_name}: {{type: ...}}}}",
                    )
                ok = False
                continue
            sql, base, enum, mods, dims = tuple(typed)[:5]  # a ColumnType's python_type comes from the spec
            result.append(
                ir.Column(
                    col_name,
                    sql,
                    base,
                    enum,
                    mods,
                    dims,
                    comment=spec_col.comment if spec_col else None,
                    python_type=spec_col.python_type if spec_col else (source.python_type if source else None),
                )
            )
        for key in given:
            if key not in seen:
                self.report.error(
                    entry.where.at("columns", key),
                    errors.UNKNOWN_COLUMN,
                    f'view {name.display} has no output column "{key}"',
                    key=True,
                )
                ok = False
        return tuple(result) if ok else None

    @staticmethod
    def _referenced(ref: tuple[str, ...], sources: dict[str, tuple[ir.Column, ...] | None]) -> ir.Column | None:
        if len(ref) >= 2:
            cols = sources.get(ref[-2])
            return next((c for c in cols or () if c.name == ref[-1]), None)
        for cols in sources.values():
            for c in cols or ():
                if c.name == ref[0]:
                    return c
        return None

    def _indexes(self, name: Name, entry: _Entry, columns: tuple[ir.Column, ...]) -> tuple[ir.Index, ...]:
        if not isinstance(entry.spec, model.MaterializedView):
            return ()
        typed = {c.name: c for c in columns}
        result = []
        for key, spec_ix in entry.spec.indexes.items():
            where = entry.where.at("indexes", key)
            self.claims.append(Claim("relation", Name(name.schema, key), where, "index"))
            ix = indexes.index(name, key, spec_ix, typed, list(typed), (), self.report, where)
            if ix is not None:
                result.append(ix)
        return tuple(result)
