"""One function per kind: an IR object as the spec writes it, every default of PostgreSQL's and every name it
would choose left out (ir/names.py derives them as the resolver does)."""

from __future__ import annotations

from typing import Any

from .. import ir
from ..ir import Name, names
from ..pg import datatypes, extensions, quoting, sqlparse
from . import spelling

Doc = dict[str, Any]

INTEGER_RANGE = {"smallint": (-32768, 32767), "integer": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
SERIAL = {"smallint": "smallserial", "integer": "serial", "bigint": "bigserial"}


def _put(doc: Doc, key: str, value: Any, default: Any = None) -> None:
    if value != default and value is not None:
        doc[key] = value


# -- columns and constraints ---------------------------------------------
def is_serial(table: ir.Table, column: ir.Column, seq: ir.Sequence | None) -> bool:
    """Whether the column is what `type: serial` makes: its own sequence, named as PostgreSQL names it, with
    the default options, OWNED BY it, as its default."""
    if seq is None or column.sql_type not in SERIAL or seq.data_type != column.sql_type or seq.comment:
        return False
    high = INTEGER_RANGE[seq.data_type][1]
    refs = sqlparse.sequence_refs(column.default) if column.default and column.default.startswith("nextval(") else ()
    return (
        seq.name == Name(table.name.schema, names.make_object_name(table.name.name, column.name, "seq"))
        and (seq.start, seq.increment, seq.min_value, seq.max_value, seq.cache, seq.cycle) == (1, 1, 1, high, 1, False)
        and column.not_null
        and len(refs) == 1
        and refs[0].name == seq.name.name
        and refs[0].schema in (None, seq.name.schema)
    )


def inline_kind(table: ir.Table, c: ir.Constraint) -> str | None:
    """The column key (`primary_key`, `unique`, `references`, `check`) a constraint is written as, when it is
    one a column states by itself, under the name PostgreSQL gives it; None: it goes to `constraints:`."""
    t = table.name.name
    if c.comment or c.deferrable or c.not_valid or c.nulls_not_distinct:
        return None
    if c.kind == "primary_key" and len(c.columns) == 1 and c.name == names.make_object_name(t, None, "pkey"):
        return "primary_key"
    if (
        c.kind == "unique"
        and len(c.columns) == 1
        and c.name == names.derived_constraint_name(t, list(c.columns), "key")
    ):
        return "unique"
    if (
        c.kind == "foreign_key"
        and len(c.columns) == 1
        and c.name == names.derived_constraint_name(t, list(c.columns), "fkey")
    ):
        return "references"
    if c.kind == "check" and c.check is not None:
        used = check_columns(c.check)
        if len(used) == 1 and c.name == names.make_object_name(t, next(iter(used)), "check"):
            return "check"
    return None


def check_columns(text: str) -> set[str]:
    return {parts[-1] for parts, _ in sqlparse.expression_column_refs(text)}


def column(table: ir.Table, c: ir.Column, inline: list[ir.Constraint], serial: bool) -> Doc:
    doc: Doc = {"type": SERIAL[c.sql_type] if serial else spelling.type_text(c.sql_type)}
    kinds = {inline_kind(table, k): k for k in inline}
    if c.not_null and "primary_key" not in kinds and not serial:
        doc["not_null"] = True
    if "primary_key" in kinds:
        doc["primary_key"] = True
    if "unique" in kinds:
        doc["unique"] = True
    if not serial:
        _put(doc, "default", spelling.default(c.default, doc["type"]))
    _put(doc, "identity", c.identity)
    if c.generated is not None:
        expression = spelling.expression(c.generated)
        doc["generated"] = {"expression": expression, "virtual": True} if c.virtual else expression
    _put(doc, "collation", c.collation)
    if "check" in kinds:
        doc["check"] = spelling.expression(kinds["check"].check)
    fk = kinds.get("references")
    if fk is not None and fk.ref_table is not None:
        doc["references"] = spelling.reference(fk.ref_table, fk.ref_columns)
        _put(doc, "on_delete", fk.on_delete)
        _put(doc, "on_update", fk.on_update)
    _put(doc, "python_type", "str" if untyped(c) else None)
    _put(doc, "comment", c.comment)
    return doc


def untyped(c: ir.Column) -> bool:
    """Whether the column is of a built-in type the models have no Python type for (tsvector, regconfig; a range
    they type by its subtype): the spec gives it `python_type: str`, as the models read it."""
    ref = sqlparse.type_name_loose(c.sql_type)
    builtin = ref is not None and ref[0] in (None, "pg_catalog")
    ranged = c.base in datatypes.BUILTIN_RANGES or c.base in datatypes.BUILTIN_MULTIRANGES
    return c.enum is None and builtin and not ranged and extensions.py_type(c.base) is None


def constraint(table: ir.Table, c: ir.Constraint) -> Doc:
    doc: Doc = {}
    t = table.name.name
    if c.kind == "exclude":
        return exclusion(table, c)
    if c.kind == "check":
        assert c.check is not None
        used = check_columns(c.check)
        derived = names.make_object_name(t, next(iter(used)) if len(used) == 1 else None, "check")
        if c.name != derived:
            doc["name"] = c.name
        doc["check"] = spelling.expression(c.check)
    else:
        label = {"primary_key": "pkey", "unique": "key", "foreign_key": "fkey"}[c.kind]
        derived = (
            names.make_object_name(t, None, "pkey")
            if c.kind == "primary_key"
            else names.derived_constraint_name(t, list(c.columns), label)
        )
        if c.name != derived:
            doc["name"] = c.name
        doc[c.kind] = list(c.columns)
        if c.ref_table is not None:
            doc["references"] = spelling.reference(c.ref_table, c.ref_columns)
            _put(doc, "on_delete", c.on_delete)
            _put(doc, "on_update", c.on_update)
    _put(doc, "nulls_not_distinct", c.nulls_not_distinct, False)
    _put(doc, "deferrable", c.deferrable, False)
    _put(doc, "initially_deferred", c.initially_deferred, False)
    _put(doc, "not_valid", c.not_valid, False)
    _put(doc, "comment", c.comment)
    return doc


def exclusion(table: ir.Table, c: ir.Constraint) -> Doc:
    """An exclusion constraint: each element a key as CREATE INDEX writes it, WITH its operator; the name left out
    where PostgreSQL would choose it (every element a column: an expression's label is PostgreSQL's to figure)."""
    doc: Doc = {}
    labels = [e.key.column for e in c.exclusion]
    if any(label is None for label in labels) or c.name != names.derived_constraint_name(
        table.name.name, [str(label) for label in labels] + list(c.include), "excl"
    ):
        doc["name"] = c.name
    doc["exclude"] = [f"{index_key(e.key)} WITH {e.operator}" for e in c.exclusion]
    _put(doc, "using", c.method, "btree")
    _put(doc, "where", spelling.expression(c.where))
    _put(doc, "include", list(c.include), [])
    _put(doc, "deferrable", c.deferrable, False)
    _put(doc, "initially_deferred", c.initially_deferred, False)
    _put(doc, "comment", c.comment)
    return doc


# -- indexes, partitions ---------------------------------------------------
def index_key(e: ir.IndexElement) -> str:
    text = quoting.ident(e.column) if e.column is not None else (e.expression or "")
    if e.expression is not None and not (text.startswith("(") or "(" in text.split(" ")[0]):
        text = f"({text})"
    if e.collation:
        text += f" COLLATE {e.collation}"
    if e.opclass:
        text += f" {e.opclass}"
        if e.opclass_params:
            text += " (" + ", ".join(f"{k} = {v}" for k, v in e.opclass_params) + ")"
    if e.descending:
        text += " DESC"
    if e.nulls:
        text += f" NULLS {e.nulls.upper()}"
    return text


def _parameter(value: str) -> Any:
    return int(value) if value.isdigit() else value


def index(ix: ir.Index) -> Doc:
    doc: Doc = {"columns": [index_key(e) for e in ix.elements]}
    _put(doc, "unique", ix.unique, False)
    _put(doc, "method", ix.method, "btree")
    _put(doc, "where", spelling.expression(ix.where))
    _put(doc, "include", list(ix.include), [])
    _put(doc, "nulls_not_distinct", ix.nulls_not_distinct, False)
    _put(doc, "with", {k: _parameter(v) for k, v in ix.parameters}, {})
    _put(doc, "comment", ix.comment)
    return doc


def partitioning(table: ir.Table, own: Any) -> Doc:
    """Range, list or hash partitioning with its partitions; `own(partition)` writes a partition's own indexes and
    constraints (K3)."""
    parts: Doc = {}
    for p in sorted(
        table.partitions, key=lambda p: (p.is_default, p.modulus or 0, p.remainder or 0, p.lower, p.name.name)
    ):
        entry: Doc = {"default": True} if p.is_default else _bounds(p)
        _put(entry, "comment", p.comment)
        entry.update(own(p))
        parts[p.name.name] = entry
    doc: Doc = {"by": (table.partition_by or "range").lower(), "key": list(table.partition_key)}
    _put(doc, "partitions", parts, {})
    return doc


def _bounds(p: ir.Partition) -> Doc:
    if p.is_hash:
        return {"modulus": p.modulus, "remainder": p.remainder}
    if p.is_list:
        return {"values": [None if v == "NULL" else spelling.bound(v) for v in p.values]}
    return {"from": spelling.bound(p.lower), "to": spelling.bound(p.upper)}


def partition_objects(table: ir.Table, p: ir.Partition) -> Doc:
    """A partition's own indexes and constraints, as a table's (named after the partition)."""
    own = table.own_table(p)
    doc: Doc = {}
    _put(doc, "indexes", {ix.name.name: index(ix) for ix in p.indexes}, {})
    _put(doc, "constraints", [constraint(own, c) for c in p.constraints], [])
    return doc


# -- the table ---------------------------------------------------------------
def trigger(t: ir.Trigger) -> Doc:
    doc: Doc = {"timing": t.timing, "events": list(t.events)}
    _put(doc, "update_of", list(t.update_of), [])
    _put(doc, "for_each", t.level, "row")
    referencing: Doc = {}
    _put(referencing, "old_table", t.old_table)
    _put(referencing, "new_table", t.new_table)
    _put(doc, "referencing", referencing, {})
    doc["function"] = spelling.key(t.function)
    _put(doc, "args", list(t.args), [])
    _put(doc, "when", spelling.expression(t.when))
    _put(doc, "comment", t.comment)
    return doc


def policy(p: ir.Policy) -> Doc:
    doc: Doc = {}
    _put(doc, "command", p.command, "all")
    _put(doc, "roles", list(p.roles), ["public"])
    _put(doc, "restrictive", p.restrictive, False)
    _put(doc, "using", spelling.expression(p.using))
    _put(doc, "check", spelling.expression(p.check))
    _put(doc, "comment", p.comment)
    return doc


def replica_identity(table: ir.Table) -> Any:
    if table.replica_identity == "index":
        return {"index": table.replica_index}
    return None if table.replica_identity == "default" else table.replica_identity


# -- other kinds -------------------------------------------------------------
def enum(e: ir.Enum) -> Doc:
    doc: Doc = {}
    _put(doc, "comment", e.comment)
    doc["values"] = list(e.values)
    return doc


def sequence(s: ir.Sequence) -> Doc:
    doc: Doc = {}
    _put(doc, "as", s.data_type, "bigint")
    low, high = INTEGER_RANGE.get(s.data_type, INTEGER_RANGE["bigint"])
    ascending = s.increment > 0
    default_min, default_max = (1, high) if ascending else (low, -1)
    _put(doc, "start", s.start, default_min if ascending else default_max)
    _put(doc, "increment", s.increment, 1)
    _put(doc, "min", s.min_value, default_min)
    _put(doc, "max", s.max_value, default_max)
    _put(doc, "cache", s.cache, 1)
    _put(doc, "cycle", s.cycle, False)
    if s.owner is not None and s.owner_column is not None:
        doc["owned_by"] = f"{spelling.key(s.owner)}.{spelling.part(s.owner_column)}"
    _put(doc, "comment", s.comment)
    return doc


def function(f: ir.Function) -> Doc:
    """A function, or a procedure (no result, volatility or planner settings)."""
    doc: Doc = {}
    _put(doc, "comment", f.comment)
    _put(doc, "args", f.args, "")
    if f.kind != "procedure":
        doc["returns"] = f.returns
    _put(doc, "language", f.language, "plpgsql")
    if f.kind != "procedure":
        _put(doc, "volatility", f.volatility, "volatile")
    _put(doc, "security", f.security, "invoker")
    if f.kind != "procedure":
        _put(doc, "strict", f.strict, False)
        _put(doc, "parallel", f.parallel, "unsafe")
        _put(doc, "leakproof", f.leakproof, False)
        _put(doc, "cost", _number(f.cost))
        _put(doc, "rows", _number(f.rows))
    if f.search_path is not None:
        doc["search_path"] = list(f.search_path)
    if f.settings:
        doc["set"] = dict(f.settings)
    doc["body"] = f.body
    return doc


def _number(value: float | None) -> float | int | None:
    return int(value) if value is not None and value == int(value) else value


def event_trigger(e: ir.EventTrigger) -> Doc:
    doc: Doc = {"event": e.event, "function": spelling.key(e.function)}
    _put(doc, "tags", list(e.tags), [])
    _put(doc, "comment", e.comment)
    return doc


def domain(d: ir.Domain) -> Doc:
    """A domain: its one CHECK PostgreSQL names `<domain>_check` as `check:`, the others by name."""
    doc: Doc = {"type": spelling.type_text(d.sql_type)}
    _put(doc, "not_null", d.not_null, False)
    _put(doc, "default", spelling.default(d.default, doc["type"]))
    derived = names.make_object_name(d.name.name, None, "check")
    named: Doc = {}
    for c in d.checks:
        if c.name == derived:
            doc["check"] = spelling.expression(c.check)
        else:
            named[c.name] = spelling.expression(c.check)
    _put(doc, "checks", named, {})
    _put(doc, "collation", d.collation)
    _put(doc, "comment", d.comment)
    return doc


def composite_type(c: ir.CompositeType) -> Doc:
    attributes: Doc = {}
    for a in c.attributes:
        entry: Doc = {"type": spelling.type_text(a.sql_type)}
        _put(entry, "comment", a.comment)
        attributes[a.name] = entry
    doc: Doc = {"attributes": attributes}
    _put(doc, "comment", c.comment)
    return doc


def range_type(r: ir.RangeType) -> Doc:
    doc: Doc = {"subtype": spelling.type_text(r.subtype)}
    _put(doc, "subtype_opclass", r.subtype_opclass)
    _put(doc, "collation", r.collation)
    _put(doc, "canonical", r.canonical)
    _put(doc, "subtype_diff", r.subtype_diff)
    if r.multirange != names.default_multirange(r.name.name):
        doc["multirange"] = r.multirange
    _put(doc, "comment", r.comment)
    return doc


def publication(p: ir.Publication) -> Doc:
    """A publication: its tables (with a column list or row filter as `{table: ...}`), what it publishes where not
    all four operations."""
    doc: Doc = {}
    if p.all_tables:
        doc["for_all_tables"] = True
    tables: list[Any] = []
    for t in p.tables:
        f = p.filter_of(t)
        if f is None:
            tables.append(spelling.key(t))
            continue
        entry: Doc = {"table": spelling.key(t)}
        _put(entry, "columns", list(f.columns), [])
        _put(entry, "where", spelling.expression(f.where))
        tables.append(entry)
    _put(doc, "tables", tables, [])
    _put(doc, "publish", list(p.publish), ["insert", "update", "delete", "truncate"])
    _put(doc, "comment", p.comment)
    return doc


def aggregate_key(a: ir.Aggregate) -> str:
    """An aggregate's key: its signature, `product(numeric)` (aggs6)."""
    return f"{spelling.key(a.name)}({', '.join(a.arg_types)})"


def aggregate(a: ir.Aggregate) -> Doc:
    doc: Doc = {"sfunc": spelling.key(a.sfunc), "stype": a.stype}
    _put(doc, "finalfunc", None if a.finalfunc is None else spelling.key(a.finalfunc))
    _put(doc, "initcond", a.initcond)
    _put(doc, "combinefunc", None if a.combinefunc is None else spelling.key(a.combinefunc))
    _put(doc, "parallel", a.parallel, "unsafe")
    _put(doc, "comment", a.comment)
    return doc


def view(v: ir.View) -> Doc:
    doc: Doc = {}
    _put(doc, "comment", v.comment)
    doc["query"] = v.query.strip() + "\n"
    if not v.materialized:
        _put(doc, "security_invoker", v.security_invoker, False)
        _put(doc, "check_option", v.check_option)
    columns: Doc = {}
    for c in v.columns:
        entry: Doc = {"type": spelling.type_text(c.sql_type)}
        _put(entry, "comment", c.comment)
        columns[c.name] = entry
    _put(doc, "columns", columns, {})
    if v.materialized:
        _put(doc, "indexes", {ix.name.name: index(ix) for ix in v.indexes}, {})
    return doc
