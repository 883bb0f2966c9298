"""The structure checks of one module: every object the spec states, as the catalog should show it.

Each check reads one fact from pg_catalog (templates/dbtests/probes/) and compares it with what the
spec says, spelled as the catalog spells it (pg/typenames.py): a column's type and nullability, a
key's columns, an index's keys, a partition's bounds, a policy's command and roles, a role's
privileges. A missing object reads as NULL, so a check fails and the next ones still run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .. import ir
from ..ir import Name
from ..pg import datatypes, quoting, sqlparse
from ..pg.typenames import format_type, function_types
from ..templating import environment
from .model import Check, text

_NUMERIC = frozenset({"int2", "int4", "int8", "numeric", "float4", "float8", "oid"})
ALL_PRIVILEGES = {
    "table": ("delete", "insert", "references", "select", "trigger", "truncate", "update"),
    "function": ("execute",),
    "column": ("insert", "references", "select", "update"),
}
_SPLIT = re.compile(r"'(?:[^']|'')*'|[^,]+")  # the values of a bound: literals or MINVALUE/MAXVALUE


def call(kind: str, *arguments: str) -> str:
    """The call of probe `kind` on quoted arguments: the function pg_temp.schemagen_<kind>, whose SQL is in
    templates/dbtests/functions.sql.j2 (a name and its arguments, written here: a template rendered for each of
    40,000 checks of a 1,000-table spec cost a second of every build)."""
    return f"pg_temp.schemagen_{kind}({', '.join(arguments)})"


def bound(**params: object) -> str:
    """The SQL that prints a partition bound as pg_get_expr() does (templates/dbtests/probes/bound.sql.j2)."""
    params = {"is_hash": False, "is_list": False, **params}  # K3: a range partition's unless said
    sql = environment().get_template("dbtests/probes/bound.sql.j2").render(**params)
    return " ".join(line.strip() for line in sql.strip().splitlines())


def lit(value: str) -> str:
    return quoting.literal(value)


def checks(schema: ir.Schema, module: str, exposed: tuple[str, ...]) -> Iterator[Check]:
    """Every structure check of `module`, in the order the file lists them."""
    yield from _roles(schema, module)
    for enum in schema.enums:
        if enum.module == module:
            yield Check(
                f"enum {enum.name} has the labels {', '.join(enum.values)} in this order",
                call("enum", lit(enum.name.schema), lit(enum.name.name)),
                text(json.dumps(list(enum.values), ensure_ascii=False)),
                heading=f"enum {enum.name}",
            )
    tenancy = schema.tenancy
    granted = _grants(schema)
    revoked = _revokes(schema)
    for table in schema.tables:
        if table.module == module:
            yield from _table(table, exposed, tenancy, granted, revoked, schema.intent.without_rls)
    for function in schema.functions:
        if function.module == module and function.kind == "function":  # a procedure has no result to check
            yield from _function(function, _roles_of(tenancy), granted, revoked)
    modules = {t.name: t.module for t in schema.tables}
    for trigger in schema.triggers:
        if modules.get(trigger.table) == module:
            yield _trigger(trigger)


def _roles_of(tenancy: ir.Tenancy | None) -> tuple[str, ...]:
    """The roles whose privileges are checked on every object: PUBLIC, and the tenancy's."""
    roles = ["public"]
    if tenancy is not None:
        roles += [tenancy.role] + ([tenancy.anonymous_role] if tenancy.anonymous_role else [])
    return tuple(roles)


def _roles(schema: ir.Schema, module: str) -> Iterator[Check]:
    roles = {r for g in schema.grants if g.module == module for r in g.roles}
    roles |= {r for t in schema.tables if t.module == module for p in t.policies for r in p.roles}
    tenancy = schema.tenancy
    if tenancy is not None and tenancy.module == module:
        roles |= set(_roles_of(tenancy))
    for i, role in enumerate(sorted(roles - {"public"})):
        yield Check(f"role {role} exists", call("role", lit(role)), text("exists"), heading="roles" * (i == 0))


Grants = dict[tuple[str, str], list[ir.Grant]]


def _grants(schema: ir.Schema) -> Grants:
    """The spec's grants by (kind, target)."""
    found: Grants = {}
    for g in schema.grants:
        found.setdefault((g.kind, g.target), []).append(g)
    return found


Revokes = dict[tuple[str, str], dict[str, set[str]]]


def _revokes(schema: ir.Schema) -> Revokes:
    """The privileges the spec revokes (privileges K5), by (kind, target), then role."""
    found: Revokes = {}
    for r in schema.revokes:
        for role in r.roles:
            found.setdefault((r.kind, r.target), {}).setdefault(role, set()).update(r.privileges)
    return found


def _privilege_checks(
    where: str,
    probe: str,
    arguments: tuple[str, ...],
    granted: list[tuple[str, list[str]]],
    revoked: dict[str, set[str]],
) -> Iterator[Check]:
    """A check per role: the privileges it holds are the spec's grants, plus what the object got when created
    (built-in and default privileges) but the spec's revokes."""
    for role, privileges in granted:
        taken = sorted(revoked.get(role, ()))
        extra = (_array(taken),) if taken else ()
        but = f", {_privileges(taken)} revoked" if taken else ""
        yield Check(
            f"{where}: {_role(role)} holds {_privileges(privileges) or 'no privilege'}, as granted{but}",
            call(probe, *arguments, lit(role), _array(privileges), *extra),
            text(", ".join(privileges)),
        )


def _column_checks(t: ir.Table, always: tuple[str, ...], grants: Grants) -> Iterator[Check]:
    """A check per role: the column-level privileges it holds on the table are the spec's column grants."""
    held: dict[str, dict[str, set[str]]] = {role: {} for role in always}
    for g in grants.get(("table", t.name.q), ()):
        for role in g.roles:
            for column in g.columns:
                held.setdefault(role, {}).setdefault(column, set()).update(_all(g.privileges, "column"))
    if not any(g.columns for g in grants.get(("table", t.name.q), ())) and not always:
        return
    for role in sorted(held):
        want = "; ".join(f"{column}: {', '.join(sorted(held[role][column]))}" for column in sorted(held[role]))
        yield Check(
            f"table {t.name}: {_role(role)} holds {'column privileges ' + want if want else 'no column privilege'}"
            ", as granted",
            call("column_privileges", lit(t.name.schema), lit(t.name.name), lit(role)),
            text(want),
        )


def _all(privileges: tuple[str, ...], kind: str) -> set[str]:
    found = {p.lower() for p in privileges}
    return (found - {"all"}) | set(ALL_PRIVILEGES[kind]) if "all" in found else found


def _table(
    t: ir.Table,
    exposed: tuple[str, ...],
    tenancy: ir.Tenancy | None,
    grants: Grants,
    revokes: Revokes,
    without_rls: tuple[Name, ...],
) -> Iterator[Check]:
    s, n = lit(t.name.schema), lit(t.name.name)
    where = f"table {t.name}"
    kind = "table"
    if t.partition_by:
        kind = f"table partitioned by {t.partition_by} ({', '.join(quoting.ident(c) for c in t.partition_key)})"
    yield Check(f"{where} exists: {kind}", call("table", s, n), text(kind), heading=where)
    names = sorted(c.name for c in t.columns)
    yield Check(
        f"{where} has the columns of the spec, no more",
        call("columns", s, n),
        text(json.dumps(names, ensure_ascii=False)),
    )
    for c in t.columns:
        spelled = f"{column_type(c)} {'not null' if c.not_null else 'null'}"
        yield Check(f"column {t.name}.{c.name} is {spelled}", call("column", s, n, lit(c.name)), text(spelled))
    for con in t.constraints:
        want = _constraint(con)
        yield Check(
            f"constraint {con.name} on {t.name}: {want}",
            call("constraint", s, n, lit(con.name)),
            text(want),
        )
        if con.is_foreign_key:  # DISABLE TRIGGER ALL leaves it in the catalog, unenforced
            yield Check(
                f"foreign key {con.name} on {t.name} is enforced (its triggers fire)",
                call("enforced", s, n, lit(con.name)),
                text("enforced"),
            )
    for index in t.indexes:
        want = _index(index)
        yield Check(
            f"index {index.name} on {t.name}: {want}",
            call("index", lit(index.name.schema), n, n_lit(index.name)),
            text(want),
        )
    key_types = [t.column(k) for k in t.partition_key]
    for p in t.partitions:
        yield Check(
            f"partition {p.name} of {t.name}: {_bound_shown(p)}",
            call("partition", lit(p.name.schema), n, n_lit(p.name)),
            _bound(p, key_types),
        )
    yield _rls(t, exposed, t.name in without_rls)
    policy_names = sorted(p.name for p in t.policies)
    yield Check(
        f"{where} has the policies of the spec, no more: {', '.join(policy_names) or 'none'}",
        call("policies", s, n),
        text(json.dumps(policy_names, ensure_ascii=False)),
    )
    for policy in t.policies:
        want = _policy(policy)
        yield Check(f"policy {policy.name} on {t.name}: {want}", call("policy", s, n, lit(policy.name)), text(want))
    revoked = revokes.get(("table", t.name.q), {})
    always = tuple(sorted({*_roles_of(tenancy), *revoked}))
    yield from _privilege_checks(
        where, "table_privileges", (s, n), _granted(grants, "table", t.name.q, always), revoked
    )
    yield from _column_checks(t, _roles_of(tenancy), grants)


def _array(items: list[str]) -> str:
    """A text[] of plain words (privilege names)."""
    return lit("{" + ",".join(items) + "}")


def n_lit(name: Name) -> str:
    return lit(name.name)


def column_type(c: ir.Column) -> str:
    if c.enum is not None:
        return format_type(c.enum.name, (), c.array_dims, schema=c.enum.schema)
    if c.base not in datatypes.BASE_TYPES:  # an extension's or an external type: schema.name, as the probe prints it
        spelled = sqlparse.type_name_loose(c.sql_type)
        if spelled is not None and spelled[0] is not None:
            return format_type(spelled[1], (), c.array_dims, schema=spelled[0])
    return format_type(c.base, c.mods, c.array_dims, column=True)


def _constraint(c: ir.Constraint) -> str:
    columns = ", ".join(quoting.ident(x) for x in c.columns)
    if c.kind == "primary_key":
        return f"primary key ({columns})"
    if c.kind == "unique":
        return f"unique ({columns})"
    if c.kind in ("check", "exclude"):
        return c.kind
    assert c.ref_table is not None
    referenced = ", ".join(quoting.ident(x) for x in c.ref_columns)
    return (
        f"foreign key ({columns}) references {c.ref_table.q} ({referenced}) "
        f"on delete {c.on_delete or 'no action'} on update {c.on_update or 'no action'}"
    )


def _index(i: ir.Index) -> str:
    keys = []
    for e in i.elements:
        key = quoting.ident(e.column) if e.column is not None else "(expression)"
        if e.descending:
            key += " DESC"
        if e.nulls == "last" and e.descending:
            key += " NULLS LAST"
        if e.nulls == "first" and not e.descending:
            key += " NULLS FIRST"
        keys.append(key)
    include = f" include ({', '.join(quoting.ident(c) for c in i.include)})" if i.include else ""
    return f"{'unique ' if i.unique else ''}{i.method} ({', '.join(keys)}){include}{' partial' if i.where else ''}"


def _bound_shown(p: ir.Partition) -> str:
    if p.is_default:
        return "DEFAULT"
    if p.is_list:
        return f"values {', '.join(p.values)}"
    if p.is_hash:
        return f"modulus {p.modulus}, remainder {p.remainder}"
    return f"from {p.lower} to {p.upper}"


def _bound(p: ir.Partition, key: list[ir.Column | None]) -> str:
    if p.is_default:
        return bound(is_default=True)
    if p.is_hash:  # K3 hash partitions
        return bound(is_default=False, is_hash=True, modulus=p.modulus, remainder=p.remainder)
    if p.is_list:  # K3 list partitions: each value typed by the key column (NULL as the word)
        column = key[0] if key else None
        listed = [
            BoundValue(v) if v == "NULL" or column is None else BoundValue(v, column.sql_type, column.base in _NUMERIC)
            for v in p.values
        ]
        return bound(is_default=False, is_list=True, listed=listed)
    return bound(is_default=False, lower=_values(p.lower, key), upper=_values(p.upper, key))


@dataclass(frozen=True)
class BoundValue:
    """One value of a partition bound, for templates/dbtests/probes/bound.sql.j2 to print as pg_get_expr() does: a
    number bare, anything else quoted, read by the server as the key column's type."""

    value: str  # the spec's SQL constant, or MINVALUE / MAXVALUE
    type: str = ""  # the key column's type, "" for MINVALUE / MAXVALUE
    numeric: bool = False

    @property
    def word(self) -> str:
        """MINVALUE / MAXVALUE as a text literal."""
        return lit(self.value)


def _values(bound: str, key: list[ir.Column | None]) -> list[BoundValue]:
    """A bound's values, each with its key column's type (in the session's settings: a timestamptz in its time
    zone)."""
    parts = [m.group(0).strip() for m in _SPLIT.finditer(bound)]
    out = []
    for value, column in zip(parts, key, strict=False):
        if value.upper() in ("MINVALUE", "MAXVALUE") or column is None:
            out.append(BoundValue(value.upper()))
        else:
            out.append(BoundValue(value, column.sql_type, column.base in _NUMERIC))
    return out


def _rls(t: ir.Table, exposed: tuple[str, ...], intended: bool) -> Check:
    state = "enabled" if t.row_level_security else "disabled"
    if t.force_row_level_security:
        state += ", forced"
    label = f"table {t.name}: row level security {state}"
    if intended:
        label += " (the spec says it is intended: lint S105 ignored)"
    if not t.row_level_security and t.name.schema in exposed and not intended:
        # A table an API serves to every login role, without row level security: the spec's own hole.
        label = (
            f"table {t.name} is in exposed schema {t.name.schema}: row level security must be enabled (the spec has "
            "none: enable it, or say it is intended with `lint: {ignore: {S105: why}}` on the table)"
        )
        state = "enabled"
    s, n = lit(t.name.schema), lit(t.name.name)
    return Check(label, call("rls", s, n), text(state))


def _policy(p: ir.Policy) -> str:
    roles = ", ".join(sorted(p.roles))
    parts = [f"{p.command} to {roles}", "restrictive" if p.restrictive else "permissive"]
    if p.using is not None:
        parts.append("using")
    if p.check is not None:
        parts.append("with check")
    return ", ".join(parts)


def _granted(grants: Grants, kind: str, target: str, always: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """(role, the privileges the spec grants it on `target`, sorted) for every role a grant names and `always`."""
    held: dict[str, set[str]] = {role: set() for role in always}
    for g in grants.get((kind, target), ()):
        if g.columns:  # column-level: checked on their own (_column_checks)
            continue
        for role in g.roles:
            privileges = {p.lower() for p in g.privileges}
            if "all" in privileges:
                privileges = (privileges - {"all"}) | set(ALL_PRIVILEGES[kind])
            held.setdefault(role, set()).update(privileges)
    return [(role, sorted(held[role])) for role in sorted(held)]


def _privileges(granted: list[str]) -> str:
    return ", ".join(p.upper() for p in granted)


def _role(role: str) -> str:
    return "PUBLIC" if role == "public" else f"role {role}"


def _function(f: ir.Function, always: tuple[str, ...], grants: Grants, revokes: Revokes) -> Iterator[Check]:
    spelled = function_types(f.args, f.returns)
    args, result = spelled if spelled is not None else ("", f.returns)
    path = "not set"
    if f.search_path is not None:
        path = ", ".join(quoting.ident(s) for s in f.search_path) if f.search_path else '""'
    want = (
        f"language {f.language}, {f.volatility}{', strict' if f.strict else ''}, security {f.security}, "
        f"search_path {path}, returns {result}"
    )
    s, n = lit(f.name.schema), lit(f.name.name)
    where = f"function {f.name}({args})"
    yield Check(f"{where}: {want}", call("function", s, n, lit(args)), text(want), heading=where)
    revoked = revokes.get(("function", f.signature), {})
    always = tuple(sorted({*always, *revoked}))
    yield from _privilege_checks(
        where, "function_privileges", (s, n, lit(args)), _granted(grants, "function", f.signature, always), revoked
    )


def _trigger(t: ir.Trigger) -> Check:
    order = ("insert", "update", "delete", "truncate")
    events = " or ".join(e for e in order if e in t.events)
    want = f"{t.timing} {events} for each {t.level} execute {t.function.q}{', when' if t.when else ''}"
    return Check(
        f"trigger {t.name} on {t.table}: {want}",
        call("trigger", lit(t.table.schema), lit(t.table.name), lit(t.name)),
        text(want),
        heading=f"trigger {t.name}",
    )
