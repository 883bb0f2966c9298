"""Security rules about views: one that bypasses row level security, a materialized view an API serves."""

from __future__ import annotations

from collections.abc import Iterator

from .. import ir
from ..ir import Name
from .context import RLS_COMMANDS, Context
from .findings import ERROR, WARNING, Finding
from .registry import rule

API_ROLES = ("anon", "authenticated", "public")  # the roles Supabase's API serves (PUBLIC reaches them all)


def _view_grants(ctx: Context) -> dict[Name, dict[str, set[str]]]:
    """Privileges granted on each view: view -> role -> privileges."""
    views = {v.name.q: v.name for v in ctx.schema.views}
    result: dict[Name, dict[str, set[str]]] = {}
    for g in ctx.schema.grants:
        name = views.get(g.target) if g.kind == "table" else None
        if name is None:
            continue
        privileges = set(RLS_COMMANDS) if "all" in g.privileges else set(g.privileges)
        for role in g.roles:
            result.setdefault(name, {}).setdefault(role, set()).update(privileges)
    return result


def _rls_tables(ctx: Context, v: ir.View, views: dict[Name, ir.View], seen: set[Name]) -> list[Name]:
    """The tables with row level security a view reads, through the views it reads."""
    found: list[Name] = []
    for r in v.reads:
        table = ctx.tables.get(r) or ctx.partition_parent.get(r)
        if table is not None and table.row_level_security:
            found.append(table.name)
        elif r in views and r not in seen:
            seen.add(r)
            found += _rls_tables(ctx, views[r], views, seen)
    return found


@rule(
    "S113",
    "view-bypasses-rls",
    ERROR,
    why="A view runs its query with its owner's rights unless it is security_invoker: a role granted the view "
    "reads the rows of the tables under it past their row level security (splinter 0010, security_definer_view).",
    hint="set `security_invoker: true` on the view (PostgreSQL 15+), or stop granting it",
)
def view_bypasses_rls(ctx: Context) -> Iterator[Finding]:
    granted = _view_grants(ctx)
    views = {v.name: v for v in ctx.schema.views}
    for v in ctx.schema.views:
        if v.materialized or v.security_invoker or v.name.schema not in ctx.options.exposed_schemas:
            continue
        roles = sorted(r for r, privileges in granted.get(v.name, {}).items() if privileges & set(RLS_COMMANDS))
        tables = sorted(set(_rls_tables(ctx, v, views, {v.name})), key=str)
        if roles and tables:
            yield ctx.finding(
                "S113",
                ("view", v.name),
                str(v.name),
                f"view is granted to {', '.join(roles)} and reads {', '.join(str(t) for t in tables)} (row level "
                "security) with its owner's rights",
            )


@rule(
    "S114",
    "materialized-view-in-api",
    WARNING,
    why="A materialized view has no row level security: every role that may select from it reads all of its rows, "
    "whatever the policies of the tables it was computed from (splinter 0016).",
    hint="move it to a schema the API does not expose, or revoke SELECT from anon and authenticated",
)
def materialized_view_in_api(ctx: Context) -> Iterator[Finding]:
    granted = _view_grants(ctx)
    for v in ctx.schema.views:
        if not v.materialized or v.name.schema not in ctx.options.exposed_schemas:
            continue
        roles = sorted(
            r for r, privileges in granted.get(v.name, {}).items() if r in API_ROLES and "select" in privileges
        )
        if roles:
            yield ctx.finding(
                "S114",
                ("view", v.name),
                str(v.name),
                f"materialized view is readable by {', '.join(roles)}, without row level security",
            )
