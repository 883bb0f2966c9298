"""The spec's `tenancy:`: how a session names its user, how a user belongs to a tenant, and which
column holds the tenant on each table, resolved into ir.Tenancy (the data of the database tests).

A table's tenant column is read from its policies when the spec does not state it: the column
that a policy compares with the membership table's tenant column, in the shapes policies take:

    EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = t.org_id)
    org_id IN (SELECT org_id FROM auth.users_extended WHERE id = auth.uid())
    org_id = (SELECT u.org_id FROM auth.users_extended u WHERE u.id = auth.uid())
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .. import errors, ir
from ..ir import Name, names
from ..pg import parsetree, sqlparse
from ..spec import model
from ..spec.loader import LoadedFile
from .registry import Registry
from .report import Report, Where, ident, valid_expression

_SETTING = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)+\Z")  # a custom setting: `a.b`
_DML = {"select", "insert", "update", "delete", "all"}


@dataclass(frozen=True)
class _Spec:
    """What the tenancy is checked against: the files, the names they define, the resolved tables."""

    files: list[LoadedFile]
    known: Registry
    resolved_tables: Mapping[Name, ir.Table]
    report: Report


def tenancy(
    files: list[LoadedFile], known: Registry, resolved_tables: Mapping[Name, ir.Table], report: Report
) -> ir.Tenancy | None:
    """The spec's tenancy, checked; None when no file states one (errors go to the report)."""
    return _tenancy(_Spec(files, known, resolved_tables, report))


def _tenancy(r: _Spec) -> ir.Tenancy | None:
    declared = [(f, f.spec.tenancy) for f in r.files if f.spec.tenancy is not None]
    if not declared:
        return None
    f, spec = declared[0]
    for other, _ in declared[1:]:
        r.report.error(
            Where(other.pos, ("tenancy",)),
            errors.DUPLICATE_NAME,
            f"tenancy is already stated in {f.pos.file}: state it once",
            key=True,
        )
    assert spec is not None
    where = Where(f.pos, ("tenancy",))
    before = len(r.report.diagnostics)
    function = _user_function(r, spec.user, where.at("user"))
    membership = _membership(r, spec.membership, where.at("membership"))
    samples = tuple(_samples(r))
    if membership is None or function is None or len(r.report.diagnostics) > before:
        return None
    member_table, tenant_ref = membership
    tables = _tables(r, spec, member_table, where)
    if len(r.report.diagnostics) > before:
        return None
    if not tables:
        r.report.error(
            where,
            errors.SPEC_INVALID,
            f"tenancy covers no table: no policy compares a column with {member_table.display}."
            f"{spec.membership.tenant}; name the tenant column under tenancy.tables",
            key=True,
        )
        return None
    role = _role(r, spec, tables, where)
    anonymous = spec.anonymous_role
    if anonymous is not None:
        ident(r.report, anonymous, where.at("anonymous_role"), "role")
    if role is None:
        return None
    return ir.Tenancy(
        user_function=function,
        setting=spec.user.setting,
        membership=member_table,
        membership_user=spec.membership.user,
        membership_tenant=spec.membership.tenant,
        tenant_table=tenant_ref[0] if tenant_ref else None,
        tenant_key=tenant_ref[1] if tenant_ref else None,
        role=role,
        anonymous_role=anonymous,
        tables=tuple(tables),
        module=f.module,
        samples=samples,
    )


def _user_function(r: _Spec, user: model.TenancyUser, where: Where) -> Name | None:
    name = names.split(user.function.removesuffix("()"))
    ok = True
    if not r.known.overloads(name) and name not in r.known.external_functions:
        r.report.error(
            where.at("function"),
            errors.UNKNOWN_FUNCTION,
            f'unknown function "{name.display}" (a function of the spec, or declared under external.functions)',
        )
        ok = False
    if not _SETTING.match(user.setting):
        r.report.error(
            where.at("setting"),
            errors.SPEC_INVALID,
            f'"{user.setting}" is not the name of a custom setting (two or more dotted names, like '
            "request.jwt.claim.sub)",
        )
        ok = False
    return name if ok else None


def _membership(r: _Spec, m: model.TenancyMembership, where: Where) -> tuple[Name, tuple[Name, str] | None] | None:
    """The membership table, and the table and column its tenant column references (when declared)."""
    name = names.split(m.table)
    columns = r.known.table_columns(name)
    if columns is None:
        r.report.error(where.at("table"), errors.UNKNOWN_TABLE, f'unknown table "{name.display}"')
        return None
    for key in ("user", "tenant"):
        column = getattr(m, key)
        if column not in columns:
            r.report.error(where.at(key), errors.UNKNOWN_COLUMN, f'unknown column "{column}" in table {name.display}')
    for fk in _foreign_keys(r, name):
        if fk.columns == (m.tenant,):
            return name, (fk.ref_table, fk.ref_columns[0]) if fk.ref_table is not None else None
    return name, None


def _foreign_keys(r: _Spec, name: Name) -> tuple[ir.Constraint, ...]:
    table = r.resolved_tables.get(name)
    if table is not None:
        return table.foreign_keys
    external = r.known.external_tables.get(name)
    return external.foreign_keys if external is not None else ()


def _tables(r: _Spec, spec: model.Tenancy, membership: Name, where: Where) -> list[ir.TenantTable]:
    """Every table the tenancy covers: those stated, then those whose policies show their tenant column."""
    found: dict[Name, ir.TenantTable] = {}
    for key, entry in spec.tables.items():
        at = where.at("tables", key)
        name = names.split(key)
        table = r.resolved_tables.get(name)
        if table is None:
            r.report.error(at, errors.UNKNOWN_TABLE, f'unknown table "{name.display}" (a table of the spec)', key=True)
            continue
        if table.column(entry.column) is None:
            r.report.error(
                at.at("column"), errors.UNKNOWN_COLUMN, f'unknown column "{entry.column}" in table {name.display}'
            )
            continue
        found[name] = ir.TenantTable(name, entry.column, stated=True)
    for table in r.resolved_tables.values():
        if table.name in found or table.name == membership:
            continue
        columns = {
            c
            for p in table.policies
            for text in (p.using, p.check)
            if text is not None
            for c in tenant_columns(text, table, membership, spec.membership.tenant)
        }
        if len(columns) == 1:
            found[table.name] = ir.TenantTable(table.name, columns.pop())
    return sorted(found.values(), key=lambda t: (t.table.schema, t.table.name))


def _role(r: _Spec, spec: model.Tenancy, tables: list[ir.TenantTable], where: Where) -> str | None:
    if spec.role is not None:
        if spec.role not in r.known.roles or spec.role == "public":
            r.report.error(
                where.at("role"), errors.UNKNOWN_ROLE, f'unknown role "{spec.role}" (declare it under external.roles)'
            )
            return None
        return spec.role
    covered = {t.table for t in tables}
    named = {
        role
        for t in r.resolved_tables.values()
        if t.name in covered
        for p in t.policies
        for role in p.roles
        if role != "public"
    }
    if not named:
        named = {
            role
            for f in r.files
            for g in f.spec.grants
            if {names.split(t) for t in g.tables} & covered and {p.lower() for p in g.privileges} & _DML
            for role in g.to
            if role != "public"
        }
    if len(named) == 1:
        return named.pop()
    said = f"the tenant tables' policies and grants name {', '.join(sorted(named))}" if named else "none is named"
    r.report.error(
        where, errors.UNKNOWN_ROLE, f"state tenancy.role, the role a user's session runs as: {said}", key=True
    )
    return None


def _samples(r: _Spec) -> Iterator[ir.Sample]:
    """Every column's `sample:`, parsed as one SQL expression."""
    for name, entry in r.known.tables.items():
        for column, c in entry.spec.columns.items():
            if c.sample is not None and valid_expression(
                r.report, c.sample, entry.where.at("columns", column, "sample")
            ):
                yield ir.Sample(name, column, c.sample)
    for f in r.files:
        for key, et in f.spec.external.tables.items():
            name = names.split(key)
            for column, ec in et.columns.items():
                at = Where(f.pos, ("external", "tables", key, "columns", column, "sample"))
                if ec.sample is not None and valid_expression(r.report, ec.sample, at):
                    yield ir.Sample(name, column, ec.sample)


# -- reading a policy ----------------------------------------------------------
def tenant_columns(text: str, table: ir.Table, membership: Name, tenant: str) -> set[str]:
    """The columns of `table` that the policy expression `text` compares with `membership`.`tenant`."""
    try:
        tree = sqlparse.expression_json(text)
    except sqlparse.FragmentError:
        return set()
    found: set[str] = set()
    own = {c.name for c in table.columns}
    for select in _nodes(tree, "SelectStmt"):
        aliases = {
            (rv.get("alias") or {}).get("aliasname") or rv["relname"]
            for item in select.get("fromClause", ())
            for rv in [item.get("RangeVar")]
            if rv is not None
            and rv["relname"] == membership.name
            and rv.get("schemaname", membership.schema) == membership.schema
        }
        if not aliases:
            continue

        def is_tenant(node: Any, aliases: set[str] = aliases) -> bool:
            ref = _column_ref(node)
            return ref is not None and ref[-1] == tenant and (len(ref) == 1 or ref[-2] in aliases)

        def outer_column(node: Any, aliases: set[str] = aliases) -> str | None:
            ref = _column_ref(node)
            if ref is None or ref[-1] not in own:
                return None
            if len(ref) >= 2 and ref[-2] == table.name.name:
                return ref[-1]
            return None

        for expr in _nodes(select.get("whereClause"), "A_Expr"):
            if _operator(expr) == "=":
                left, right = expr.get("lexpr"), expr.get("rexpr")
                for a, b in ((left, right), (right, left)):
                    column = outer_column(b)
                    if is_tenant(a) and column is not None:
                        found.add(column)
        targets = select.get("targetList", ())
        if len(targets) == 1 and is_tenant(targets[0]["ResTarget"].get("val")):
            found |= _compared_with_subquery(tree, select, own)
    return found


def _compared_with_subquery(tree: Any, select: dict[str, Any], own: set[str]) -> set[str]:
    """The columns compared with the sub-query `select`: `col IN (select)`, `col = (select)`."""
    found = set()
    for link in _nodes(tree, "SubLink"):
        if link.get("subselect", {}).get("SelectStmt") is not select:
            continue
        ref = _column_ref(link.get("testexpr"))
        if link.get("subLinkType") == "ANY_SUBLINK" and ref is not None and ref[-1] in own:
            found.add(ref[-1])
    for expr in _nodes(tree, "A_Expr"):
        if _operator(expr) != "=":
            continue
        for a, b in ((expr.get("lexpr"), expr.get("rexpr")), (expr.get("rexpr"), expr.get("lexpr"))):
            sub: Any = a.get("SubLink") if isinstance(a, dict) else None
            ref = _column_ref(b)
            if sub and sub.get("subselect", {}).get("SelectStmt") is select and ref is not None and ref[-1] in own:
                found.add(ref[-1])
    return found


def _nodes(tree: Any, kind: str) -> Iterator[dict[str, Any]]:
    """Every node of `kind` in a JSON parse tree, outermost first (pg/parsetree's walker)."""
    return (fields for found, fields in parsetree.walk(tree) if found == kind)


def _column_ref(node: Any) -> tuple[str, ...] | None:
    if not isinstance(node, dict) or "ColumnRef" not in node:
        return None
    fields = node["ColumnRef"].get("fields", ())
    parts = [f.get("String", {}).get("sval") for f in fields]
    return None if any(not isinstance(p, str) for p in parts) else tuple(parts)


def _operator(expr: dict[str, Any]) -> str | None:
    if expr.get("kind") != "AEXPR_OP":
        return None
    name = expr.get("name", ())
    return name[-1].get("String", {}).get("sval") if name else None
