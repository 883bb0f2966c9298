"""Correctness rules: immutability, keys, identifiers, partitions, types, grants that do nothing."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Any

from pglast import ast

from .. import ir
from ..ir import names
from ..pg import sqlparse
from ..spec.origins import Key
from . import sqlfacts
from .context import Context
from .findings import ERROR, INFO, WARNING, Finding
from .registry import rule

TIME_KEYS = {"date", "timestamp", "timestamptz"}


def _calls(found: list[tuple[str, str, int | None]]) -> str:
    return ", ".join(dict.fromkeys(f"{label} ({volatility})" for label, volatility, _location in found))


@rule(
    "C301",
    "check-not-immutable",
    ERROR,
    why="PostgreSQL assumes a CHECK condition is immutable and tests it only when a row is written: with "
    "now(), random() or current_setting() a row that passed stops passing, and a dump holding it cannot be "
    "restored.",
    hint="compare with a column set on write (or enforce it in a trigger), and keep CHECK conditions to the "
    "row's own values",
)
def check_not_immutable(ctx: Context) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        for c in t.constraints:
            if c.kind != "check" or c.check is None:
                continue
            found = sqlfacts.volatile_calls(sqlparse.expression_json(c.check), ctx.volatility_of)
            if found:
                yield ctx.finding(
                    "C301",
                    ("constraint", t.name, c.name),
                    f"{t.name}.{c.name}",
                    f"CHECK ({c.check}) calls {_calls(found)}",
                    at=("constraint_check", t.name, c.name),
                    offset=sqlfacts.offset(found[0][2]),
                )


@rule(
    "C302",
    "index-not-immutable",
    ERROR,
    why="PostgreSQL refuses to create an index whose expressions or predicate call a function that is not "
    "IMMUTABLE, so the migration fails (or, through a mislabelled function, the index silently holds stale "
    "entries).",
    hint="index only the row's own values; compare with now() in queries, not in the index",
)
def index_not_immutable(ctx: Context) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        for ix in t.indexes:
            parts: list[tuple[Key, str]] = [
                (("index_element", ix.name, i), e.expression)
                for i, e in enumerate(ix.elements)
                if e.expression is not None
            ]
            if ix.where is not None:
                parts.append((("index_where", ix.name), ix.where))
            for at, text in parts:
                found = sqlfacts.volatile_calls(sqlparse.expression_json(text), ctx.volatility_of)
                if found:
                    where = "predicate" if at[0] == "index_where" else "expression"
                    yield ctx.finding(
                        "C302",
                        ("index", ix.name),
                        str(ix.name),
                        f"index {where} calls {_calls(found)}",
                        at=at,
                        offset=sqlfacts.offset(found[0][2]),
                    )
                    break


@rule(
    "C303",
    "table-without-primary-key",
    WARNING,
    why="Without a primary key a row cannot be addressed reliably: logical replication cannot replicate its "
    "UPDATE and DELETE, and ORMs and tools cannot tell rows apart.",
    hint="add `primary_key: true` to a column, or a `primary_key: [a, b]` constraint",
)
def without_primary_key(ctx: Context) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        if not any(c.kind == "primary_key" for c in t.constraints):
            yield ctx.finding("C303", ("table", t.name), str(t.name), "table has no primary key")


@rule(
    "C304",
    "identifier-too-long",
    ERROR,
    why="PostgreSQL truncates identifiers to 63 bytes (silently, or by shortening derived names such as "
    "identity sequences), so the object gets another name than the spec and the SQL use.",
    hint="shorten the names it is built from to keep it within 63 bytes",
)
def identifier_too_long(ctx: Context) -> Iterator[Finding]:
    for key, obj, what, identifier in _identifiers(ctx.schema):
        size = len(identifier.encode())
        if size > names.MAX_IDENT_BYTES:
            yield ctx.finding(
                "C304",
                key,
                obj,
                f"{what} name {identifier} is {size} bytes long; PostgreSQL allows {names.MAX_IDENT_BYTES}",
            )


def _identifiers(schema: ir.Schema) -> Iterator[tuple[Key, str, str, str]]:
    """(key, object, kind, identifier) of every name the migration gives PostgreSQL, derived ones included."""
    for t in schema.tables:
        yield ("table", t.name), str(t.name), "table", t.name.name
        for c in t.columns:
            yield ("column", t.name, c.name), f"{t.name}.{c.name}", "column", c.name
            if c.identity:  # PostgreSQL names the sequence of an identity column <table>_<column>_seq
                seq = f"{t.name.name}_{c.name}_seq"
                yield ("column", t.name, c.name), f"{t.name.schema}.{seq}", "identity sequence", seq
        for con in t.constraints:
            yield ("constraint", t.name, con.name), f"{t.name}.{con.name}", "constraint", con.name
        for ix in t.indexes:
            yield ("index", ix.name), str(ix.name), "index", ix.name.name
        for p in t.partitions:
            yield ("partition", p.name), str(p.name), "partition", p.name.name
        for pol in t.policies:
            yield ("policy", t.name, pol.name), f"{t.name}.{pol.name}", "policy", pol.name
    for f in schema.functions:
        yield ("function", f.key), str(f.name), "function", f.name.name
    for trg in schema.triggers:
        yield ("trigger", trg.table, trg.name), f"{trg.table}.{trg.name}", "trigger", trg.name


@rule(
    "C305",
    "maxvalue-partition",
    WARNING,
    why="A range partition that reaches MAXVALUE already holds every later value: each later range partition "
    "must be split out of it, so the migration that adds one copies every row it has gathered into new "
    "partitions (in batches, while clients go on) and swaps them in: that migration takes longer, and needs "
    "room for a second copy of those rows, the more rows it has gathered.",
    hint="end the last partition at a bound and create the next ones ahead of time (C306 warns before they run "
    "out); for rows past the last one, a `default: true` partition keeps them, and only the rows of a new "
    "range move out of it",
)
def maxvalue_partition(ctx: Context) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        for p in t.partitions:
            if p.upper == "MAXVALUE":
                yield ctx.finding(
                    "C305",
                    ("partition", p.name),
                    str(p.name),
                    f"partition of {t.name} runs from {p.lower} to MAXVALUE: every later range partition "
                    "is split out of it, moving its rows",
                )


@rule(
    "C306",
    "partitions-run-out",
    WARNING,
    needs_today=True,
    why="Rows past the last time partition fail to insert (or pile up in a catch-all partition: MAXVALUE, or "
    "DEFAULT, which the next range partition must then be carved out of); partitions must exist ahead of "
    "the current month. Listed partitions run out as time passes: the check depends on today's date, so only "
    "`schemagen lint` runs it. A declared time partitioning (`interval:`) makes them ahead itself: it is checked "
    "for a premake of at least 2 periods (one missed or failed maintenance run must not leave the next period "
    "without a partition) and for a DEFAULT partition (a row dated outside every partition, late or early, is "
    "kept rather than refused, and moved out when its period is made).",
    hint="declare the partitions as a rule (`interval: 1 month`, `premake: 4`, `default: true`; README, Time "
    "partitions), or add the next ones (the horizon is `partition_horizon_months` in [tool.schemagen])",
)
def partitions_run_out(ctx: Context) -> Iterator[Finding]:
    today = ctx.options.today
    assert today is not None
    horizon = ctx.options.partition_horizon_months
    needed = _add_months(today.replace(day=1), horizon + 1)
    for t in ctx.schema.tables:
        if t.time_partitions is not None:
            yield from _rule_margin(ctx, t, t.time_partitions)
            continue
        key = t.column(t.partition_key[0]) if len(t.partition_key) == 1 else None
        if key is None or key.base not in TIME_KEYS or not t.partitions:
            continue
        ends = [d for p in t.partitions if not p.is_default and (d := _bound_date(p.upper)) is not None]
        if not ends or max(ends) >= needed:
            continue
        yield ctx.finding(
            "C306",
            ("table", t.name),
            str(t.name),
            f"time partitions end at {max(ends).isoformat()}; today is {today.isoformat()} and with a "
            f"horizon of {horizon} month(s) they should reach {needed.isoformat()}: {_past_the_end(t)}",
            at=("partitioning", t.name),
        )


def _rule_margin(ctx: Context, t: ir.Table, rule_: ir.TimePartitions) -> Iterator[Finding]:
    """A declared time partitioning with too little margin: premake under 2 periods, or no DEFAULT partition."""
    problems = []
    if rule_.premake < 2:
        problems.append(
            f"premake is {rule_.premake} {rule_.interval}(s): once the maintenance misses a run (a busy table, a "
            "scheduler down), rows of the next period find no partition; make it at least 2"
        )
    if not any(p.is_default for p in t.partitions):
        problems.append(
            "there is no DEFAULT partition: a row dated outside every partition (late, past `retain`, or early, "
            "past `premake`) is refused; add `default: true`"
        )
    for problem in problems:
        yield ctx.finding("C306", ("table", t.name), str(t.name), problem, at=("partitioning", t.name))


def _past_the_end(t: ir.Table) -> str:
    """What happens to a row dated after the last range partition."""
    catch_all = [p.name.name for p in t.partitions if p.upper == "MAXVALUE"]
    if catch_all:
        return f"later rows pile up in {catch_all[0]}"
    default = [p.name.name for p in t.partitions if p.is_default]
    if default:
        return (
            f"later rows pile up in the default partition {default[0]}, and each month added later must move "
            "its rows out of it"
        )
    return "inserting a later row fails (no partition of relation found for row)"


def _add_months(day: _dt.date, months: int) -> _dt.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def _bound_date(literal: str) -> _dt.date | None:
    node = sqlfacts.parse(literal)
    value: Any = node.val if isinstance(node, ast.A_Const) else None
    if not isinstance(value, ast.String) or value.sval is None:
        return None  # MINVALUE / MAXVALUE
    return _dt.datetime.fromisoformat(value.sval).date()


@rule(
    "C307",
    "timestamp-without-time-zone",
    INFO,
    why="`timestamp` stores a wall-clock reading with no zone: the same instant reads differently per session "
    "TimeZone and comparisons across zones or DST changes go wrong; `timestamptz` stores the instant.",
    hint="use `timestamptz`",
)
def timestamp_without_tz(ctx: Context) -> Iterator[Finding]:
    yield from _columns_of_type(ctx, "timestamp", "C307", "has no time zone")


@rule(
    "C308",
    "char-type",
    INFO,
    why="`char(n)` pads values with spaces, and the padding is dropped or kept depending on the operation; it "
    "is never faster than `text` or `varchar(n)` in PostgreSQL.",
    hint="use `text` (with a CHECK on length if needed) or `varchar(n)`",
)
def char_type(ctx: Context) -> Iterator[Finding]:
    yield from _columns_of_type(ctx, "bpchar", "C308", "pads values with spaces")


def _columns_of_type(ctx: Context, base: str, rule_id: str, what: str) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        for c in t.columns:
            if c.base == base:
                yield ctx.finding(
                    rule_id, ("column", t.name, c.name), f"{t.name}.{c.name}", f"column type {c.sql_type} {what}"
                )


@rule(
    "C309",
    "grant-execute-on-trigger-function",
    INFO,
    why="A trigger function cannot be called directly, and a trigger runs it without checking EXECUTE, so "
    "granting EXECUTE on it gives nothing but a misleading entry in the privileges.",
    hint="drop the function from the grant",
)
def execute_on_trigger_function(ctx: Context) -> Iterator[Finding]:
    for g in ctx.schema.grants:
        f = ctx.function_by_signature.get(g.target) if g.kind == "function" else None
        if f is not None and f.returns_trigger:
            roles = ", ".join("PUBLIC" if r == "public" else r for r in g.roles)
            yield ctx.finding(
                "C309",
                ("grant", "function", g.target),
                ctx.function_label(f),
                f"EXECUTE on a trigger function is granted to {roles}",
            )


@rule(
    "C310",
    "volatility-mislabelled",
    WARNING,
    why="PostgreSQL trusts a function's declared volatility: an IMMUTABLE or STABLE function whose body calls "
    "something more volatile gets folded into plans, indexes and CHECKs as if it were not, and returns "
    "stale results.",
    hint="declare the function with the volatility of what it calls (`volatility: stable` or `volatile`)",
)
def volatility_mislabelled(ctx: Context) -> Iterator[Finding]:
    for f in ctx.schema.functions:
        level, worst = ctx.body_volatility.get(f.key, (f.volatility, None))
        if worst is None or sqlfacts.VOLATILITY_RANK[level] <= sqlfacts.VOLATILITY_RANK[f.volatility]:
            continue
        label, volatility, location = worst
        yield ctx.finding(
            "C310",
            ("function", f.key),
            ctx.function_label(f),
            f"function is declared {f.volatility.upper()} but calls {label} ({volatility})",
            at=("function_body", f.key),
            offset=location,
        )


@rule(
    "C311",
    "spent-confirmation",
    WARNING,
    why="An `allow_destructive` entry confirms the change of the one migration that used it; left in the spec "
    "it would confirm a later drop of an object of the same name (drop a column, add it again, remove it "
    "again), so it confirms nothing more and `schemagen build` refuses to write the next migration until "
    "it is removed.",
    hint="remove the entry from allow_destructive; confirm a later change when it comes",
)
def spent_confirmation(ctx: Context) -> Iterator[Finding]:
    for entry in ctx.options.spent:
        yield ctx.finding(
            "C311",
            ("allow_destructive", entry),
            entry,
            f"`{entry}` confirmed a change of migration {ctx.options.last_migration} and is spent",
        )


@rule(
    "C316",
    "foreign-key-type-mismatch",
    WARNING,
    why="PostgreSQL accepts a foreign key between different but comparable types (`integer` referencing "
    "`bigint`), but every check and join then compares across types, and a referencing column narrower than "
    "the key cannot hold every key value: a referenced `bigint` past 2147483647 cannot be referenced from an "
    "`integer` column.",
    hint="give the referencing column the referenced column's type",
)
def foreign_key_type_mismatch(ctx: Context) -> Iterator[Finding]:
    columns: dict[ir.Name, dict[str, ir.Column]] = {t.name: {c.name: c for c in t.columns} for t in ctx.schema.tables}
    for ext in ctx.schema.external.tables:
        columns[ext.name] = {c.name: c for c in ext.columns}
    for t in ctx.schema.tables:
        for fk in t.foreign_keys:
            assert fk.ref_table is not None
            target = columns.get(fk.ref_table, {})
            pairs = [(t.column(a), target.get(b), b) for a, b in zip(fk.columns, fk.ref_columns)]
            different = [
                f"{own.name} ({own.sql_type}) -> {fk.ref_table}.{name} ({other.sql_type})"
                for own, other, name in pairs
                if own is not None and other is not None and own.sql_type != other.sql_type
            ]
            if different:
                yield ctx.finding(
                    "C316",
                    ("constraint", t.name, fk.name),
                    f"{t.name}.{fk.name}",
                    f"foreign key between different types: {', '.join(different)}",
                )


@rule(
    "C314",
    "extension-in-public",
    WARNING,
    why="An extension installed in `public` puts its functions, types and operators in the schema every role "
    "searches and the API exposes (Supabase's splinter 0014, extension_in_public); they then shadow or collide "
    "with the schema's own objects, and move with it in dumps.",
    hint="install it in a schema of its own: `schema: extensions` (declared under external.schemas)",
)
def extension_in_public(ctx: Context) -> Iterator[Finding]:
    for x in ctx.schema.extensions:
        if x.schema == "public":
            yield ctx.finding("C314", ("extension", x.name), x.name, f"extension {x.name} is installed in public")


@rule(
    "C312",
    "published-without-replica-identity",
    ERROR,
    why="A publication that publishes UPDATE or DELETE needs each of its tables to say which row changed: its "
    "replica identity (by default the primary key). On a table without one PostgreSQL refuses every UPDATE and "
    "DELETE (`cannot update table ... because it does not have a replica identity and publishes updates`), so "
    "the application breaks the moment the table is published. So it does when a row filter reads, or a column "
    "list leaves out, a column outside the replica identity.",
    hint="give the table a primary key, or `replica_identity: full` (or `{index: ...}`); keep a row filter to its "
    "replica identity's columns and a column list holding them; or publish only inserts",
)
def published_without_replica_identity(ctx: Context) -> Iterator[Finding]:
    tables = {t.name: t for t in ctx.schema.tables}
    for p in ctx.schema.publications:
        if not {"update", "delete"} & set(p.publish):
            continue
        changes = "/".join(o for o in p.publish if o in ("update", "delete"))
        for name in tables if p.all_tables else p.tables:
            t = tables.get(name)
            if t is None:
                continue
            at: Key = ("publication", p.name) if p.all_tables else ("publication_table", p.name, name)
            identity = _identity_columns(t)
            if identity is None:
                message = (
                    f"publication {p.name} publishes {changes} of {name.display}, which has no replica identity (no "
                    f"primary key, replica_identity: {t.replica_identity})"
                )
                yield ctx.finding("C312", ("table", name), str(name), message, at=at)
                continue
            f = p.filter_of(name)
            if f is None:
                continue
            outside = sorted(sqlparse.column_names(f.where) - identity) if f.where else []
            missing = [c for c in (t.columns if f.columns else ()) if c.name in identity and c.name not in f.columns]
            if outside:
                message = (
                    f"publication {p.name} publishes {changes} of {name.display} with a row filter on "
                    f"{', '.join(outside)}, outside its replica identity"
                )
                yield ctx.finding("C312", ("table", name), str(name), message, at=at)
            if missing:
                message = (
                    f"publication {p.name} publishes {changes} of {name.display} with a column list without "
                    f"{', '.join(c.name for c in missing)}, of its replica identity"
                )
                yield ctx.finding("C312", ("table", name), str(name), message, at=at)


def _identity_columns(t: ir.Table) -> frozenset[str] | None:
    """The columns that identify a row to logical replication (None: none do)."""
    if t.replica_identity == "full":
        return frozenset(c.name for c in t.columns)
    key = t.replica_index if t.replica_identity == "index" else None
    for c in t.constraints:
        if (c.kind == "primary_key" and t.replica_identity == "default") or c.name == key:
            return frozenset(c.columns)
    for ix in t.indexes:
        if key is not None and ix.name.name == key:
            return frozenset(e.column for e in ix.elements if e.column is not None)
    return None
