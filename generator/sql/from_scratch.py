"""IR -> the SQL of a migration that creates the whole schema.

Rendering is pure: it returns text and touches no file. The statement list is
computed here (what, in which order, under which heading); the templates in
templates/sql/ only lay each statement out, from the view of it that views.py gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from .. import ir
from ..ir import order
from ..pg import extensions, sqlparse
from ..templating import environment
from . import extensions as extension_views
from . import namespaces, publications, rows, sequences, usertypes, views

# Rank of each kind of statement: the order of a readable migration. Kinds of
# equal rank keep the order they are listed in, so a table's partitions and
# indexes follow it, and a table's policies follow its ENABLE ROW LEVEL SECURITY.
RANK = {
    "extension": 0,
    "enum": 0,
    "sequence": 0,
    "table": 1,
    "partition": 1,
    "index": 1,
    "replica_identity": 1,
    "foreign_key": 2,
    "sequence_owner": 2,
    "function": 3,
    "trigger": 4,
    "event_trigger": 4,  # funcs5
    "aggregate": 3,  # aggs6: after its functions, before what calls it
    "rls": 5,
    "policy": 5,
    "grant": 6,
    "revoke": 6,  # privileges K5: listed before the grants, which win where both name a privilege
    "default_privileges": 0,  # privileges K5: before the objects, which get them when created
    "schema": 0,
    "view": 3,
    "maintain": 7,  # a time partitioning's first maintenance: once everything else is there
    "rows": 7,
    "domain": 0,  # types5
    "composite_type": 0,  # types5
    "range_type": 0,  # types5
    "publication": 6,  # K1: after the tables it publishes
}


def _same(view: Any) -> Any:
    return view


# The view each template reads (views.py), by template.
VIEWS: dict[str, Callable[[Any], Any]] = {
    "extension": extension_views.ExtensionView,
    "enum": views.EnumView,
    "sequence": sequences.SequenceView,
    "sequence_owner": sequences.OwnerView.of,
    "table": views.TableView,
    "partition": views.PartitionView,
    "index": views.IndexView,
    "replica_identity": views.ReplicaIdentityView,
    "foreign_key": views.ForeignKeyView,
    "function": views.FunctionView,
    "function_unchecked": views.FunctionView,
    "trigger": views.TriggerView,
    "event_trigger": views.EventTriggerView,  # funcs5
    "aggregate": views.AggregateView,  # aggs6
    "rls": views.RlsView,
    "policy": views.PolicyView,
    "grant": views.GrantView,
    "revoke": views.RevokeView,
    "default_privileges": views.DefaultPrivilegesView,
    "schema": namespaces.SchemaView,
    "view": namespaces.ViewView,
    "maintain": views.MaintainView,
    "rows": _same,
    "domain": usertypes.DomainView,  # types5
    "composite_type": usertypes.CompositeView,  # types5
    "range_type": usertypes.RangeView,  # types5
    "publication": publications.PublicationView,
}


@dataclass(frozen=True)
class Statement:
    section: str
    template: str
    obj: Any  # the IR object it creates (views.PartitionOf / ForeignKey: with its table)
    comments: tuple[views.Comment, ...] = ()


@dataclass(frozen=True)
class Section:
    title: str
    statements: list[str]


@dataclass(frozen=True)
class MigrationView:
    number: str
    name: str
    sources: str
    sections: list[Section]


def _calls(text: str | None, functions: dict[str, list[ir.FunctionKey]]) -> list[tuple[str, ir.FunctionKey]]:
    # From the parse tree, not by looking for every function's name in every
    # text: that was O(texts x functions). No "(" means no call, and no parse.
    # A call of an overloaded name depends on each of its overloads.
    if not text or "(" not in text:
        return []
    return [("function", key) for name in sorted(sqlparse.called_names(text)) for key in functions.get(name, ())]


def _named(name: ir.Name, overloads: dict[ir.Name, list[ir.FunctionKey]]) -> list[tuple[str, ir.FunctionKey]]:
    """The function nodes a reference by name (a trigger's, a view's call) depends on: each overload of it."""
    return [("function", key) for key in overloads.get(name, ())]


def _sequences_used(t: ir.Table, own: set[ir.Name]) -> list[tuple[str, ir.Name]]:
    """The spec's sequences a table's defaults name (nextval('s')): created before the table."""
    used = {
        ir.Name(ref.schema or "public", ref.name) for c in t.columns for ref in sqlparse.sequence_refs(c.default or "")
    }
    return [("sequence", name) for name in sorted(used & own, key=str)]


def _index_calls(ix: ir.Index, functions: dict[str, list[ir.FunctionKey]]) -> list[tuple[str, ir.FunctionKey]]:
    """The spec functions an index's expressions call: PostgreSQL needs them to build it, and to drop them, the
    index gone."""
    return [call for e in ix.elements for call in _calls(e.expression, functions)]


def _for_last_schema(compute: Callable[[ir.Schema], Any]) -> Callable[[ir.Schema], Any]:
    """`compute`, remembering its result for the last schema it was given.

    A build asks more than once for the same schema (the diff for the previous
    and the new state, the docs for each object's SQL). Keyed by identity: the
    IR is immutable, and hashing it would cost a walk of it. The result is
    shared between callers: read it, do not change it.
    """
    last: list[Any] = []

    @wraps(compute)
    def remembered(schema: ir.Schema) -> Any:
        if not last or last[0] is not schema:
            last[:] = [schema, compute(schema)]
        return last[1]

    return remembered


def statements(schema: ir.Schema) -> list[Statement]:
    """Every statement of the from-scratch migration, in dependency order."""
    return [n.payload for n in order.toposort(nodes(schema))]


@_for_last_schema
def nodes(schema: ir.Schema) -> list[order.Node]:
    """One node per statement, keyed by (kind, object key), with the keys of what it uses.

    The diff reads the same nodes: to create an object exactly as the
    from-scratch migration does, and to know what depends on what.
    """
    functions: dict[str, list[ir.FunctionKey]] = {}
    overloads: dict[ir.Name, list[ir.FunctionKey]] = {}
    for f in schema.functions:
        functions.setdefault(f.name.name, []).append(f.key)
        overloads.setdefault(f.name, []).append(f.key)
    for a in schema.aggregates:  # aggs6: called like a function (its node is an aggregate's: see _aggregate_calls)
        functions.setdefault(a.name.name, []).append(a.key)
        overloads.setdefault(a.name, []).append(a.key)
    result: list[order.Node] = []

    def node(kind: str, key: Any, deps: list[Any], stmt: Statement) -> None:
        result.append(order.Node((kind, key), RANK[kind], deps, stmt))

    for ns in schema.schemas:
        comments = (views.Comment(views.Object("schema", ns.q), ns.comment),) if ns.comment else ()
        node("schema", ns.name, [], Statement("Schemas", "schema", ns, comments))
    own_schemas = {ns.name for ns in schema.schemas}
    for i, d in enumerate(schema.default_privileges):  # privileges K5: before the objects that get them
        needs: list[Any] = [("schema", d.schema)] if d.schema in own_schemas else []
        # after the extensions: their functions and types keep PostgreSQL's own privileges (EXECUTE to PUBLIC)
        needs += [("extension", x.name) for x in schema.extensions]
        node("default_privileges", i, needs, Statement("Default privileges", "default_privileges", d))
    for x in schema.extensions:
        comments = (views.Comment(views.Object("extension", x.q), x.comment),) if x.comment else ()
        node("extension", x.name, [], Statement("Extensions", "extension", x, comments))
    extension_of = extensions.type_owners(schema.extensions)
    for e in schema.enums:
        comments = (views.Comment(views.Object("type", e.name.q), e.comment),) if e.comment else ()
        node("enum", e.name, [], Statement("Enum types", "enum", e, comments))
    own_sequences = {s.name for s in schema.sequences}
    for s in schema.sequences:
        comments = (views.Comment(views.Object("sequence", s.name.q), s.comment),) if s.comment else ()
        node("sequence", s.name, [], Statement("Sequences", "sequence", s, comments))
    type_uses = usertypes.TypeUses(schema)
    _user_type_nodes(schema, type_uses, extension_of, functions, node)
    for t in schema.tables:
        deps: list[Any] = [("enum", c.enum) for c in t.columns if c.enum is not None]
        deps += type_uses.of(t.columns)
        deps += _sequences_used(t, own_sequences)
        deps += sorted({("extension", extension_of[c.base]) for c in t.columns if c.base in extension_of})
        for c in t.columns:
            deps += _calls(c.default, functions)
        for con in t.inline_constraints:
            deps += _calls(con.check, functions)
        section = f"Table {t.name.display}"
        node("table", t.name, deps, Statement(section, "table", t, table_comments(t)))
        for p in t.partitions:
            comments = (views.Comment(views.Object("table", p.name.q), p.comment),) if p.comment else ()
            node(
                "partition",
                p.name,
                [("table", t.name)],
                Statement(section, "partition", views.PartitionOf(t, p), comments),
            )
        for ix in t.indexes:
            comments = (views.Comment(views.Object("index", ix.name.q), ix.comment),) if ix.comment else ()
            node(
                "index",
                ix.name,
                [("table", t.name)] + _calls(ix.where, functions) + _index_calls(ix, functions),
                Statement(section, "index", ix, comments),
            )
        for p in t.partitions:  # K3: a partition's own indexes and constraints, once it exists
            _partition_objects(t, p, section, functions, node)
        if t.replica_identity != "default":
            index = [] if t.replica_index is None else [("index", ir.Name(t.name.schema, t.replica_index))]
            node("replica_identity", t.name, [("table", t.name)] + index, replica_statement(t, section))
        for fk in t.foreign_keys:
            assert fk.ref_table is not None
            comments = (views.Comment(views.Object("constraint", fk.q, t.name.q), fk.comment),) if fk.comment else ()
            node(
                "foreign_key",
                (t.name, fk.name),
                [("table", t.name), ("table", fk.ref_table)],
                Statement("Foreign keys", "foreign_key", views.ForeignKey(t, fk), comments),
            )
        for con in t.not_valid_checks:  # CREATE TABLE would validate it: added after, as a foreign key is
            comments = (views.Comment(views.Object("constraint", con.q, t.name.q), con.comment),) if con.comment else ()
            node(
                "foreign_key",
                (t.name, con.name),
                [("table", t.name)] + _calls(con.check, functions),
                Statement("Constraints added NOT VALID", "foreign_key", views.ForeignKey(t, con), comments),
            )
    for s in schema.sequences:
        if s.owner is not None:
            node(
                "sequence_owner",
                s.name,
                [("sequence", s.name), ("table", s.owner)],
                Statement(f"Table {s.owner.display}", "sequence_owner", s),
            )
    relations = {t.name: ("table", t.name) for t in schema.tables} | {
        p.name: ("partition", p.name) for t in schema.tables for p in t.partitions
    }
    relations |= {v.name: ("view", v.name) for v in schema.views}
    body_deps = {f.key: _body_uses(f, relations, functions) for f in schema.functions if f.language == "sql"}
    for f in schema.functions:
        comments = (views.Comment(views.Object(f.kind, f.signature), f.comment),) if f.comment else ()
        node("function", f.key, body_deps.get(f.key, []), Statement("Functions", "function", f, comments))
    for a in schema.aggregates:  # aggs6: after its support functions (and its schema)
        comments = (views.Comment(views.Object("aggregate", a.signature), a.comment),) if a.comment else ()
        deps = [d for fn in a.support for d in _named(fn, overloads)]
        deps += [("schema", a.name.schema)] if a.name.schema in own_schemas else []
        node("aggregate", a.key, deps, Statement("Aggregates", "aggregate", a, comments))
    for v in schema.views:
        _view_nodes(v, relations, overloads, node)
    for trg in schema.triggers:
        comments = (views.Comment(views.Object("trigger", trg.q, trg.table.q), trg.comment),) if trg.comment else ()
        node(
            "trigger",
            (trg.table, trg.name),
            [("table", trg.table), *_named(trg.function, overloads)] + _calls(trg.when, functions),
            Statement("Triggers", "trigger", trg, comments),
        )
    for et in schema.event_triggers:  # funcs5: after the function it runs
        comments = (views.Comment(views.Object("event trigger", et.q), et.comment),) if et.comment else ()
        node(
            "event_trigger",
            et.name,
            _named(et.function, overloads),
            Statement("Event triggers", "event_trigger", et, comments),
        )
    for t in schema.tables:
        section = f"Row level security: {t.name.display}"
        if views.has_rls_statement(t):
            node("rls", t.name, [("table", t.name)], Statement(section, "rls", t))
        for pol in t.policies:
            deps = [("table", t.name)] + _calls(pol.using, functions) + _calls(pol.check, functions)
            comments = (views.Comment(views.Object("policy", pol.q, t.name.q), pol.comment),) if pol.comment else ()
            node("policy", (t.name, pol.name), deps, Statement(section, "policy", pol, comments))
    for ext in schema.external.tables:  # the spec's indexes on a table made elsewhere (funcs5); the table exists
        for ix in ext.indexes:
            comments = (views.Comment(views.Object("index", ix.name.q), ix.comment),) if ix.comment else ()
            deps = _calls(ix.where, functions) + _index_calls(ix, functions)
            node("index", ix.name, deps, Statement(f"Indexes on {ext.name.display}", "index", ix, comments))
    for ext in schema.external.tables:  # the spec's policies on a table made elsewhere (storage.objects)
        section = f"Row level security: {ext.name.display}"
        for pol in ext.policies:
            deps = _calls(pol.using, functions) + _calls(pol.check, functions)
            comments = (views.Comment(views.Object("policy", pol.q, ext.name.q), pol.comment),) if pol.comment else ()
            node("policy", (ext.name, pol.name), deps, Statement(section, "policy", pol, comments))
    own = {ns.q: ns.name for ns in schema.schemas}
    for i, r in enumerate(schema.revokes):  # privileges K5: after the object, before the grants
        deps = [("schema", own[r.target])] if r.kind == "schema" and r.target in own else []
        node("revoke", i, deps, Statement("Grants", "revoke", r))
    for i, g in enumerate(schema.grants):
        deps = [("schema", own[g.target])] if g.kind in ("schema", "all_sequences") and g.target in own else []
        node("grant", i, deps, Statement("Grants", "grant", g))
    for t in schema.tables:
        if t.time_partitions is not None:
            deps = [("table", t.name), *_named(t.time_partitions.function, overloads)]
            deps += [("partition", p.name) for p in t.partitions] + [("index", ix.name) for ix in t.indexes]
            deps += [("rls", t.name)] if views.has_rls_statement(t) else []
            node("maintain", t.name, deps, Statement("Time partitions", "maintain", t))
    seeded: list[tuple[ir.Name, ir.SeedRows, tuple[ir.Constraint, ...]]] = [
        (t.name, t.rows, t.foreign_keys) for t in schema.tables if t.rows is not None
    ]
    seeded += [(t.name, t.rows, t.foreign_keys) for t in schema.external.tables if t.rows is not None]
    for name, seed, fks in seeded:  # after the table, and after the seed rows its foreign keys reference
        deps = [("table", name)] + [("rows", fk.ref_table) for fk in fks if fk.ref_table != name]
        view = rows.RowsView(name, seed, seed.data)
        node("rows", name, deps, Statement(f"Rows of {name.display}", "rows", view))
    for pub in schema.publications:
        if pub.external and not pub.tables:
            continue  # made elsewhere, and the spec adds nothing to it
        comments = (views.Comment(views.Object("publication", pub.q), pub.comment),) if pub.comment else ()
        deps = [("table", t) for t in pub.tables]
        node("publication", pub.name, deps, Statement("Publications", "publication", pub, comments))
    _in_own_schemas(result, frozenset(own.values()))
    _aggregate_calls(result, {a.key for a in schema.aggregates})
    return _unchecked_in_cycles(result, body_deps)


def _aggregate_calls(result: list[order.Node], aggregates: set[ir.FunctionKey]) -> None:
    """A call of an aggregate (in a view, a default, a policy...) depends on the aggregate's node (aggs6)."""
    if not aggregates:
        return
    for n in result:
        n.deps = [
            ("aggregate", d[1]) if isinstance(d, tuple) and d[0] == "function" and d[1] in aggregates else d
            for d in n.deps
        ]


def _user_type_nodes(
    schema: ir.Schema,
    uses: usertypes.TypeUses,
    extension_of: dict[str, str],
    functions: dict[str, list[ir.FunctionKey]],
    node: Callable[..., None],
) -> None:
    """Domains, composite and range types (types5), each after the extension, enum or type of the spec it uses."""

    def deps_of(columns: tuple[ir.Column, ...]) -> list[Any]:
        deps: list[Any] = [("enum", c.enum) for c in columns if c.enum is not None]
        deps += sorted({("extension", extension_of[c.base]) for c in columns if c.base in extension_of})
        return deps + uses.of(columns)

    for d in schema.domains:
        deps = deps_of((d.base_column,)) + _calls(d.default, functions)
        for check in d.checks:
            deps += _calls(check.check, functions)
        comment = (views.Comment(views.Object("domain", d.name.q), d.comment),) if d.comment else ()
        node("domain", d.name, deps, Statement("Domains", "domain", d, comment))
    for c in schema.composite_types:
        node(
            "composite_type",
            c.name,
            deps_of(c.attributes),
            Statement("Composite types", "composite_type", c, composite_comments(c)),
        )
    for r in schema.range_types:
        comment = (views.Comment(views.Object("type", r.name.q), r.comment),) if r.comment else ()
        subtype = (ir.Column("", r.subtype, r.subtype_base),)
        deps = deps_of(subtype)
        for fn in (r.subtype_diff, r.canonical):  # a spec function named (unqualified, or in its schema)
            name = fn.split(".")[-1].strip('"') if fn else None
            deps += [("function", key) for key in functions.get(name or "", ())]
        node("range_type", r.name, deps, Statement("Range types", "range_type", r, comment))


def composite_comments(c: ir.CompositeType) -> tuple[views.Comment, ...]:
    """COMMENT ON TYPE and on each attribute (COMMENT ON COLUMN type.attribute) that has one (types5)."""
    comments = [views.Comment(views.Object("type", c.name.q), c.comment)] if c.comment else []
    comments += [views.Comment(views.Object("column", a.q, c.name.q), a.comment) for a in c.attributes if a.comment]
    return tuple(comments)


def _partition_objects(
    t: ir.Table, p: ir.Partition, section: str, functions: dict[str, list[ir.FunctionKey]], node: Callable[..., None]
) -> None:
    """The statements of a partition's own indexes and constraints (K3): after the partition, a foreign key after its
    target table too."""
    own = t.own_table(p)
    for ix in p.indexes:
        comments = (views.Comment(views.Object("index", ix.name.q), ix.comment),) if ix.comment else ()
        deps: list[Any] = [("partition", p.name), *_calls(ix.where, functions), *_index_calls(ix, functions)]
        node("index", ix.name, deps, Statement(section, "index", ix, comments))
    for con in p.constraints:
        comments = (views.Comment(views.Object("constraint", con.q, p.name.q), con.comment),) if con.comment else ()
        deps = [("partition", p.name), *_calls(con.check, functions)]
        deps += [("table", con.ref_table)] if con.ref_table is not None else []
        title = "Foreign keys" if con.is_foreign_key else "Constraints of partitions"
        node(
            "foreign_key",
            (p.name, con.name),
            deps,
            Statement(title, "foreign_key", views.ForeignKey(own, con), comments),
        )


def _view_nodes(
    v: ir.View,
    relations: dict[ir.Name, tuple[str, ir.Name]],
    overloads: dict[ir.Name, list[ir.FunctionKey]],
    node: Callable[..., None],
) -> None:
    """A view after what it reads and calls; a materialized view's indexes after it."""
    section = f"{'Materialized view' if v.materialized else 'View'} {v.name.display}"
    deps: list[Any] = [relations[r] for r in v.reads if r in relations]
    deps += [d for f in v.calls for d in _named(f, overloads)]
    node("view", v.name, deps, Statement(section, "view", v, view_comments(v)))
    for ix in v.indexes:
        comments = (views.Comment(views.Object("index", ix.name.q), ix.comment),) if ix.comment else ()
        node("index", ix.name, [("view", v.name)], Statement(section, "index", ix, comments))


def view_comments(v: ir.View) -> tuple[views.Comment, ...]:
    comments = [views.Comment(views.Object(v.kind, v.name.q), v.comment)] if v.comment else []
    comments += [views.Comment(views.Object("column", c.q, v.name.q), c.comment) for c in v.columns if c.comment]
    return tuple(comments)


def _in_own_schemas(result: list[order.Node], own: frozenset[str]) -> None:
    """Each object in a schema the spec creates is created after it (and dropped before it)."""
    if not own:
        return
    for n in result:
        schema = namespaces.in_own_schema(n.key, own)
        if schema is not None and n.key != ("schema", schema):
            n.deps = [*n.deps, ("schema", schema)]


def _body_uses(
    f: ir.Function, relations: dict[ir.Name, tuple[str, ir.Name]], functions: dict[str, list[ir.FunctionKey]]
) -> list[Any]:
    """What a LANGUAGE sql function's body needs to exist when it is created (PostgreSQL checks
    the body then): the spec's tables and partitions it reads or writes, and the spec functions it calls.
    Unqualified names resolve along the function's search_path (default: public)."""
    uses = sqlparse.sql_body_uses(f.body)
    path = [s for s in (f.search_path or ("public",)) if s != "pg_catalog"]
    deps: list[Any] = []
    for schema_name, name in sorted(uses.relations, key=str):
        for candidate in [schema_name] if schema_name is not None else path:
            key = relations.get(ir.Name(candidate, name))
            if key is not None:
                deps.append(key)
                break
    deps += [("function", key) for name in sorted(uses.calls) for key in functions.get(name, ()) if key != f.key]
    return deps


def _unchecked_in_cycles(result: list[order.Node], body_deps: dict[ir.FunctionKey, list[Any]]) -> list[order.Node]:
    """A SQL function on a cycle (a table's DEFAULT or CHECK calls it, and its body reads that
    table) cannot follow what its body reads: it is created with its body unchecked
    (check_function_bodies off, as pg_dump does), before the table; the body is checked when it first runs."""
    if not body_deps:
        return result
    cyclic = order.cyclic(result)
    for n in result:
        kind, name = n.key if isinstance(n.key, tuple) else (None, None)
        if n.key in cyclic and kind == "function" and name in body_deps:
            n.deps = []
            n.payload = Statement(n.payload.section, "function_unchecked", n.payload.obj, n.payload.comments)
    return result


def replica_statement(t: ir.Table, section: str) -> Statement:
    """ALTER TABLE ... REPLICA IDENTITY of `t`, as it is (DEFAULT too: the diff sets it back)."""
    return Statement(section, "replica_identity", t)


def table_comments(t: ir.Table) -> tuple[views.Comment, ...]:
    comments = [views.Comment(views.Object("table", t.name.q), t.comment)] if t.comment else []
    comments += [views.Comment(views.Object("column", c.q, t.name.q), c.comment) for c in t.columns if c.comment]
    comments += [
        views.Comment(views.Object("constraint", c.q, t.name.q), c.comment) for c in t.created_constraints if c.comment
    ]
    return tuple(comments)


def render_statement(stmt: Statement) -> str:
    """A statement and its COMMENT ON statements, as text."""
    text = views.statement(stmt.template, VIEWS[stmt.template](stmt.obj))
    if stmt.comments:
        text += views.statement("comments", views.Comments(stmt.comments))
    return text.rstrip("\n")


@_for_last_schema
def rendered_statements(schema: ir.Schema) -> list[tuple[Statement, str]]:
    """Every statement of the migration with its SQL text, its COMMENT statements included."""
    return [(stmt, render_statement(stmt)) for stmt in statements(schema)]


def migration_sql(schema: ir.Schema, sources: list[str]) -> str:
    sections: list[Section] = []
    for stmt, text in rendered_statements(schema):
        if not sections or sections[-1].title != stmt.section:
            sections.append(Section(stmt.section, []))
        sections[-1].statements.append(text)
    view = MigrationView(f"{schema.version:04d}", schema.name, ", ".join(sources), sections)
    return environment().get_template("sql/migration.sql.j2").render(migration=view)
