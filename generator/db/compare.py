"""The differences between a live schema (aligned, db/align.py) and the schema the migrations produce.

Each difference is a `Finding` in the spec's terms: the object (`column
sync_progress.job_id`), what differs (`default`), what the database has and
what the migrations say. Both sides are IR, so comparing is comparing fields:
align has already made equal whatever means the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from .. import ir
from ..sql import clauses
from . import align

ABSENT = "absent"
T = TypeVar("T")

Atom = tuple[str, str, str, str]  # kind, target, role, privilege (as diff/grants.py)


@dataclass(frozen=True)
class Finding:
    kind: str  # "table", "column", "index", "policy", "grant", "view", ...
    object: str  # its name as the spec writes it: `sync_progress.job_id`, `idx_x on sync_progress`
    aspect: str  # "exists", "default", "definition", "body", ...
    database: str  # what the database has (ABSENT when it lacks the object)
    migrations: str  # what the migrations say (ABSENT when they do not have it)
    note: str = ""  # what `--sql` does about it, when not the obvious

    @property
    def line(self) -> str:
        """The finding on one line: what the database has, then what the migrations say."""
        where = f"{self.kind} {self.object}"
        if self.aspect == "exists" and self.database == ABSENT:
            text = f"{where}: missing from the database (the migrations have {_one_line(self.migrations)})"
        elif self.aspect == "exists":
            text = f"{where}: not in the migrations (the database has {_one_line(self.database)})"
        elif "\n" in self.database or "\n" in self.migrations:
            n, have, want = _first_difference(self.database, self.migrations)
            text = (
                f"{where}: {self.aspect} differs from its line {n}: `{have}` in the database, `{want}` in the "
                "migrations"
            )
        else:
            text = f"{where}: {self.aspect} is {self.database} in the database, {self.migrations} in the migrations"
        return f"{text}; {self.note}" if self.note else text

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "object": self.object,
            "aspect": self.aspect,
            "database": self.database,
            "migrations": self.migrations,
            "note": self.note,
        }


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _first_difference(a: str, b: str) -> tuple[int, str, str]:
    """The first line (1-based) where two texts differ, and that line of each ("end of text" past the last)."""
    lines_a, lines_b = a.splitlines(), b.splitlines()
    for i in range(max(len(lines_a), len(lines_b))):
        have = lines_a[i].strip() if i < len(lines_a) else "end of text"
        want = lines_b[i].strip() if i < len(lines_b) else "end of text"
        if have != want:
            return i + 1, have, want
    return 1, _one_line(a), _one_line(b)


def compare(
    live: ir.Schema,
    expected: ir.Schema,
    live_atoms: dict[Atom, bool],
    expected_atoms: dict[Atom, bool],
    targets: frozenset[str],
) -> list[Finding]:
    """Every difference between the two schemas; privileges compared on the objects (`targets`) both sides have."""
    found: list[Finding] = []
    found += _keyed(
        "schema",
        live.schemas,
        expected.schemas,
        lambda s: s.name,
        lambda s: s.name,
        lambda s: {"comment": _comment(s.comment)},
        lambda s: f"schema {s.name}",
    )
    found += _keyed(
        "view",
        live.views,
        expected.views,
        lambda v: v.name,
        lambda v: v.name.display,
        _view_aspects,
        lambda v: f"{v.kind} of {len(v.columns)} column(s): {', '.join(c.name for c in v.columns)}",
    )
    found += _keyed(
        "enum",
        live.enums,
        expected.enums,
        lambda e: e.name,
        lambda e: e.name.display,
        _enum_aspects,
        lambda e: ", ".join(e.values),
    )
    found += _keyed(
        "table", live.tables, expected.tables, lambda t: t.name, lambda t: t.name.display, _table_aspects, _table_shown
    )
    live_tables = {t.name: t for t in live.tables}
    for t in expected.tables:
        if t.name in live_tables:
            found += _members(live_tables[t.name], t)
    match = align.function_match(live.functions, expected.functions)
    found += _keyed(
        "function",
        live.functions,
        expected.functions,
        match,
        lambda f: f.name.display if match(f) == f.name else f.label,
        _function_aspects,
        lambda f: f"{f.name.display}({f.args}) RETURNS {f.returns}",
    )
    found += _keyed(  # funcs5
        "event trigger",
        live.event_triggers,
        expected.event_triggers,
        lambda t: t.name,
        lambda t: t.name,
        lambda t: {
            "event": t.event,
            "tags": ", ".join(t.tags) or "every command",
            "function": t.function.display,
            "comment": _comment(t.comment),
        },
        lambda t: f"ON {t.event} EXECUTE FUNCTION {t.function.display}()",
    )
    found += _keyed(  # aggs6
        "aggregate",
        live.aggregates,
        expected.aggregates,
        lambda a: a.key,
        lambda a: a.label,
        lambda a: {
            "sfunc": a.sfunc.display,
            "stype": a.stype,
            "finalfunc": a.finalfunc.display if a.finalfunc else "none",
            "initcond": "NULL" if a.initcond is None else repr(a.initcond),
            "combinefunc": a.combinefunc.display if a.combinefunc else "none",
            "parallel": a.parallel,
            "comment": _comment(a.comment),
        },
        lambda a: f"AGGREGATE {a.label} (SFUNC = {a.sfunc.display}, STYPE = {a.stype})",
    )
    # and the objects the spec attaches to tables made elsewhere (auth.users, storage.objects)
    kept_tables = {t.name for t in expected.tables} & set(live_tables) | {t.name for t in expected.external.tables}
    live_external = {t.name: t for t in live.external.tables}
    for ext in expected.external.tables:
        found += _keyed(
            "policy",
            live_external[ext.name].policies if ext.name in live_external else (),
            ext.policies,
            lambda p: p.name,
            lambda p: f"{p.name} on {p.table.display}",
            _policy_aspects,
            _policy_shown,
        )
        found += _keyed(  # the spec's indexes on it (funcs5)
            "index",
            live_external[ext.name].indexes if ext.name in live_external else (),
            ext.indexes,
            lambda i: i.name,
            lambda i: f"{i.name.display} on {i.table.display}",
            _index_aspects,
            _index_shown,
        )
    found += _keyed(
        "trigger",
        [t for t in live.triggers if t.table in kept_tables],
        [t for t in expected.triggers if t.table in kept_tables],
        lambda t: (t.table, t.name),
        lambda t: f"{t.name} on {t.table.display}",
        _trigger_aspects,
        _trigger_shown,
    )
    found += _keyed(
        "extension",
        live.extensions,
        expected.extensions,
        lambda x: x.name,
        lambda x: x.name,
        lambda x: {"schema": x.schema, "comment": _comment(x.comment)},
        lambda x: f"in schema {x.schema}",
    )
    found += _keyed(
        "sequence",
        live.sequences,
        expected.sequences,
        lambda q: q.name,
        lambda q: q.name.display,
        _sequence_aspects,
        lambda q: f"{q.data_type} sequence",
    )
    found += _keyed(  # types5
        "domain",
        live.domains,
        expected.domains,
        lambda d: d.name,
        lambda d: d.name.display,
        _domain_aspects,
        lambda d: f"domain over {d.sql_type}",
    )
    found += _keyed(  # types5
        "composite type",
        live.composite_types,
        expected.composite_types,
        lambda c: c.name,
        lambda c: c.name.display,
        _composite_aspects,
        lambda c: f"composite type of {len(c.attributes)} attribute(s)",
    )
    found += _keyed(  # types5
        "range type",
        live.range_types,
        expected.range_types,
        lambda r: r.name,
        lambda r: r.name.display,
        _range_aspects,
        lambda r: f"range of {r.subtype}",
    )
    found += _keyed(
        "publication",
        live.publications,
        expected.publications,
        lambda p: p.name,
        lambda p: p.name,
        _publication_aspects,
        lambda p: "publication of every table" if p.all_tables else f"publication of {_tables(p.tables)}",
    )
    found += _grants(live_atoms, expected_atoms, targets)
    return found


def _domain_aspects(d: ir.Domain) -> dict[str, str]:
    return {
        "base type": d.sql_type,
        "collation": d.collation or "the base type's",
        "default": _text(d.default),
        "not null": "NOT NULL" if d.not_null else "NULL allowed",
        "checks": "; ".join(f"{c.name}: {c.check}" for c in d.checks) or "none",
        "comment": _comment(d.comment),
    }


def _composite_aspects(c: ir.CompositeType) -> dict[str, str]:
    return {
        "attributes": ", ".join(f"{a.name} {a.sql_type}" for a in c.attributes),
        "attribute comments": "; ".join(f"{a.name}: {_comment(a.comment)}" for a in c.attributes if a.comment)
        or "none",
        "comment": _comment(c.comment),
    }


def _range_aspects(r: ir.RangeType) -> dict[str, str]:
    return {
        "subtype": r.subtype,
        "multirange": r.multirange,
        "subtype_opclass": _text(r.subtype_opclass, "the default"),
        "collation": _text(r.collation, "the subtype's"),
        "canonical": _text(r.canonical),
        "subtype_diff": _text(r.subtype_diff),
        "comment": _comment(r.comment),
    }


def _tables(names: Iterable[ir.Name]) -> str:
    return ", ".join(n.display for n in names) or "no table"


def _publication_aspects(p: ir.Publication) -> dict[str, str]:
    return {
        "tables": "every table" if p.all_tables else _tables(p.tables),
        "column lists and row filters": "; ".join(clauses.published(p, f.table) for f in p.filters) or "none",
        "publish": ", ".join(p.publish),
        "comment": _comment(p.comment),
    }


DATA = {"table": "`--sql` drops it with its rows", "column": "`--sql` drops it with its values"}


def _keyed(
    kind: str,
    live: Iterable[T],
    expected: Iterable[T],
    key: Callable[[T], Any],
    name: Callable[[T], str],
    aspects: Callable[[T], dict[str, str]],
    shown: Callable[[T], str],
) -> list[Finding]:
    """Objects matched by key: those on one side only, then each aspect that differs."""
    before = {key(o): o for o in live}
    after = {key(o): o for o in expected}
    found = []
    for k, o in after.items():
        if k not in before:
            found.append(Finding(kind, name(o), "exists", ABSENT, shown(o)))
    for k, o in before.items():
        if k not in after:
            found.append(Finding(kind, name(o), "exists", shown(o), ABSENT, DATA.get(kind, "")))
    for k, o in after.items():
        if k in before:
            have, want = aspects(before[k]), aspects(o)
            for aspect, value in want.items():
                if have[aspect] != value:
                    found.append(Finding(kind, name(o), aspect, have[aspect], value))
    return found


def _members(live: ir.Table, expected: ir.Table) -> list[Finding]:
    """Columns, constraints, indexes, partitions and policies of a table both sides have."""
    t = expected.name.display
    found = _keyed(
        "column",
        live.columns,
        expected.columns,
        lambda c: c.name,
        lambda c: f"{t}.{c.name}",
        _column_aspects,
        lambda c: c.sql_type + (" NOT NULL" if c.not_null else ""),
    )
    found += _keyed(
        "constraint",
        live.constraints,
        expected.constraints,
        lambda c: c.name,
        lambda c: f"{c.name} on {t}",
        _constraint_aspects,
        clauses.constraint_body,
    )
    found += _keyed(
        "index",
        live.indexes,
        expected.indexes,
        lambda i: i.name,
        lambda i: f"{i.name.name} on {t}",
        _index_aspects,
        _index_shown,
    )
    found += _keyed(
        "partition",
        live.partitions,
        expected.partitions,
        lambda p: p.name,
        lambda p: f"{p.name.display} of {t}",
        _partition_aspects,
        clauses.partition_bound,
    )
    found += _keyed(
        "policy",
        live.policies,
        expected.policies,
        lambda p: p.name,
        lambda p: f"{p.name} on {t}",
        _policy_aspects,
        _policy_shown,
    )
    expected_parts = {p.name: p for p in expected.partitions}
    for lp in live.partitions:  # K3: each partition's own indexes and constraints, as a table's
        ep = expected_parts.get(lp.name)
        if ep is not None and (lp.has_own_objects or ep.has_own_objects):
            found += _members(
                ir.Table(lp.name, "", (), lp.constraints, lp.indexes),
                ir.Table(ep.name, "", (), ep.constraints, ep.indexes),
            )
    return found


def _comment(text: str | None) -> str:
    return "no comment" if text is None else repr(text)


def _text(text: str | None, none: str = "none") -> str:
    return none if text is None else text


def _view_aspects(v: ir.View) -> dict[str, str]:
    return {
        "kind": v.kind,
        "definition": v.query,
        "columns": ", ".join(f"{c.name} {c.sql_type}" for c in v.columns),
        "security_invoker": "true" if v.security_invoker else "false",
        "check option": v.check_option or "none",
        "comment": _comment(v.comment),
        "column comments": "; ".join(f"{c.name}: {_comment(c.comment)}" for c in v.columns if c.comment) or "none",
        "indexes": "; ".join(clauses.create_index(ix) for ix in v.indexes) or "none",
    }


def _enum_aspects(e: ir.Enum) -> dict[str, str]:
    return {"values": ", ".join(e.values), "comment": _comment(e.comment)}


def _sequence_aspects(q: ir.Sequence) -> dict[str, str]:
    return {
        "type": q.data_type,
        "start": str(q.start),
        "increment": str(q.increment),
        "min": str(q.min_value),
        "max": str(q.max_value),
        "cache": str(q.cache),
        "cycle": "CYCLE" if q.cycle else "NO CYCLE",
        "owned by": f"{q.owner.display}.{q.owner_column}" if q.owner is not None else "nothing",
        "comment": _comment(q.comment),
    }


def _table_aspects(t: ir.Table) -> dict[str, str]:
    return {
        "partitioning": clauses.partition_clause(t).strip() or "not partitioned",
        "row level security": "enabled" if t.row_level_security else "disabled",
        "forced row level security": "forced" if t.force_row_level_security else "not forced",
        "replica identity": t.replica_identity if t.replica_index is None else f"index {t.replica_index}",
        "comment": _comment(t.comment),
    }


def _table_shown(t: ir.Table) -> str:
    return f"{len(t.columns)} column(s): {', '.join(c.name for c in t.columns)}"


def _column_aspects(c: ir.Column) -> dict[str, str]:
    return {
        "type": c.sql_type,
        "NOT NULL": "NOT NULL" if c.not_null else "nullable",
        "default": _text(c.default, "no default"),
        "identity": f"GENERATED {c.identity.upper()} AS IDENTITY" if c.identity else "no identity",
        "comment": _comment(c.comment),
        "generated": clauses.generation(c) or "not generated",
        "collation": clauses.collation(c) or "the type's",
    }


def _constraint_aspects(c: ir.Constraint) -> dict[str, str]:
    return {
        "definition": clauses.constraint_body(c),
        "validated": "NOT VALID" if c.not_valid else "validated",
        "comment": _comment(c.comment),
    }


def _index_shown(i: ir.Index) -> str:
    return clauses.create_index(i)


def _index_aspects(i: ir.Index) -> dict[str, str]:
    ddl = clauses.create_index(i)
    shape = ddl.split(" ON ", 1)[1] if " ON " in ddl else ddl
    return {"definition": ("UNIQUE " if i.unique else "") + shape, "comment": _comment(i.comment)}


def _partition_aspects(p: ir.Partition) -> dict[str, str]:
    return {"bounds": clauses.partition_bound(p), "comment": _comment(p.comment)}


def _policy_aspects(p: ir.Policy) -> dict[str, str]:
    return {
        "command": p.command.upper(),
        "kind": "RESTRICTIVE" if p.restrictive else "PERMISSIVE",
        "roles": ", ".join(clauses.role(r) for r in p.roles),
        "USING": _text(p.using),
        "WITH CHECK": _text(p.check),
        "comment": _comment(p.comment),
    }


def _policy_shown(p: ir.Policy) -> str:
    return " ".join(clauses.create_policy(p).split())


def _function_aspects(f: ir.Function) -> dict[str, str]:
    return {
        "arguments": f"({f.args})",
        "result": f.returns,
        "language": f.language,
        "volatility": f.volatility,
        "security": f"SECURITY {f.security.upper()}",
        "STRICT": "STRICT" if f.strict else "not strict",
        "search_path": "not set" if f.search_path is None else (", ".join(f.search_path) or "''"),
        "body": f.body.strip(),
        "comment": _comment(f.comment),
        "parallel": f"PARALLEL {f.parallel.upper()}",
        "LEAKPROOF": "LEAKPROOF" if f.leakproof else "not leakproof",
        "cost": "default" if f.cost is None else f"COST {f.cost:g}",
        "rows": "default" if f.rows is None else f"ROWS {f.rows:g}",
        "settings": ", ".join(f"{n} = {v}" for n, v in f.settings) or "none",
    }


def _trigger_aspects(t: ir.Trigger) -> dict[str, str]:
    return {
        "timing": t.timing.upper(),
        "events": clauses.trigger_events(t),
        "level": f"FOR EACH {t.level.upper()}",
        "function": t.function.display,
        "arguments": clauses.trigger_args(t) or "none",
        "old table": _text(t.old_table),
        "new table": _text(t.new_table),
        "WHEN": _text(t.when),
        "comment": _comment(t.comment),
    }


def _trigger_shown(t: ir.Trigger) -> str:
    events = clauses.trigger_events(t)
    return (
        f"{t.timing.upper()} {events} FOR EACH {t.level.upper()} EXECUTE FUNCTION "
        f"{t.function.display}({clauses.trigger_args(t)})"
    )


def _grants(live: dict[Atom, bool], expected: dict[Atom, bool], targets: frozenset[str]) -> list[Finding]:
    found = []

    def shown(atom: Atom, option: bool) -> str:
        return f"{atom[3].upper()} granted{' WITH GRANT OPTION' if option else ''}"

    for atom in sorted(set(live) | set(expected)):
        kind, target, role, privilege = atom
        if target not in targets:
            continue
        have, want = atom in live, atom in expected
        if have and want and live[atom] == expected[atom]:
            continue
        name = f"{privilege.upper()} on {kind} {target} to {clauses.role(role)}"
        found.append(
            Finding(
                "privilege",
                name,
                "exists" if have != want else "grant option",
                shown(atom, live[atom]) if have else ABSENT,
                shown(atom, expected[atom]) if want else ABSENT,
            )
        )
    return found
