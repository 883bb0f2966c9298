"""Row level security: enabling it, and policies (created, dropped, altered in place, renamed).

ALTER POLICY can change a policy's roles and expressions but not its command
or whether it is restrictive, nor add or remove a USING or WITH CHECK clause:
those changes drop and create the policy, in one transaction so no statement
ever sees the table without it. https://www.postgresql.org/docs/current/sql-alterpolicy.html
"""

from __future__ import annotations

from typing import Any

from .. import ir
from ..pg import quoting, sqlparse
from ..sql import views
from ..sql.views import Object
from . import statements as st
from .context import Context, pair_up
from .steps import Steps


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {t.name: t for t in ctx.old.tables}
    for t1 in ctx.new.tables:
        t0 = old.get(t1.name)
        if t0 is None:
            if ("rls", t1.name) in ctx.new_nodes:
                out.create(("rls", t1.name))
            for p in t1.policies:
                out.create(("policy", (t1.name, p.name)))
        elif not ctx.untouched(t0, t1):
            row_level_security(ctx, out, t0, t1)
            policies(ctx, out, t0, t1)
    external(ctx, out)
    return out


def external(ctx: Context, out: Steps) -> None:
    """The spec's policies on tables made elsewhere: the table stays whatever the spec says of it (declared,
    no longer declared), its policies are diffed like a spec table's."""
    old = {t.name: t for t in ctx.old.external.tables if t.policies}
    new = {t.name: t for t in ctx.new.external.tables if t.policies}
    for name in sorted(old.keys() | new.keys(), key=str):
        t0, t1 = old.get(name, ir.ExternalTable(name, ())), new.get(name, ir.ExternalTable(name, ()))
        if t0.policies != t1.policies or ctx.dropped_functions:
            policies(ctx, out, t0, t1)


def row_level_security(ctx: Context, out: Steps, t0: ir.Table, t1: ir.Table) -> None:
    q = t1.name.q
    changes = []
    if t0.row_level_security != t1.row_level_security:
        changes.append("enable" if t1.row_level_security else "disable")
    if t0.force_row_level_security != t1.force_row_level_security:
        changes.append("force" if t1.force_row_level_security else "no force")
    for change in changes:
        out.add(out.build(("rls", t1.name)), st.RowLevelSecurity(q, change))
        out.change(f"{change} row level security on {t1.name.display}")


def policy_signature(p: ir.Policy) -> tuple[Any, ...]:
    return (p.command, p.roles, p.restrictive, p.using, p.check)


def policies(ctx: Context, out: Steps, t0: ir.Table | ir.ExternalTable, t1: ir.Table | ir.ExternalTable) -> None:
    old = {p.name: p for p in t0.policies}
    new = {p.name: p for p in t1.policies}
    q = t1.name.q
    renames, gone, came = pair_up(old, new, policy_signature)
    for old_name, new_name in renames:
        out.renamed(st.Rename(Object("policy", quoting.ident(old_name), q), quoting.ident(new_name)), "policy")
        out.change(f"rename policy {old_name} to {new_name}")
    retyped = ctx.retyped.get(t1.name, frozenset())
    altered: list[str] = []
    replaced: dict[str, str] = {}  # name -> why
    for name, p in new.items():
        before = old.get(name)
        if before is None:
            continue
        # ALTER TYPE refuses a column a policy uses: such policies are dropped and created around it.
        if (sqlparse.column_names(p.using) | sqlparse.column_names(p.check)) & retyped:
            replaced[name] = (
                "It reads a column whose type changes, which ALTER TYPE refuses: dropped and created again below."
            )
        elif ctx.calls_dropped(before.using, before.check):
            replaced[name] = "It calls a function dropped and created again: dropped and created again with it."
        elif (p.command, p.restrictive, p.using is None, p.check is None) != (
            before.command,
            before.restrictive,
            before.using is None,
            before.check is None,
        ):
            replaced[name] = "Changed beyond what ALTER POLICY can do: dropped and created again below."
        elif policy_signature(p) != policy_signature(before):
            altered.append(name)
    for name in gone:
        out.add(
            out.release(("policy", (t1.name, name))),
            st.Drop(Object("policy", quoting.ident(name), q)),
            notes=("Removed from the spec.",),
        )
        out.change(f"drop policy {name} on {t1.name.display}")
    for name, why in replaced.items():
        out.add(
            out.release(("policy", (t1.name, name))), st.Drop(Object("policy", quoting.ident(name), q)), notes=(why,)
        )
    for name in [*came, *replaced]:
        out.create(("policy", (t1.name, name)))
        out.change(f"{'recreate' if name in replaced else 'create'} policy {name} on {t1.name.display}")
    for name in altered:
        p, before = new[name], old[name]
        alter = st.AlterPolicy(
            quoting.ident(name),
            q,
            roles=views.roles(p.roles) if p.roles != before.roles else None,
            using=p.using if p.using != before.using else None,
            check=p.check if p.check != before.check else None,
        )
        out.add(out.build(("policy", (t1.name, name))), alter)
        out.change(f"alter policy {name} on {t1.name.display}")
    for old_name, new_name in renames + [(n, n) for n in new if n in old and n not in replaced]:
        if old[old_name].comment != new[new_name].comment:
            out.add(
                out.build(("policy", (t1.name, new_name))),
                st.comment_on(Object("policy", quoting.ident(new_name), q), new[new_name].comment),
            )
            out.change(f"comment on policy {new_name} on {t1.name.display}")
