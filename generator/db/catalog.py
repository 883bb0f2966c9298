"""A live database's schema, read from pg_catalog into schemagen's IR.

One query per kind of object (relations, columns, constraints, indexes,
policies, triggers, functions, types, privileges), each for every object of
the schemas asked for at once, in one REPEATABLE READ READ ONLY transaction:
the cost grows with the number of objects, not with round trips. The queries
are templates/sql/db/catalog/*.sql.j2.

Definitions come back as PostgreSQL prints them (pg_get_expr,
pg_get_indexdef, pg_get_triggerdef, pg_get_function_arguments, format_type):
`(now() + '01:00:00'::interval)` where a spec wrote `NOW() + INTERVAL '1 hour'`.
db/expressions.py compares such texts by meaning. Types are spelled as the
IR spells them (resolve/types.py: type_sql), names as the resolver derives them.

What the IR cannot hold (a disabled trigger, a view, an index on a single
partition, ...) is listed in `Catalog.unmanaged`,
so that a reader (drift, import) can report it rather than miss it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from pglast import ast, parse_sql
from pglast.parser import ParseError, parse_sql_json
from pglast.stream import RawStream
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

from .. import ir
from ..ir import Name, names
from ..pg import datatypes, indexkeys, quoting, sqlparse
from ..resolve.types import canonical_arg, type_sql
from ..templating import environment

MODULE = "database"  # the module of every object read (the IR needs one; a spec names its own)

ACTIONS = {"a": None, "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
COMMANDS = {"r": "select", "a": "insert", "w": "update", "d": "delete", "*": "all"}
VOLATILITY = {"v": "volatile", "s": "stable", "i": "immutable"}
IDENTITY = {"a": "always", "d": "by default"}
REPLICA_IDENTITY = {"d": "default", "f": "full", "n": "nothing", "i": "index"}
RELKINDS = {"v": "view", "m": "materialized view", "S": "sequence", "f": "foreign table"}
TYPE_KINDS = {"d": "domain", "c": "composite type", "r": "range type"}
READ_TYPE_KINDS = frozenset({"d", "c", "r"})  # types5: read by read_user_types, no longer reported
_EXPLICIT_IN = re.compile(r"(^|, )IN ")  # pg_get_function_arguments writes IN before a procedure's input arguments
PARALLEL = {"u": "unsafe", "r": "restricted", "s": "safe"}
PROKINDS = {"p": "procedure", "a": "aggregate", "w": "window function"}
# pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h)
ROW, BEFORE, INSERT, DELETE, UPDATE, TRUNCATE, INSTEAD = 1, 2, 4, 8, 16, 32, 64
ENABLED = {
    "O": "enabled",
    "D": "disabled",
    "R": "enabled for replica sessions only",
    "A": "enabled always (replica sessions too)",
}


@dataclass(frozen=True)
class Privilege:
    """One privilege of one role on one object (the owner's own are never listed)."""

    kind: str  # "table" | "sequence" | "function" | "procedure" | "schema" (its object: Name(schema, ""))
    object: Name
    role: str  # "public" for PUBLIC
    privilege: str  # lower case: "select", "execute", ...
    grantable: bool = False
    column: str = ""  # privileges K5: kind "column", a column of the table `object`
    types: tuple[str, ...] = ()  # a function's input types: which of its overloads


@dataclass(frozen=True)
class Unmanaged:
    """Something the database has that the IR cannot hold, for the reader to report.

    `kind` says what (a view, a disabled trigger, an index on one partition);
    `name` is the object or its table, `member` the part of it (a trigger's,
    column's or index's name), `detail` PostgreSQL's own words for it.
    """

    kind: str
    name: Name
    member: str = ""
    detail: str = ""


@dataclass(frozen=True)
class IdleTrigger:
    """A trigger PostgreSQL made to enforce a constraint (a foreign key's RI_ConstraintTrigger_*, a deferrable
    constraint's recheck) that does not fire: while it does not, the constraint is not enforced."""

    constraint_table: Name
    constraint: str  # the table's own constraint (a partition's piece of it is served by it)
    table: Name  # where the trigger is: the constraint's table, a referenced table, a partition
    trigger: str
    enabled: str  # PostgreSQL's state in words: "disabled", "enabled for replica sessions only"


@dataclass(frozen=True)
class Catalog:
    schema: ir.Schema  # the objects read, as IR (module "database", version 0)
    privileges: tuple[Privilege, ...]  # what is granted now
    baseline: tuple[Privilege, ...]  # what each object got when it was created (built-in and default privileges)
    unmanaged: tuple[Unmanaged, ...]
    # identity column (table, column) -> its sequence
    sequences: dict[tuple[Name, str], Name] = field(default_factory=dict)
    search_path: tuple[str, ...] = ("pg_catalog", "public")  # the schemas names were printed against
    server_version: int = 0  # server_version_num
    # (index, key position) -> the operator class of a key that has its type's default one (which
    # pg_get_indexdef leaves out, and a spec may write all the same)
    default_opclasses: dict[tuple[Name, int], str] = field(default_factory=dict)
    idle_triggers: tuple[IdleTrigger, ...] = ()  # constraints not enforced
    # privileges K5: every default privilege, as (for_role, schema or None, objtype, role, privilege), and the role
    # that read them
    default_acl: tuple[tuple[str, str | None, str, str, str], ...] = ()
    current_role: str = ""


def read(
    conn: psycopg.Connection[Any], schemas: Iterable[str], *, skip: Iterable[Name] = (), attached: Iterable[Name] = ()
) -> Catalog:
    """Everything in `schemas` (tables, partitions, enums, functions, triggers, privileges, comments),
    objects of `skip` (say, tables a spec declares external) left out, in one consistent snapshot.

    Of the tables `attached` (external tables the spec puts policies or triggers on, e.g. `auth.users`)
    only those policies and triggers are read, whatever their schema: the rest of a schema read only
    for them (Supabase's `auth`) is not the spec's, and is not read."""

    scope = set(schemas)
    on_tables = frozenset(attached)
    only_attached = frozenset(n.schema for n in on_tables) - scope
    wanted = sorted(scope | only_attached)
    skipped = frozenset(skip) | on_tables

    outside = conn.info.transaction_status == TransactionStatus.IDLE
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:

        def rows(query: str) -> list[dict[str, Any]]:
            cur.execute(environment().get_template(f"sql/db/catalog/{query}.sql.j2").render(), {"schemas": wanted})
            return cur.fetchall()

        if outside:  # one snapshot for every query; inside a caller's transaction, that transaction's
            cur.execute(environment().get_template("sql/db/catalog/snapshot.sql.j2").render())
        (settings,) = rows("session")
        reader = _Reader(skipped, on_tables, only_attached)
        reader.read_relations(rows("relations"))
        reader.read_sequences(rows("sequences"))
        reader.extensions = [ir.Extension(r["name"], r["schema"], MODULE, r["comment"]) for r in rows("extensions")]
        reader.read_types(rows("types"))
        reader.read_user_types(rows("domains"), rows("composites"), rows("ranges"))  # types5
        reader.read_columns(rows("columns"))
        reader.read_constraints(rows("constraints"))
        reader.read_views(rows("views"), rows("view_columns"))
        reader.read_indexes(rows("indexes"))
        reader.read_policies(rows("policies"))
        reader.read_functions(rows("functions"))
        reader.read_triggers(rows("triggers"))
        reader.read_aggregates(rows("aggregates"))  # aggs6
        reader.event_triggers = [  # funcs5
            ir.EventTrigger(
                r["name"],
                MODULE,
                r["event"],
                Name(r["function_schema"], r["function_name"]),
                tuple(r["tags"]),
                r["comment"],
            )
            for r in rows("event_triggers")
        ]
        reader.read_namespaces(rows("namespaces"))
        reader.read_privileges(rows("privileges"))
        reader.read_idle_triggers(rows("enforcement"))
        default_acl = tuple(
            (r["for_role"], r["schema"], r["objtype"], r["role"], r["privilege"]) for r in rows("default_acl")
        )
        (role,) = rows("current_role")
        reader.publications = [_publication(r) for r in rows("publications")]
    found = reader.catalog(tuple(settings["path"]), settings["version"])
    return dataclasses.replace(found, default_acl=default_acl, current_role=role["name"])


@dataclass
class _TableParts:
    """A table being assembled from the rows of each query."""

    name: Name
    partition_by: str | None = None
    partition_key: tuple[str, ...] = ()
    rls: bool = False
    force_rls: bool = False
    comment: str | None = None
    replica_identity: str = "default"
    replica_index: str | None = None
    columns: list[ir.Column] = field(default_factory=list)
    constraints: list[ir.Constraint] = field(default_factory=list)
    indexes: list[ir.Index] = field(default_factory=list)
    partitions: list[ir.Partition] = field(default_factory=list)
    policies: list[ir.Policy] = field(default_factory=list)


class _Reader:
    def __init__(
        self, skip: frozenset[Name], attached: frozenset[Name] = frozenset(), outside: frozenset[str] = frozenset()
    ):
        self.skip = skip
        self.attached = attached  # external tables whose policies and triggers are read
        self.outside = outside  # schemas read only for those
        self.attached_oids: dict[int, Name] = {}
        self.attached_policies: dict[Name, list[ir.Policy]] = {}
        self.attached_indexes: dict[Name, list[ir.Index]] = {}  # every index of those tables (funcs5)
        self.tables: dict[int, _TableParts] = {}  # oid -> table (partitions are not tables here)
        self.partitions: dict[int, tuple[Name, int]] = {}  # oid -> (partition, its table's oid)
        self.partition_objects: dict[Name, _TableParts] = {}  # K3: a partition's own indexes and constraints
        self.enums: list[ir.Enum] = []
        self.functions: dict[int, ir.Function] = {}
        self.event_triggers: list[ir.EventTrigger] = []  # funcs5
        self.aggregates: list[ir.Aggregate] = []  # aggs6
        self.triggers: list[ir.Trigger] = []
        self.granted: list[Privilege] = []
        self.baseline: list[Privilege] = []
        self.unmanaged: list[Unmanaged] = []
        self.sequences: dict[tuple[Name, str], Name] = {}
        self.own_sequences: list[ir.Sequence] = []  # all but the identity columns'
        self.extensions: list[ir.Extension] = []
        self.publications: list[ir.Publication] = []
        self.names: dict[tuple[str, int], Name] = {}  # (kind, oid) -> name, for privileges
        self.function_types: dict[int, tuple[str, ...]] = {}  # a function's input types, for its privileges
        self.namespaces: list[ir.Namespace] = []
        self.views: dict[int, ir.View] = {}  # oid -> view or materialized view
        self.default_opclasses: dict[tuple[Name, int], str] = {}
        self.idle: list[IdleTrigger] = []
        self.domains: list[ir.Domain] = []  # types5
        self.composites: list[ir.CompositeType] = []  # types5
        self.ranges: list[ir.RangeType] = []  # types5

    # -- relations -------------------------------------------------------
    def read_relations(self, rows: list[dict[str, Any]]) -> None:
        partitions = []
        for r in rows:
            name = Name(r["schema"], r["name"])
            if name in self.attached and r["kind"] in ("r", "p"):
                self.attached_oids[r["oid"]] = name
                continue
            if r["schema"] in self.outside:
                continue
            if r["kind"] in ("r", "p") and not r["is_partition"]:
                if name in self.skip:
                    continue
                key = tuple(c for c in r["partition_key"] if c is not None)
                self.tables[r["oid"]] = _TableParts(
                    name,
                    r["partition_by"],
                    key,
                    r["rls"],
                    r["force_rls"],
                    r["comment"],
                    REPLICA_IDENTITY[r["replica_identity"]],
                    r["replica_index"] if r["replica_identity"] == "i" else None,
                )
                self.names[("table", r["oid"])] = name
                if r["persistence"] == "u":
                    self.unmanaged.append(Unmanaged("unlogged table", name, detail="UNLOGGED"))
                if r["partition_expressions"]:
                    self.unmanaged.append(Unmanaged("partition key expression", name, detail=r["partition_by"] or ""))
            elif r["kind"] in ("r", "p"):
                partitions.append(r)
            elif r["kind"] in ("v", "m"):
                if name not in self.skip:
                    self.names[("table", r["oid"])] = name  # privileges on a view are a table's
            elif r["kind"] == "S":
                self.names[("sequence", r["oid"])] = name  # an identity column's (part of it) or read_sequences'
            else:
                self.unmanaged.append(Unmanaged(RELKINDS[r["kind"]], name))
        for r in partitions:  # after every table: a partition may sort before its parent
            parent = self.tables.get(r["parent"])
            name = Name(r["schema"], r["name"])
            if parent is None:
                continue  # a partition of a table not read (another schema, or skipped)
            self.partitions[r["oid"]] = (name, r["parent"])
            self.names[("table", r["oid"])] = name
            parent.partitions.append(_partition(name, r["bound"] or "", r["comment"]))
            if r["rls"] or r["force_rls"]:
                self.unmanaged.append(
                    Unmanaged("row level security on a partition", name, detail="enabled" if r["rls"] else "forced")
                )
            if r["persistence"] == "u":
                self.unmanaged.append(Unmanaged("unlogged table", name, detail="UNLOGGED"))
            if r["partition_by"]:
                self.unmanaged.append(Unmanaged("partitioned partition", name, detail=r["partition_by"]))

    def read_sequences(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            owner = Name(r["owner_schema"], r["owner_table"]) if r["owner_table"] is not None else None
            self.own_sequences.append(
                ir.Sequence(
                    Name(r["schema"], r["name"]),
                    MODULE,
                    r["data_type"],
                    r["start"],
                    r["increment"],
                    r["min_value"],
                    r["max_value"],
                    r["cache"],
                    r["cycle"],
                    owner,
                    r["owner_column"],
                    r["comment"],
                )
            )

    def read_types(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            name = Name(r["schema"], r["name"])
            if r["schema"] in self.outside:
                continue
            if r["kind"] == "e":
                self.enums.append(ir.Enum(name, MODULE, tuple(r["labels"]), r["comment"]))
            elif r["kind"] not in READ_TYPE_KINDS:
                self.unmanaged.append(Unmanaged(TYPE_KINDS[r["kind"]], name))

    def read_user_types(
        self, domains: list[dict[str, Any]], composites: list[dict[str, Any]], ranges: list[dict[str, Any]]
    ) -> None:
        """Domains, composite types and range types (types5), each as the resolver makes it of the spec."""
        for r in domains:
            if r["schema"] in self.outside:
                continue
            sql, base, enum, mods = _column_type(r)
            dims = r["array_dims"]
            checks = tuple(
                ir.DomainCheck(n, _unwrap(d.removeprefix("CHECK ").removesuffix(" NOT VALID")) or "")
                for n, d in zip(r["check_names"], r["check_defs"], strict=True)
            )
            self.domains.append(
                ir.Domain(
                    Name(r["schema"], r["name"]),
                    MODULE,
                    sql + "[]" * dims,
                    base,
                    enum,
                    mods,
                    dims,
                    r["not_null"],
                    r["default_sql"],
                    checks,
                    r["collation"],
                    r["comment"],
                )
            )
        attributes: dict[Name, list[ir.Column]] = {}
        comments: dict[Name, str | None] = {}
        for r in composites:
            if r["schema"] in self.outside:
                continue
            name = Name(r["schema"], r["name"])
            sql, base, enum, mods = _column_type(r)
            dims = r["array_dims"]
            column = ir.Column(
                r["attribute"], sql + "[]" * dims, base, enum, mods, dims, comment=r["attribute_comment"]
            )
            attributes.setdefault(name, []).append(column)
            comments[name] = r["comment"]
        self.composites += [ir.CompositeType(n, MODULE, tuple(a), comments[n]) for n, a in attributes.items()]
        for r in ranges:
            if r["schema"] in self.outside:
                continue
            name = Name(r["schema"], r["name"])
            sql, base, _enum, _mods = _column_type(r)
            self.ranges.append(
                ir.RangeType(
                    name,
                    MODULE,
                    sql,
                    base,
                    r["multirange"],
                    r["multirange"] != names.default_multirange(name.name),
                    r["subtype_opclass"],
                    r["collation"],
                    r["canonical"],
                    r["subtype_diff"],
                    r["comment"],
                )
            )

    def read_columns(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            table = self.tables.get(r["relation"])
            if table is None:
                continue
            sql, base, enum, mods = _column_type(r)
            dims = r["array_dims"]
            identity = IDENTITY.get(r["identity"])
            default = None if r["generated"] else _unwrap(r["default_sql"])
            table.columns.append(
                ir.Column(
                    r["name"],
                    sql + "[]" * dims,
                    base,
                    enum,
                    mods,
                    dims,
                    r["not_null"],
                    default,
                    identity,
                    r["comment"],
                    generated=_unwrap(r["default_sql"]) if r["generated"] else None,
                    virtual=r["generated"] == "v",
                    collation=r["collation"],
                )
            )
            if r["sequence_name"] is not None:
                self.sequences[(table.name, r["name"])] = Name(r["sequence_schema"], r["sequence_name"])

    def _partition_parts(self, oid: int) -> _TableParts | None:
        """The own indexes and constraints of partition `oid` being assembled (K3), None for another relation."""
        partition = self.partitions.get(oid)
        if partition is None:
            return None
        return self.partition_objects.setdefault(partition[0], _TableParts(partition[0]))

    def read_constraints(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            table = self.tables.get(r["relation"])
            if table is None:  # K3: a constraint of one partition is the partition's own
                table = self._partition_parts(r["relation"]) if r["local"] else None
            if table is None:
                continue
            if not r["local"]:
                continue  # PostgreSQL's own piece of a foreign key to a partitioned table, one per partition
            kind = {"p": "primary_key", "u": "unique", "c": "check", "f": "foreign_key", "x": "exclude"}.get(r["kind"])
            if kind is None:
                continue
            if kind == "exclude":  # K3 exclusion constraints: read from pg_get_constraintdef
                table.constraints.append(_exclusion(r))
                continue
            columns = tuple(r["columns"]) if kind != "check" else ()
            if kind == "foreign_key":
                table.constraints.append(
                    ir.Constraint(
                        r["name"],
                        kind,
                        columns,
                        ref_table=Name(r["ref_schema"], r["ref_table"]),
                        ref_columns=tuple(r["ref_columns"]),
                        on_delete=ACTIONS[r["on_delete"]],
                        on_update=ACTIONS[r["on_update"]],
                        comment=r["comment"],
                        not_valid=not r["validated"],
                        deferrable=r["deferrable"],
                        initially_deferred=r["deferred"],
                        nulls_not_distinct=r["nulls_not_distinct"],
                    )
                )
                if r["match"] == "f":
                    self.unmanaged.append(Unmanaged("foreign key MATCH FULL", table.name, r["name"], r["definition"]))
            else:
                table.constraints.append(
                    ir.Constraint(
                        r["name"],
                        kind,
                        columns,
                        check=_unwrap(r["check_sql"]),
                        comment=r["comment"],
                        not_valid=not r["validated"],
                        deferrable=r["deferrable"],
                        initially_deferred=r["deferred"],
                        nulls_not_distinct=r["nulls_not_distinct"],
                    )
                )

    def read_indexes(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            if r["of_constraint"]:
                continue  # a primary key's or unique constraint's own index
            table = self.tables.get(r["relation"])
            view = self.views.get(r["relation"])
            if table is None and view is not None:
                index = self._index(r, view.name)
                self.views[r["relation"]] = dataclasses.replace(view, indexes=(*view.indexes, index))
                continue
            external = self.attached_oids.get(r["relation"])  # an index on a table made elsewhere (funcs5)
            if table is None and external is not None:
                self.attached_indexes.setdefault(external, []).append(self._index(r, external))
                continue
            if table is None:  # K3: an index of one partition is the partition's own
                table = self._partition_parts(r["relation"]) if not r["inherited"] else None
            if table is None:
                continue
            table.indexes.append(self._index(r, table.name))
            if not r["valid"]:
                self.unmanaged.append(Unmanaged("invalid index", table.name, r["name"], r["definition"]))

    def _index(self, r: dict[str, Any], relation: Name) -> ir.Index:
        """One index of a table or a materialized view, each key with its collation, operator class (the
        type's default one noted in default_opclasses) and parameters."""
        count = r["key_count"]
        name = Name(r["schema"], r["name"])
        elements = []
        parsed = _index_keys(r["definition"])
        for position, (attnum, attname, key, option) in enumerate(
            zip(r["attnums"][:count], r["attnames"][:count], r["keys"][:count], r["options"][:count])
        ):
            descending, nulls_first = bool(option & 1), bool(option & 2)
            nulls = None if nulls_first == descending else ("first" if nulls_first else "last")
            collation, opclass, params = parsed[position] if position < len(parsed) else (None, None, ())
            if opclass is None:
                self.default_opclasses[(name, position)] = r["opclasses"][position]
            elements.append(
                ir.IndexElement(
                    attname if attnum else None,
                    None if attnum else key,
                    descending,
                    nulls,
                    collation,
                    opclass,
                    params,
                )
            )
        return ir.Index(
            name,
            relation,
            tuple(elements),
            r["is_unique"],
            r["method"],
            _unwrap(r["predicate"]),
            tuple(r["attnames"][count:]),
            r["comment"],
            tuple(sorted(_option(o) for o in r["parameters"] or ())),
            r["nulls_not_distinct"],
        )

    def read_policies(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            table = self.tables.get(r["relation"])
            external = self.attached_oids.get(r["relation"])
            if external is not None:
                self.attached_policies.setdefault(external, []).append(_policy(external, r))
                continue
            if table is None:
                partition = self.partitions.get(r["relation"])
                if partition is not None:
                    self.unmanaged.append(Unmanaged("policy on a partition", partition[0], r["name"]))
                continue
            table.policies.append(_policy(table.name, r))

    # -- routines --------------------------------------------------------
    def read_aggregates(self, rows: list[dict[str, Any]]) -> None:
        """Plain aggregates (aggs6); another kind (ordered-set, moving) is listed as unmanaged."""
        for r in rows:
            name = Name(r["schema"], r["name"])
            if r["schema"] in self.outside or name in self.skip:
                continue
            if not r["plain"]:
                self.unmanaged.append(Unmanaged("aggregate", name, detail=f"({r['identity_args']})"))
                continue

            sfunc = _support(r, "sfunc")
            assert sfunc is not None
            self.aggregates.append(
                ir.Aggregate(
                    name,
                    MODULE,
                    _arg_types(r["identity_args"], None),
                    sfunc,
                    canonical_arg(r["stype"]),
                    _support(r, "finalfunc"),
                    r["initcond"],
                    _support(r, "combinefunc"),
                    PARALLEL[r["parallel"]],
                    r["comment"],
                )
            )

    def read_functions(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            name = Name(r["schema"], r["name"])
            if r["schema"] in self.outside:
                continue
            if r["kind"] == "a":  # read by read_aggregates (aggs6)
                continue
            if r["kind"] not in ("f", "p"):  # a procedure is read as one (funcs5)
                self.unmanaged.append(Unmanaged(PROKINDS[r["kind"]], name, detail=f"({r['identity_args']})"))
                continue
            if name in self.skip:
                continue
            body = r["body"]
            body = body.removeprefix("\n")  # schemagen writes `AS $$` and a new line before the body
            search_path, others = _settings(r["config"] or ())
            self.functions[r["oid"]] = ir.Function(
                name,
                MODULE,
                _EXPLICIT_IN.sub(r"\1", r["args"]) if r["kind"] == "p" else r["args"],  # a procedure's args say IN
                _arg_types(r["args"], r["returns"], r["kind"] == "p"),
                r["returns"] or "",
                r["language"],
                body,
                VOLATILITY[r["volatility"]],
                "definer" if r["security_definer"] else "invoker",
                r["strict"],
                search_path,
                r["returns_trigger"],
                r["comment"],
                parallel=PARALLEL[r["parallel"]],
                leakproof=r["leakproof"],
                # PostgreSQL's defaults stand for "not given": 100 (1 for C and internal functions), 1000 rows of a set
                cost=None if r["cost"] == (1 if r["language"] in ("c", "internal") else 100) else r["cost"],
                rows=None if r["rows"] == (1000 if r["returns_set"] else 0) else r["rows"],
                kind="procedure" if r["kind"] == "p" else "function",
                settings=tuple((k, v) for k, _, v in (s.partition("=") for s in others)),  # aggs6: in proconfig order
            )
            self.names[("procedure" if r["kind"] == "p" else "function", r["oid"])] = name
            self.function_types[r["oid"]] = self.functions[r["oid"]].arg_types  # overloads apart

    def read_triggers(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            table = self.tables.get(r["relation"])
            external = self.attached_oids.get(r["relation"])
            if table is None and external is None:
                partition = self.partitions.get(r["relation"])
                if partition is not None and not r["inherited"]:
                    self.unmanaged.append(Unmanaged("trigger on a partition", partition[0], r["name"], r["definition"]))
                continue
            table_name = table.name if table is not None else external
            assert table_name is not None
            bits = r["type"]
            timing = "before" if bits & BEFORE else "instead of" if bits & INSTEAD else "after"
            events = tuple(
                e
                for e, bit in (("insert", INSERT), ("update", UPDATE), ("delete", DELETE), ("truncate", TRUNCATE))
                if bits & bit
            )
            self.triggers.append(
                ir.Trigger(
                    r["name"],
                    table_name,
                    timing,
                    events,
                    "row" if bits & ROW else "statement",
                    Name(r["function_schema"], r["function_name"]),
                    _trigger_when(r["definition"]),
                    (),
                    r["comment"],
                    update_of=tuple(r["update_of"]),
                    old_table=r["old_table"],
                    new_table=r["new_table"],
                    args=_trigger_args(r["args"], r["nargs"]),
                )
            )
            if r["enabled"] != "O":
                self.unmanaged.append(
                    Unmanaged("trigger not enabled", table_name, r["name"], ENABLED.get(r["enabled"], r["enabled"]))
                )

    def read_views(self, rows: list[dict[str, Any]], columns: list[dict[str, Any]]) -> None:
        """Views with their query as pg_get_viewdef prints it (db/align.py judges it against the state's)."""
        by_view: dict[int, list[ir.Column]] = {}
        for r in columns:
            sql, base, enum, mods = _column_type(r)
            dims = r["array_dims"]
            by_view.setdefault(r["relation"], []).append(
                ir.Column(r["name"], sql + "[]" * dims, base, enum, mods, dims, comment=r["comment"])
            )
        for r in rows:
            name = Name(r["schema"], r["name"])
            if name in self.skip:
                continue
            options = dict(o.split("=", 1) for o in r["options"] if "=" in o)
            self.views[r["oid"]] = ir.View(
                name,
                MODULE,
                r["definition"].strip().rstrip(";").rstrip(),
                tuple(by_view.get(r["oid"], ())),
                materialized=r["kind"] == "m",
                security_invoker=options.get("security_invoker", "false").lower() in ("true", "on", "1"),
                check_option=options.get("check_option"),
                comment=r["comment"],
            )

    def read_namespaces(self, rows: list[dict[str, Any]]) -> None:
        """The schemas read, but public: the spec's own among them, and those it declares external (the reader
        tells them apart)."""
        for r in rows:
            self.namespaces.append(ir.Namespace(r["name"], MODULE, r["comment"]))
            self.names[("schema", r["oid"])] = Name(r["name"], "")

    def read_privileges(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            name = self.names.get(("table" if r["kind"] == "column" else r["kind"], r["oid"]))
            if name is not None:
                types = self.function_types.get(r["oid"], ()) if r["kind"] in ("function", "procedure") else ()
                (self.baseline if r["baseline"] else self.granted).append(
                    Privilege(r["kind"], name, r["role"], r["privilege"], r["grantable"], r["column_name"] or "", types)
                )

    def read_idle_triggers(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            constraint_table = Name(r["constraint_schema"], r["constraint_table"])
            table = Name(r["schema"], r["table_name"])
            if constraint_table not in self.skip:
                enabled = ENABLED.get(r["enabled"], r["enabled"])
                self.idle.append(IdleTrigger(constraint_table, r["constraint_name"], table, r["name"], enabled))

    # -- the result ------------------------------------------------------
    def _with_own_objects(self, p: ir.Partition) -> ir.Partition:
        own = self.partition_objects.get(p.name)
        if own is None:
            return p
        return dataclasses.replace(p, indexes=tuple(own.indexes), constraints=tuple(own.constraints))

    def catalog(self, search_path: tuple[str, ...], version: int) -> Catalog:
        tables = tuple(
            ir.Table(
                t.name,
                MODULE,
                tuple(t.columns),
                tuple(t.constraints),
                tuple(t.indexes),
                t.partition_by,
                t.partition_key,
                tuple(self._with_own_objects(p) for p in t.partitions),
                t.rls,
                t.force_rls,
                tuple(t.policies),
                t.comment,
                replica_identity=t.replica_identity,
                replica_index=t.replica_index,
            )
            for t in sorted(self.tables.values(), key=lambda t: (t.name.schema, t.name.name))
        )
        functions = {f.key: f for f in self.functions.values()}
        identity = set(self.sequences.values()) | {s.name for s in self.own_sequences}
        granted = tuple(p for p in self.granted if p.kind != "sequence" or p.object in identity)
        baseline = tuple(p for p in self.baseline if p.kind != "sequence" or p.object in identity)
        grants = _grants(granted, functions)
        schema = ir.Schema(
            0,
            "",
            (ir.Module(MODULE, ""),),
            tuple(self.enums),
            tables,
            tuple(functions.values()),
            tuple(self.triggers),
            grants,
            schemas=tuple(self.namespaces),
            views=tuple(sorted(self.views.values(), key=lambda v: (v.name.schema, v.name.name))),
            sequences=tuple(self.own_sequences),
            extensions=tuple(self.extensions),
            domains=tuple(self.domains),
            composite_types=tuple(self.composites),
            range_types=tuple(self.ranges),
            publications=tuple(self.publications),
            event_triggers=tuple(self.event_triggers),
            aggregates=tuple(self.aggregates),
            external=ir.External(
                tables=tuple(
                    ir.ExternalTable(
                        name,
                        (),
                        policies=tuple(self.attached_policies.get(name, ())),
                        indexes=tuple(self.attached_indexes.get(name, ())),
                    )
                    for name in sorted(self.attached_policies.keys() | self.attached_indexes.keys(), key=str)
                )
            ),
        )
        return Catalog(
            schema,
            granted,
            baseline,
            tuple(self.unmanaged),
            dict(self.sequences),
            search_path,
            version,
            dict(self.default_opclasses),
            tuple(self.idle),
        )


def _publication(r: dict[str, Any]) -> ir.Publication:
    publish = tuple(op for op in ("insert", "update", "delete", "truncate") if r[op])
    tables = tuple(Name(t["schema"], t["name"]) for t in r["tables"])
    filters = tuple(
        ir.PublishedTable(Name(t["schema"], t["name"]), tuple(t["columns"] or ()), _unwrap(t["where"]))
        for t in r["tables"]
        if t["columns"] is not None or t["where"] is not None
    )
    return ir.Publication(r["name"], MODULE, tables, r["all_tables"], publish, comment=r["comment"], filters=filters)


def _policy(table: Name, r: dict[str, Any]) -> ir.Policy:
    return ir.Policy(
        r["name"],
        table,
        COMMANDS[r["command"]],
        tuple(sorted(r["roles"])),
        not r["permissive"],
        _unwrap(r["using_sql"]),
        _unwrap(r["check_sql"]),
        None,
        r["comment"],
    )


def _grants(privileges: Iterable[Privilege], functions: dict[ir.FunctionKey, ir.Function]) -> tuple[ir.Grant, ...]:
    """Privileges as IR grants, one per object, role and grant option (the order of the query)."""
    grouped: dict[tuple[str, str, str, bool, str], list[str]] = {}
    for p in privileges:
        target = target_of(p.kind, p.object, functions, p.types)
        if target is not None:
            grouped.setdefault((p.kind, target, p.role, p.grantable, p.column), []).append(p.privilege)
    return tuple(
        ir.Grant(
            tuple(privs), "table" if column else kind, target, (role,), option, MODULE, (column,) if column else ()
        )
        for (kind, target, role, option, column), privs in grouped.items()
    )


def target_of(
    kind: str, name: Name, functions: dict[ir.FunctionKey, ir.Function], types: tuple[str, ...] = ()
) -> str | None:
    """How an IR grant names the object: a table or sequence qualified, a function (of `types`) with its argument
    types."""
    if kind in ("function", "procedure"):  # a procedure's privileges too (aggs6)
        f = functions.get((name, types))
        return None if f is None else f.signature
    if kind == "schema":
        return quoting.ident(name.schema)
    return name.q


def _partition(name: Name, bound: str, comment: str | None) -> ir.Partition:
    """A partition from its bound as PostgreSQL prints it: `FOR VALUES FROM ('2025-11-01') TO (MAXVALUE)` or
    `DEFAULT`."""
    if bound.strip().upper() == "DEFAULT":
        return ir.Partition(name, "", "", comment, is_default=True)
    spec = _bound_spec(bound)
    if spec is not None and spec.get("strategy") == "l":  # K3 list partitions: each value a literal, or NULL
        values = tuple("NULL" if d.get("A_Const", {}).get("isnull") else _datums([d]) for d in spec["listdatums"])
        return ir.Partition(name, "", "", comment, values=values)
    if spec is not None and spec.get("strategy") == "h":  # K3 hash partitions (a zero is left out of the JSON)
        return ir.Partition(name, "", "", comment, modulus=spec.get("modulus", 0), remainder=spec.get("remainder", 0))
    if spec is None or spec.get("strategy") != "r":
        return ir.Partition(name, bound, "", comment)  # a bound schemagen cannot read: as written
    return ir.Partition(name, _datums(spec.get("lowerdatums", [])), _datums(spec.get("upperdatums", [])), comment)


@functools.lru_cache(maxsize=4096)
def _bound_spec(bound: str) -> dict[str, Any] | None:

    try:
        stmt = json.loads(parse_sql_json(f"CREATE TABLE p PARTITION OF t {bound}"))["stmts"][0]["stmt"]["CreateStmt"]
    except (ParseError, KeyError, IndexError):
        return None
    spec: dict[str, Any] | None = stmt.get("partbound")
    return spec


def _datums(datums: list[dict[str, Any]]) -> str:
    """Range bounds as the IR writes them: each value a quoted literal, MINVALUE/MAXVALUE bare."""
    parts = []
    for d in datums:
        if "ColumnRef" in d:
            parts.append(d["ColumnRef"]["fields"][0]["String"]["sval"].upper())
            continue
        const = d.get("A_Const", {})
        value = next((v.get(k, 0) for k, v in const.items() if k in ("sval", "ival", "fval")), "")
        parts.append(quoting.literal(str(value)))
    return ", ".join(parts)


def _column_type(r: dict[str, Any]) -> tuple[str, str, Name | None, tuple[int, ...]]:
    """(sql_type without array brackets, base, enum, modifiers) as the resolver gives them for the spec's type."""
    if r["type_kind"] == "e":
        name = Name(r["type_schema"], r["type_name"])
        return name.q, "enum", name, ()
    if r["type_schema"] == "pg_catalog" and r["type_name"] in datatypes.BASE_TYPES:
        ref = sqlparse.type_name(r["element_sql"])
        sql = type_sql(sqlparse.TypeRef(ref.schema, ref.name, ref.mods, 0))
        if sql is not None:
            return sql, r["type_name"], None, ref.mods
    # Any other type (a domain, citext, point): spelled as PostgreSQL spells it, qualified unless built in.
    sql = (
        r["element_sql"]
        if r["type_schema"] == "pg_catalog"
        else f"{quoting.qualified(r['type_schema'], r['type_name'])}{_mods_of(r['element_sql'])}"
    )
    return sql, r["type_name"], None, ()


def _mods_of(element_sql: str) -> str:
    start = element_sql.rfind("(")
    return element_sql[start:] if start != -1 and element_sql.endswith(")") else ""


def _unwrap(text: str | None) -> str | None:
    """PostgreSQL's text without the parentheses it puts around a whole expression: `(a > 0)` -> `a > 0`."""
    if text is None:
        return None
    while text.startswith("(") and text.endswith(")") and _closes_at_end(text):
        text = text[1:-1].strip()
    return text


def _closes_at_end(text: str) -> bool:
    """Whether the parenthesis opening `text` is the one closing it (quotes and identifiers respected)."""
    depth = 0
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


def _settings(config: Iterable[str]) -> tuple[tuple[str, ...] | None, list[str]]:
    """A function's search_path (None when not set) and its other settings, from pg_proc.proconfig."""
    search_path: tuple[str, ...] | None = None
    others = []
    for entry in config:
        key, _, value = entry.partition("=")
        if key == "search_path":
            search_path = tuple(unquoted(s.strip()) for s in value.split(",") if s.strip() not in ("", '""'))
        else:
            others.append(entry)
    return search_path, others


def unquoted(name: str) -> str:
    """An identifier as PostgreSQL prints it (quoted where needed), without its quotes."""
    return name[1:-1].replace('""', '"') if len(name) > 1 and name.startswith('"') and name.endswith('"') else name


def _support(row: dict[str, Any], part: str) -> Name | None:
    """An aggregate's support function `part` (aggs6), by its name and schema's columns; None when it has none."""
    return None if row[part] is None else Name(row[f"{part}_schema"], row[part])


@functools.lru_cache(maxsize=1024)
def _arg_types(args: str, returns: str | None, procedure: bool = False) -> tuple[str, ...]:
    """A function's input argument types as the resolver writes them (for its signature)."""

    try:
        shape, _ = sqlparse.function("f", args, returns or "void", "sql", "SELECT 1\n", "$$", procedure=procedure)
    except sqlparse.FragmentError:
        return ()
    return tuple(canonical_arg(t) for t in shape.arg_types)


def _trigger_args(data: bytes, count: int) -> tuple[str, ...]:
    """A trigger's arguments, from pg_trigger.tgargs: each ends with a zero byte."""
    return tuple(a.decode() for a in bytes(data).split(b"\0")[:count])


@functools.lru_cache(maxsize=1024)
def _trigger_when(definition: str) -> str | None:
    """The WHEN condition of a trigger, from pg_get_triggerdef."""
    if " WHEN (" not in definition:
        return None

    try:
        stmt = parse_sql(definition)[0].stmt
    except ParseError:
        return None
    when = getattr(stmt, "whenClause", None)
    return None if when is None else str(RawStream()(when))


def _option(entry: str) -> tuple[str, str]:
    """`name=value` of pg_class.reloptions."""
    name, _, value = entry.partition("=")
    return name, value


def _index_keys(definition: str) -> list[tuple[str | None, str | None, tuple[tuple[str, str], ...]]]:
    """COLLATE, operator class and its parameters of each key of pg_get_indexdef's CREATE INDEX (PostgreSQL
    leaves out the defaults: the column's collation, the type's default operator class)."""
    stmt = parse_sql(definition)[0].stmt
    assert isinstance(stmt, ast.IndexStmt)  # pg_get_indexdef gives a CREATE INDEX
    return [
        (
            indexkeys.qualified_name(e.collation),
            indexkeys.qualified_name(e.opclass),
            tuple((str(d.defname), indexkeys.parameter_value(d.arg)) for d in (e.opclassopts or ())),
        )
        for e in stmt.indexParams or ()
    ]


def _exclusion(r: dict[str, Any]) -> ir.Constraint:
    """An exclusion constraint as pg_get_constraintdef prints it (`EXCLUDE USING gist (room WITH =, ...) INCLUDE
    (...) WHERE (...) DEFERRABLE`), parsed by pglast into the IR's parts."""
    stmt = parse_sql("ALTER TABLE t ADD " + r["definition"])[0].stmt
    assert isinstance(stmt, ast.AlterTableStmt) and stmt.cmds  # the definition is one table constraint
    cmd = stmt.cmds[0]
    assert isinstance(cmd, ast.AlterTableCmd) and isinstance(cmd.def_, ast.Constraint)
    con = cmd.def_
    elements = []
    for elem, operator in con.exclusions or ():
        key = indexkeys.key(elem, RawStream()(elem))
        expression = RawStream()(elem.expr) if elem.expr is not None else None
        *schema, op = (str(part.sval) for part in operator)
        elements.append(
            ir.ExclusionElement(
                ir.IndexElement(
                    key.column,
                    expression,
                    key.descending,
                    key.nulls,
                    key.collation,
                    key.opclass,
                    key.opclass_params,
                ),
                f"OPERATOR({quoting.ident(schema[0])}.{op})" if schema else op,
            )
        )
    return ir.Constraint(
        r["name"],
        "exclude",
        comment=r["comment"],
        deferrable=r["deferrable"],
        initially_deferred=r["deferred"],
        exclusion=tuple(elements),
        method=con.access_method,
        where=RawStream()(con.where_clause) if con.where_clause is not None else None,
        include=tuple(str(c.sval) for c in con.including or ()),
    )
