"""The catalog of a live database as spec modules: which module holds what, the external objects the imported
ones use, and what the spec cannot say (the partial report)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import ir
from ..db.catalog import Catalog
from ..ir import Name
from ..pg import extensions as known_extensions
from ..pg import sqlparse
from . import grants, guard, objects, spelling, templates, yamlout
from .partial import Left, of_unmanaged, shown
from .uses import uses

Doc = dict[str, Any]
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
# Publications a platform makes, whose tables a project adds (Supabase Realtime's): `external.publications`.
PLATFORM_PUBLICATIONS = frozenset({"supabase_realtime"})
LISTS = ("grants", "revokes", "default_privileges")
FILE_ORDER = (
    "migration",
    "external",
    "extensions",
    "schemas",
    "enums",
    "composite_types",
    "range_types",
    "domains",
    "sequences",
    "policy_templates",
    "tables",
    "views",
    "materialized_views",
    "functions",
    "procedures",
    "aggregates",
    "triggers",
    "event_triggers",
    "publications",
    "default_privileges",
    "grants",
    "revokes",
)


@dataclass(frozen=True)
class Options:
    schemas: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    module_by: str = "schema"  # schema | table-prefix | one
    module: str = "schema"  # the module's name with module_by "one"
    first_version: int = 1

    def excluded(self, name: Name) -> bool:
        return any(fnmatch.fnmatchcase(text, p) for p in self.exclude for text in (str(name), name.display))


def module_name(text: str) -> str:
    """A spec module's name (a Python module's too): lower case letters, digits and `_`."""
    name = re.sub(r"[^a-z0-9_]", "_", text.lower()) or "schema"
    return f"_{name}" if name[0].isdigit() else name


@dataclass
class Result:
    files: dict[str, str]  # file name -> text
    left: list[Left]


@dataclass
class _Spec:
    """The spec being written, module by module."""

    options: Options
    main: str
    docs: dict[str, Doc] = field(default_factory=dict)
    left: list[Left] = field(default_factory=list)
    expression_keys: set[Name] = field(default_factory=set)  # tables partitioned by an expression
    overloaded: set[Name] = field(default_factory=set)  # names of several functions or procedures

    def function_key(self, name: Name, types: tuple[str, ...]) -> str:
        """A function's key: its name, with its input types where overloads share it (`area(circle)`)."""
        key = spelling.key(name)
        return f"{key}({', '.join(types)})" if name in self.overloaded else key

    def section(self, module: str, key: str) -> Any:
        doc = self.docs.setdefault(module, {})
        return doc.setdefault(key, [] if key in LISTS else {})

    def table_module(self, name: Name) -> str:
        if self.options.module_by == "one":
            return self.main
        if self.options.module_by == "table-prefix":
            return module_name(name.name.split("_", 1)[0])
        return module_name(name.schema)

    def object_module(self, name: Name) -> str:
        return self.main if self.options.module_by == "one" else module_name(name.schema)


def convert(
    main: Catalog,
    others: Catalog | None,
    options: Options,
    owners: frozenset[str] = frozenset(),
    roles: frozenset[str] = frozenset(grants.PLATFORM_ROLES),
) -> Result:
    """The spec of `main` (`others`: the rest of the database, for what it uses); `owners` own the imported
    objects: only their default privileges reach them; `roles` are the cluster's."""
    s = main.schema
    keep: Callable[[Name], bool] = lambda n: not options.excluded(n)
    first = options.module if options.module_by == "one" else module_name(options.schemas[0])
    spec = _Spec(options, first)
    tables = [t for t in s.tables if keep(t.name)]
    imported = {t.name for t in tables}
    views = [v for v in s.views if keep(v.name)]
    functions = [f for f in s.functions if keep(f.name)]
    known = imported | {v.name for v in views}
    spec.section(first, "migration").update({"version": options.first_version, "name": "baseline"})

    spec.expression_keys = {u.name for u in main.unmanaged if u.kind == "partition key expression"}
    names_seen: dict[Name, int] = {}
    for f in s.functions:
        names_seen[f.name] = names_seen.get(f.name, 0) + 1
    spec.overloaded = {n for n, count in names_seen.items() if count > 1}
    for u in main.unmanaged:
        if keep(u.name):
            spec.left.append(of_unmanaged(u, spec.object_module(u.name)))
    for unknown in guard.unwritten(s):
        spec.left.append(Left(first, "kind", unknown.split(" = ")[0], "schemagen import does not write it yet"))
    for obj, name in _objects(s, keep):
        for unknown in guard.unwritten(obj):
            kind = type(obj).__name__.lower()
            spec.left.append(
                Left(spec.object_module(name), f"{kind} field", shown(name), f"not written yet: {unknown}")
            )

    # enums, domains, composite and range types, sequences, schemas, extensions
    for e in s.enums:
        if keep(e.name):
            spec.section(spec.object_module(e.name), "enums")[spelling.key(e.name)] = objects.enum(e)
    for d in s.domains:
        if keep(d.name):
            spec.section(spec.object_module(d.name), "domains")[spelling.key(d.name)] = objects.domain(d)
    for c in s.composite_types:
        if keep(c.name):
            composites = spec.section(spec.object_module(c.name), "composite_types")
            composites[spelling.key(c.name)] = objects.composite_type(c)
    for r in s.range_types:
        if keep(r.name):
            spec.section(spec.object_module(r.name), "range_types")[spelling.key(r.name)] = objects.range_type(r)
    serials = _serials(tables, s.sequences)
    for seq in s.sequences:
        if keep(seq.name) and seq.name not in serials:
            spec.section(spec.object_module(seq.name), "sequences")[spelling.key(seq.name)] = objects.sequence(seq)
    for ns in s.schemas:
        if ns.name != "public":
            entry: Doc = {} if ns.comment is None else {"comment": ns.comment}
            spec.section(first, "schemas")[ns.name] = entry
    for ext in s.extensions:
        entry = {} if ext.schema == "public" else {"schema": ext.schema}
        spec.section(first, "extensions")[ext.name] = entry | ({"comment": ext.comment} if ext.comment else {})
    platform: list[str] = []  # publications the platform makes (external), the spec only adds tables to
    for pub in s.publications:
        doc = objects.publication(pub)
        if pub.name in PLATFORM_PUBLICATIONS:
            doc = {"tables": doc["tables"]} if "tables" in doc else {}
            platform += [pub.name] if doc else []
        if doc:
            spec.section(first, "publications")[pub.name] = doc

    # tables, with their policies (templates found again) and triggers
    named, applied = templates.find(tables)
    for pattern, tname in named.items():
        spec.section(first, "policy_templates")[tname] = templates.document(pattern)
    triggers: dict[Name, list[ir.Trigger]] = {}
    for trig in s.triggers:
        triggers.setdefault(trig.table, []).append(trig)
    for t in tables:
        doc = _table(spec, t, serials, triggers.get(t.name, []), applied.get(t.name, []), named)
        spec.section(spec.table_module(t.name), "tables")[spelling.key(t.name)] = doc

    for v in views:
        section = "materialized_views" if v.materialized else "views"
        spec.section(spec.table_module(v.name), section)[spelling.key(v.name)] = objects.view(v)
    for f in functions:
        section = "procedures" if f.kind == "procedure" else "functions"
        spec.section(spec.object_module(f.name), section)[spec.function_key(f.name, f.arg_types)] = objects.function(f)
    for event in s.event_triggers:
        if keep(event.function):
            spec.section(first, "event_triggers")[event.name] = objects.event_trigger(event)
        else:
            spec.left.append(
                Left(first, "event trigger", event.name, f"its function {shown(event.function)} is excluded")
            )
    for a in s.aggregates:  # aggs6
        if keep(a.name):
            spec.section(spec.object_module(a.name), "aggregates")[objects.aggregate_key(a)] = objects.aggregate(a)

    # privileges of the objects kept
    def module_of(kind: str, obj: Name) -> str:
        if kind == "schema":
            return first
        return spec.table_module(obj) if kind in ("table", "column") else spec.object_module(obj)

    def ours(p: Any) -> bool:
        return p.kind == "schema" or keep(p.object)

    # What an object got when created (the catalog's baseline: PostgreSQL's built-in defaults, or its owner's
    # default privileges, which the spec states and the migrations apply before the objects) and what it has now:
    # grants for the difference one way, revokes the other.
    columns = {t.name: [c.name for c in t.columns] for t in s.tables}

    def position(table: Name, column: str) -> int:
        order = columns.get(table, [])
        return order.index(column) if column in order else len(order)

    per_module, revoked = grants.grants(
        filter(ours, main.privileges),
        filter(ours, main.baseline),
        module_of,
        position,
        lambda p: spec.function_key(p.object, p.types) if p.kind in ("function", "procedure") else grants.named(p),
    )
    for module, entries in per_module.items():
        spec.section(module, "grants").extend(entries)
    for module, entries in revoked.items():
        spec.section(module, "revokes").extend(entries)
    defaults, others_defaults = grants.default_privileges(main.default_acl, options.schemas, owners)
    if defaults:
        spec.section(first, "default_privileges").extend(defaults)
    spec.left += [
        Left(
            first,
            "default privileges",
            where,
            "the role owns no imported object (a platform's, e.g. Supabase's supabase_admin): they reach none of "
            "them, and setting them needs its membership",
        )
        for where in others_defaults
    ]

    _external(spec, main, tables, views, functions, known, others, roles)
    if platform:
        spec.section(spec.main, "external")["publications"] = platform
    return Result(_files(spec), sorted(set(spec.left)))


def _objects(s: ir.Schema, keep: Callable[[Name], bool]) -> list[tuple[Any, Name]]:
    """Every object the import writes, with the name it is reported under."""
    found: list[tuple[Any, Name]] = []
    for t in s.tables:
        if keep(t.name):
            found.append((t, t.name))
            found += [(x, t.name) for x in (*t.columns, *t.policies)]
            found += _keys(t.name, t.constraints, t.indexes)
            for p in t.partitions:
                found += [(p, p.name), *_keys(p.name, p.constraints, p.indexes)]
    found += [(e, e.name) for e in s.enums if keep(e.name)]
    found += [(e, Name("", e.name)) for e in s.event_triggers]
    found += [(p, Name("", p.name)) for p in s.publications]
    found += [(d, d.name) for d in s.domains if keep(d.name)]
    found += [(r, r.name) for r in s.range_types if keep(r.name)]
    for c in s.composite_types:
        if keep(c.name):
            found += [(c, c.name), *((a, c.name) for a in c.attributes)]
    found += [(f, f.name) for f in s.functions if keep(f.name)]
    found += [(a, a.name) for a in s.aggregates if keep(a.name)]
    found += [(q, q.name) for q in s.sequences if keep(q.name)]
    found += [(v, v.name) for v in s.views if keep(v.name)]
    found += [(trig, trig.table) for trig in s.triggers if keep(trig.table)]
    return found


def _keys(table: Name, constraints: Iterable[ir.Constraint], indexes: Iterable[ir.Index]) -> list[tuple[Any, Name]]:
    """A table's (or a partition's) constraints and indexes, down to their keys."""
    found: list[tuple[Any, Name]] = []
    for c in constraints:
        found += [(c, table), *((e, table) for e in c.exclusion), *((e.key, table) for e in c.exclusion)]
    for ix in indexes:
        found += [(ix, ix.name), *((e, ix.name) for e in ix.elements)]
    return found


def _serials(tables: Iterable[ir.Table], sequences: Iterable[ir.Sequence]) -> dict[Name, tuple[Name, str]]:
    """The sequences `type: serial` makes, by name -> their column."""
    owned = {(s.owner, s.owner_column): s for s in sequences if s.owner is not None}
    found = {}
    for t in tables:
        for c in t.columns:
            seq = owned.get((t.name, c.name))
            if seq is not None and objects.is_serial(t, c, seq):
                found[seq.name] = (t.name, c.name)
    return found


def _table(
    spec: _Spec,
    t: ir.Table,
    serials: dict[Name, tuple[Name, str]],
    triggers: list[ir.Trigger],
    applied: list[templates.Applied],
    named: dict[templates.Pattern, str],
) -> Doc:
    module = spec.table_module(t.name)
    serial_columns = {c for (table, c) in serials.values() if table == t.name}
    inline: dict[str, list[ir.Constraint]] = {}
    listed: list[ir.Constraint] = []
    for c in t.constraints:
        if c.kind not in guard.CONSTRAINT_KINDS:
            spec.left.append(Left(module, f"{c.kind} constraint", shown(t.name, c.name), "not written yet"))
            continue
        kind = objects.inline_kind(t, c)
        column = next(iter(objects.check_columns(c.check))) if kind == "check" and c.check else None
        column = column if kind == "check" else (c.columns[0] if kind else None)
        if (
            kind is not None
            and column is not None
            and all(objects.inline_kind(t, o) != kind for o in inline.get(column, []))
        ):
            inline.setdefault(column, []).append(c)
        else:
            listed.append(c)
    doc: Doc = {}
    if t.comment:
        doc["comment"] = t.comment
    doc["columns"] = {c.name: objects.column(t, c, inline.get(c.name, []), c.name in serial_columns) for c in t.columns}
    if listed:
        doc["constraints"] = [objects.constraint(t, c) for c in listed]
    if t.indexes:
        doc["indexes"] = {ix.name.name: objects.index(ix) for ix in t.indexes}
    by_columns = bool(t.partition_key) and t.name not in spec.expression_keys
    if by_columns and (t.partition_by in ("LIST", "HASH") or len(t.partition_key) == 1):
        doc["partitioning"] = objects.partitioning(t, lambda p: objects.partition_objects(t, p))
    elif t.partition_by is not None:
        spec.left.append(
            Left(
                module,
                "partitioning",
                shown(t.name),
                f"PARTITION BY {t.partition_by} ({', '.join(t.partition_key)}) with "
                f"{len(t.partitions)} partitions: the spec partitions by range of one column only; imported as a "
                "plain table",
            )
        )
    if t.row_level_security:
        doc["row_level_security"] = True
    if t.force_row_level_security:
        doc["force_row_level_security"] = True
    identity = objects.replica_identity(t)
    if identity is not None:
        doc["replica_identity"] = identity
    by_template = {name for a in applied for name in a.policies}
    own = {p.name: objects.policy(p) for p in t.policies if p.name not in by_template}
    if own:
        doc["policies"] = own
    if applied:
        doc["apply_policies"] = [
            {"template": named[a.pattern]} | ({} if a.prefix == t.name.name else {"prefix": a.prefix})
            for a in sorted(applied, key=lambda a: named[a.pattern])
        ]
    if triggers:
        doc["triggers"] = {trig.name: objects.trigger(trig) for trig in sorted(triggers, key=lambda x: x.name)}
    return doc


# -- external objects --------------------------------------------------------
def _external(
    spec: _Spec,
    main: Catalog,
    tables: list[ir.Table],
    views: list[ir.View],
    functions: list[ir.Function],
    known: set[Name],
    others: Catalog | None,
    cluster_roles: frozenset[str],
) -> None:
    """What the imported objects use from elsewhere, under `external:`: roles, schemas, tables (with their
    columns, read from the database, and the grants on them), functions (a SQL function's body as its stand-in),
    types."""
    s = main.schema
    imported_schemas = set(spec.options.schemas)
    want_tables: set[Name] = set()
    want_functions: set[Name] = set()
    roles: set[str] = set()
    fragments: list[tuple[str, bool]] = []
    for t in tables:
        for c in t.constraints:
            if c.ref_table is not None and c.ref_table not in known:
                want_tables.add(c.ref_table)
            if c.check:
                fragments.append((c.check, False))
        for col in t.columns:
            if col.default:
                fragments.append((col.default, False))
        for p in t.policies:
            roles.update(p.roles)
            fragments += [(x, False) for x in (p.using, p.check) if x]
        for ix in t.indexes:
            if ix.where:
                fragments.append((ix.where, False))
    fragments += [(v.query, True) for v in views]
    for text, query in fragments:
        relations, calls = uses(text, query)
        for schema, name in relations:
            n = Name(schema or "public", name)
            if n not in known and (schema is not None or "public" in imported_schemas):
                want_tables.add(n)
        for schema, name in calls:
            if schema is not None and schema not in imported_schemas and schema != "pg_catalog":
                want_functions.add(Name(schema, name))
    for trig in s.triggers:
        if trig.table in known and trig.function.schema not in imported_schemas | {"pg_catalog"}:
            want_functions.add(trig.function)
    for doc in spec.docs.values():
        for grant in doc.get("grants", []):
            roles.update(grant["to"])
        for revoke in doc.get("revokes", []):
            roles.update(revoke["from"])
        for default in doc.get("default_privileges", []):
            roles.update([*default.get("to", []), *default.get("from", [])])  # for_role: the owner, not checked

    external: Doc = {}
    other_tables = {t.name: t for t in (others.schema.tables if others else ())} | {
        t.name: t for t in s.tables if t.name not in known
    }
    other_functions = {f.name: f for f in (others.schema.functions if others else ())}
    # objects of the spec on tables of other schemas: policies, and triggers calling the spec's functions
    attached_triggers = [
        trig
        for trig in (others.schema.triggers if others else ())
        if trig.function in {f.name for f in functions} and not spec.options.excluded(trig.table)
    ]
    for t in other_tables.values():
        if t.policies and t.name.schema not in imported_schemas:
            want_tables.add(t.name)
    want_tables |= {trig.table for trig in attached_triggers}
    schemas: set[str] = set()
    ext_tables: Doc = {}
    for wanted in sorted(want_tables, key=str):
        table = other_tables.get(wanted)
        if table is None:
            spec.left.append(Left(spec.main, "external table", shown(wanted), "used, but not found in the database"))
            continue
        ext_tables[spelling.key(wanted)] = _external_table(table)
        schemas.add(wanted.schema)
    roles |= _external_grants(
        spec,
        {other_tables[n].name: other_tables[n] for n in want_tables if n in other_tables},
        [main, *([others] if others else [])],
        cluster_roles,
    )
    roles.discard("public")
    if roles:
        external["roles"] = sorted(roles)
    ext_functions: Doc = {}
    for wanted in sorted(want_functions, key=str):
        f = other_functions.get(wanted)
        if f is None:
            continue  # an extension's function (made by CREATE EXTENSION) or a built-in one
        declared: Doc = {}
        if f.args:
            declared["args"] = f.args
        declared["returns"] = f.returns
        if f.language == "sql":
            declared["stand_in"] = f.body.strip()
        ext_functions[spelling.key(wanted)] = declared
        schemas.add(wanted.schema)
    for ext in s.extensions:
        schemas.add(ext.schema)
    if others is not None:
        for ext in others.schema.extensions:
            if ext.name not in spec.section(spec.main, "extensions"):
                spec.section(spec.main, "extensions")[ext.name] = {"schema": ext.schema}
                schemas.add(ext.schema)
    types = _external_types([c for t in tables for c in t.columns] + [c for v in views for c in v.columns], spec)
    schemas |= {t["schema"] for t in types.values()}
    schemas -= imported_schemas | {"public", "pg_catalog"}
    if schemas:
        external["schemas"] = sorted(schemas)
    if ext_tables:
        external["tables"] = ext_tables
    if ext_functions:
        external["functions"] = ext_functions
    if types:
        external["types"] = types
    if external:
        spec.section(spec.main, "external").update(external)
    for trig in attached_triggers:
        doc = {"table": spelling.key(trig.table)} | objects.trigger(trig)
        spec.section(spec.main, "triggers")[trig.name] = doc
    if not spec.section(spec.main, "extensions"):
        del spec.docs[spec.main]["extensions"]
    if not spec.section(spec.main, "triggers"):
        del spec.docs[spec.main]["triggers"]


def _external_grants(
    spec: _Spec, tables: dict[Name, ir.Table], catalogs: list[Catalog], cluster_roles: frozenset[str]
) -> set[str]:
    """The grants and revokes on the external tables, as the difference from what they have before the spec's
    migrations: the platform's stand-ins' privileges on its tables (grants.platform), PostgreSQL's defaults (and
    their owner's default privileges) on any other. Returns the roles they name."""

    def on(p: Any) -> bool:
        return p.kind in ("table", "column") and p.object in tables

    held = [p for c in catalogs for p in c.privileges if on(p)]
    baseline = [p for c in catalogs for p in c.baseline if on(p)] + grants.platform(tables, cluster_roles)

    def position(table: Name, column: str) -> int:
        order = [c.name for c in tables[table].columns]
        return order.index(column) if column in order else len(order)

    added, revoked = grants.grants(held, baseline, lambda _kind, _name: spec.main, position)
    named: set[str] = set()
    for section, found, who in (("grants", added, "to"), ("revokes", revoked, "from")):
        for entries in found.values():
            spec.section(spec.main, section).extend(entries)
            named.update(r for e in entries for r in e[who])
    return named


def _external_types(columns: list[ir.Column], spec: _Spec) -> Doc:
    """The types of other schemas the columns use that no declared extension brings (a type made by another
    tool, as PostGIS's would be where it is not installed): `external.types`, read as text by the models."""
    declared = set(spec.docs.get(spec.main, {}).get("extensions", {}))
    found: Doc = {}
    for c in columns:
        ref = sqlparse.type_name_loose(c.sql_type)
        if ref is None or ref[0] is None or ref[0] in spec.options.schemas or ref[0] == "pg_catalog":
            continue
        owner = known_extensions.type_extension(ref[1])
        if owner is None or owner not in declared:
            found.setdefault(ref[1], {"schema": ref[0], "python_type": "str"})
    return dict(sorted(found.items()))


def _external_table(t: ir.Table) -> Doc:
    pk = next((c.columns for c in t.constraints if c.kind == "primary_key"), ())
    unique = {c.columns[0] for c in t.constraints if c.kind == "unique" and len(c.columns) == 1}
    columns: Doc = {}
    for c in t.columns:
        entry: Doc = {"type": spelling.type_text(c.sql_type)}
        if c.name in pk:
            entry["primary_key"] = True
        elif c.name in unique:
            entry["unique"] = True
        if c.not_null and c.name not in pk:
            entry["not_null"] = True
        columns[c.name] = entry
    doc: Doc = {"columns": columns}
    if t.row_level_security:
        doc["row_level_security"] = True
    if t.policies:
        doc["policies"] = {p.name: objects.policy(p) for p in t.policies}
    if t.indexes:  # the stand-ins make none (beyond its keys'): each one is the user's
        doc["indexes"] = {ix.name.name: objects.index(ix) for ix in t.indexes}
    return doc


def _files(spec: _Spec) -> dict[str, str]:
    by_module: dict[str, list[Left]] = {}
    for left in sorted(set(spec.left)):
        by_module.setdefault(left.module if left.module in spec.docs else spec.main, []).append(left)
    files = {}
    for module in sorted(spec.docs):
        doc = {k: spec.docs[module][k] for k in FILE_ORDER if spec.docs[module].get(k)}
        header = ["Imported by `schemagen import` from the database's catalog."]
        lefts = by_module.get(module, [])
        if lefts:
            header += ["", "NOT IMPORTED: the spec cannot express these yet (kind, name: why):"]
            header += [f"  - {left.line}" for left in lefts]
        files[f"{module}.yaml"] = yamlout.dump(doc, header)
    return files
