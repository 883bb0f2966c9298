"""The tenancy checks of one module: rows for two tenants, then what each tenant's user can and cannot do.

As the role the tenancy names, with the user setting set to each user in turn, on every covered
table of the module: the user sees its own rows and none of the other tenant's; inserts a row for
its own tenant and cannot for the other; updates and deletes its own rows and none of the other's
(0 rows); cannot move its own row to the other tenant. Every denial has its positive control (the
same act on the user's own tenant), so a check cannot pass because the rows are missing. A
command the spec does not grant, or that no policy allows, is checked as denied on both tenants.
The anonymous role, without a user, reads nothing. Each act runs through pg_temp.schemagen_try
(templates/dbtests/helper.sql.j2), which undoes it, so no check sees another's effects.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..pg import quoting
from ..templating import environment
from . import rows as fixture
from .model import Check, text

SOME_ROWS = "^rows [1-9][0-9]*$"
DENIED = "^error 42501: "  # insufficient_privilege: a row level security violation or a missing grant
NOTHING = "^(rows 0|error 42501: .*)$"
NOBODY = "schemagen_test_nobody"  # the role without grants, when the tenancy names no anonymous role


@dataclass(frozen=True)
class Tenancy:
    setup: str
    fixture: tuple[Check, ...]
    behaviour: tuple[Check, ...]
    notes: tuple[str, ...]


def statement(kind: str, **params: str) -> str:
    return environment().get_template(f"dbtests/statements/{kind}.sql.j2").render(**params).strip()


def attempt(role: str | None, setting: str | None, user: str | None, sql: str, keep: bool = False) -> str:
    """The probe that runs `sql` as `role` and the user, and says what happened (undone unless `keep`)."""

    def lit(v: str | None) -> str:
        return "NULL" if v is None else quoting.literal(v)

    return (
        environment()
        .get_template("dbtests/probes/try.sql.j2")
        .render(role=lit(role), setting=lit(setting), user=lit(user), statement=lit(sql), keep=str(keep).lower())
        .strip()
    )


def tenancy_checks(schema: ir.Schema, tenancy: ir.Tenancy, module: str) -> Tenancy | None:
    tables = [
        (t, next(x for x in schema.tables if x.name == t.table))
        for t in tenancy.tables
        if any(x.name == t.table and x.module == module for x in schema.tables)
    ]
    if not tables:
        return None
    rows = fixture.Rows(schema, tenancy)
    for tenant in fixture.TENANTS:
        if tenancy.tenant_table is not None:
            rows.row(tenancy.tenant_table, tenant)
        rows.row(tenancy.membership, tenant)
        for t, _ in tables:
            rows.row(t.table, tenant)
    acts: dict[tuple[ir.Name, str, int], fixture.Row | None] = {}
    for t, _ in tables:
        for i, tenant in enumerate(fixture.TENANTS):
            other = fixture.TENANTS[1 - i]
            acts[(t.table, tenant, 2)] = rows.row(t.table, tenant, 2)
            acts[(t.table, tenant, 3)] = rows.row(t.table, other, 3 + i)
    behaviour_rows = {r for r in acts.values() if r is not None}
    made = [r for r in rows.made if r not in behaviour_rows]
    prepared = [
        Check(
            f"rows: {_whose(tenancy, r)} in {r.relation}",
            attempt(None, None, None, rows.insert(r), keep=True),
            text("rows 1"),
            heading="the rows the checks start from: two tenants, a user each" * (i == 0),
        )
        for i, r in enumerate(made)
    ]
    checks: list[Check] = []
    granted = table_grants(schema)
    anonymous = tenancy.anonymous_role or NOBODY
    for i, tenant in enumerate(fixture.TENANTS):
        other = fixture.TENANTS[1 - i]
        user = str(rows.user_id(tenant))
        checks.append(
            Check(
                f"{tenancy.user_function}() gives the id of the user of tenant {tenant} when {tenancy.setting} is set",
                _as_user(tenancy, user, statement("user_is", function=tenancy.user_function.q, user=_lit(user))),
                text("rows 1"),
                heading=f"as role {tenancy.role}, the user of tenant {tenant}",
            )
        )
        for t, table in tables:
            acted = (acts[(t.table, tenant, 2)], acts[(t.table, tenant, 3)])
            checks += _table_checks(tenancy, table, t.column, (tenant, other), rows, acted, granted)
    for j, (t, _table) in enumerate(tables):
        checks.append(
            Check(
                f"{t.table}: {_who(anonymous)}, without a user, reads nothing",
                attempt(anonymous, tenancy.setting, "", statement("select", table=t.table.q)),
                text(NOTHING),
                pattern=True,
                heading=f"as role {anonymous}, without a user" * (j == 0),
            )
        )
    setup = "" if tenancy.anonymous_role else statement("nobody", role=quoting.ident(NOBODY))
    return Tenancy(setup, tuple(prepared), tuple(checks), tuple(dict.fromkeys(rows.notes)))


def _table_checks(
    tenancy: ir.Tenancy,
    table: ir.Table,
    column: str,
    tenants: tuple[str, str],
    rows: fixture.Rows,
    acted: tuple[fixture.Row | None, fixture.Row | None],
    granted: Granted,
) -> list[Check]:
    """The checks of one table for the user of the first tenant (`acted`: its insert for its own tenant and for
    the other)."""
    tenant, other = tenants
    own_row, other_row = acted
    user = str(rows.user_id(tenant))
    mine, theirs = _lit(rows.tenant_id(tenant)), _lit(rows.tenant_id(other))
    name, q, col = table.name, table.name.q, quoting.ident(column)
    who = f"{name}: the user of tenant {tenant}"

    def act(sql: str) -> str:
        return _as_user(tenancy, user, sql)

    checks: list[Check] = []

    def pair(verb: str, own_sql: str, own_want: str, other_sql: str, other_want: str, other_label: str) -> None:
        if _allowed(tenancy, table, verb, granted):
            checks.append(Check(f"{who} {_can[verb]}", act(own_sql), text(own_want), pattern=True))
            exact = not other_want.startswith("^")
            checks.append(Check(f"{who} {other_label}", act(other_sql), text(other_want), pattern=not exact))
        else:
            why = f"(no {verb.upper()} granted to {tenancy.role} with a policy that allows it)"
            checks.append(Check(f"{who} cannot {verb} its own rows {why}", act(own_sql), text(NOTHING), pattern=True))
            checks.append(Check(f"{who} {other_label}", act(other_sql), text(NOTHING), pattern=True))

    pair(
        "select",
        statement("select_tenant", table=q, column=col, tenant=mine),
        SOME_ROWS,
        statement("select_tenant", table=q, column=col, tenant=theirs),
        "rows 0",
        f"sees no row of tenant {other}",
    )
    if own_row is not None and other_row is not None:
        pair(
            "insert",
            rows.insert(own_row),
            "^rows 1$",
            rows.insert(other_row),
            DENIED,
            f"cannot insert a row for tenant {other}",
        )
    pair(
        "update",
        statement("update", table=q, column=col, value=col, tenant=mine),
        SOME_ROWS,
        statement("update", table=q, column=col, value=col, tenant=theirs),
        "rows 0",
        f"cannot update the rows of tenant {other} (0 rows)",
    )
    if _allowed(tenancy, table, "update", granted):
        checks.append(
            Check(
                f"{who} cannot move its own row to tenant {other}",
                act(statement("move", table=q, column=col, value=theirs)),
                text(DENIED),
                pattern=True,
            )
        )
    pair(
        "delete",
        statement("delete", table=q, column=col, tenant=mine),
        SOME_ROWS,
        statement("delete", table=q, column=col, tenant=theirs),
        "rows 0",
        f"cannot delete the rows of tenant {other} (0 rows)",
    )
    return checks


_can = {
    "select": "sees its own rows",
    "insert": "can insert a row for its own tenant",
    "update": "can update its own rows",
    "delete": "can delete its own rows",
}
Granted = dict[tuple[ir.Name, str], frozenset[str]]


def _allowed(tenancy: ir.Tenancy, table: ir.Table, command: str, granted: Granted) -> bool:
    """Whether the spec lets the tenancy's role run `command` on the table: granted (to it or to PUBLIC), and a
    permissive policy for the role allows it (or the table has no row level security)."""
    held = granted.get((table.name, tenancy.role), frozenset()) | granted.get((table.name, "public"), frozenset())
    if command not in held:
        return False
    if not table.row_level_security:
        return True
    return any(
        not p.restrictive and p.command in (command, "all") and (tenancy.role in p.roles or "public" in p.roles)
        for p in table.policies
    )


def table_grants(schema: ir.Schema) -> Granted:
    """The table privileges the spec grants, by table and role."""
    held: dict[tuple[ir.Name, str], set[str]] = {}
    for t in schema.tables:
        for g in schema.grants:
            if g.kind == "table" and g.target == t.name.q:
                privileges = {p.lower() for p in g.privileges}
                if "all" in privileges:
                    privileges |= {"select", "insert", "update", "delete"}
                for role in g.roles:
                    held.setdefault((t.name, role), set()).update(privileges)
    return {key: frozenset(v) for key, v in held.items()}


def _as_user(tenancy: ir.Tenancy, user: str, sql: str) -> str:
    return attempt(tenancy.role, tenancy.setting, user, sql)


def _lit(value: object) -> str:
    return fixture.literal(value)


def _who(role: str) -> str:
    return "PUBLIC" if role == "public" else f"role {role}"


def _whose(tenancy: ir.Tenancy, row: fixture.Row) -> str:
    if row.relation == tenancy.tenant_table:
        return f"tenant {row.tenant}"
    if row.relation == tenancy.membership:
        return f"the user of tenant {row.tenant}"
    return f"a row of tenant {row.tenant}"
