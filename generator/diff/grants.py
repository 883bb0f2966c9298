"""Grants and revokes, compared one privilege of one role on one object at a time.

A dropped object takes its privileges with it (nothing to revoke); a
recreated function lost its privileges (everything to grant again). A GRANT
on ALL SEQUENCES IN SCHEMA only reaches the sequences that exist when it runs,
so it is repeated when the migration creates sequences (identity columns).

The spec's revokes (privileges K5) take away what an object gets without a grant (PostgreSQL's
EXECUTE to PUBLIC on a function, the owner's default privileges): a revoke added is a REVOKE, after
which the spec's grants to that role on the object are given again (they win); a revoke removed
gives back what the object gets by default, read from the database when the migration runs
(statements.RestorePrivileges), so that a down migration restores exactly the privileges before.
Column-level grants are compared one privilege of one role on one column at a time.
"""

from __future__ import annotations

from .. import ir
from ..pg import quoting
from ..sql import from_scratch, views
from . import statements as st
from .context import Context
from .steps import Steps

Atom = tuple[str, str, str, str]  # kind, target, role, privilege
ColumnAtom = tuple[str, str, str, str]  # table, column, role, privilege (privileges K5)


def atoms(schema: ir.Schema) -> dict[Atom, bool]:
    """Every (kind, target, role, privilege), with whether it carries the grant option."""
    result: dict[Atom, bool] = {}
    for g in schema.grants:
        if g.columns:
            continue
        for role in g.roles:
            for privilege in g.privileges:
                atom = (g.kind, g.target, role, privilege)
                result[atom] = result.get(atom, False) or g.with_grant_option
    return result


def column_atoms(schema: ir.Schema) -> dict[ColumnAtom, bool]:
    """Every (table, column, role, privilege) of the column-level grants, with whether it carries the grant option."""
    result: dict[ColumnAtom, bool] = {}
    for g in schema.grants:
        for column in g.columns:
            for role in g.roles:
                for privilege in g.privileges:
                    atom = (g.target, column, role, privilege)
                    result[atom] = result.get(atom, False) or g.with_grant_option
    return result


def revoke_atoms(schema: ir.Schema) -> set[Atom]:
    """Every (kind, target, role, privilege) the spec revokes."""
    return {(r.kind, r.target, role, p) for r in schema.revokes for role in r.roles for p in r.privileges}


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old, new = atoms(ctx.old), atoms(ctx.new)
    gone_targets = {t.name.q for t in ctx.old.tables} - {t.name.q for t in ctx.new.tables}
    gone_targets |= {
        f.signature
        for f in ctx.old.functions
        if f.key in ctx.replaced_functions or f.key not in {g.key for g in ctx.new.functions}
    }
    gone_targets |= {s.q for s in ctx.old.schemas} - {s.q for s in ctx.new.schemas}
    kept_views = {v.name for v in ctx.new.views} - ctx.recreated_views
    gone_targets |= {v.name.q for v in ctx.old.views if v.name not in kept_views}
    fresh_targets = {f.signature for f in ctx.new.functions if f.key in ctx.replaced_functions}
    fresh_targets |= {v.name.q for v in ctx.new.views if v.name in ctx.recreated_views}
    new_sequences = _creates_sequences(ctx)
    revokes: dict[tuple[str, str, str, bool], list[str]] = {}
    grants: dict[tuple[str, str, str, bool], list[str]] = {}
    for atom, option in old.items():
        kind, target, role, privilege = atom
        if target in gone_targets:
            continue
        if atom not in new:
            revokes.setdefault((kind, target, role, False), []).append(privilege)
        elif option and not new[atom]:
            revokes.setdefault((kind, target, role, True), []).append(privilege)
    # privileges K5: the spec's revokes; after one, the spec's grants to that role on the object are given again
    old_revoked, new_revoked = revoke_atoms(ctx.old), revoke_atoms(ctx.new)
    taken: dict[tuple[str, str, str], list[str]] = {}
    restored: dict[tuple[str, str, str], list[str]] = {}
    for kind, target, role, privilege in sorted(new_revoked):
        if (kind, target, role, privilege) not in old_revoked or target in fresh_targets:
            taken.setdefault((kind, target, role), []).append(privilege)
    for kind, target, role, privilege in sorted(old_revoked - new_revoked):
        if target not in gone_targets and target not in fresh_targets:
            restored.setdefault((kind, target, role), []).append(privilege)
    for atom, option in new.items():
        kind, target, role, privilege = atom
        if (
            atom not in old
            or (option and not old[atom])
            or target in fresh_targets
            or (kind == "all_sequences" and new_sequences)
            or (kind, target, role) in taken
        ):
            grants.setdefault((kind, target, role, option), []).append(privilege)
    column_revokes, column_grants = _columns(ctx, gone_targets, fresh_targets)
    if revokes or column_revokes:
        node = out.release(("grant", "revoke"))
        for (kind, target, role, option_only), privileges in revokes.items():
            out.add(
                node,
                st.Revoke([p.upper() for p in privileges], kind, target, views.roles((role,)), option_only),
            )
            out.change(f"revoke {', '.join(privileges)} on {target} from {role}")
        for (target, column, role, option_only), privileges in column_revokes.items():
            out.add(
                node,
                st.Revoke(
                    [p.upper() for p in privileges],
                    "table",
                    target,
                    views.roles((role,)),
                    option_only,
                    (quoting.ident(column),),
                ),
            )
            out.change(f"revoke {', '.join(privileges)} ({column}) on {target} from {role}")
    if grants or taken or restored or column_grants:
        node = out.build(("grant", "grant"))
        targets: dict[str, tuple[str, object]] = {t.name.q: ("table", t.name) for t in ctx.new.tables}
        targets |= {f.signature: ("function", f.key) for f in ctx.new.functions}
        targets |= {s.q: ("schema", s.name) for s in ctx.new.schemas}
        targets |= {v.name.q: ("view", v.name) for v in ctx.new.views}
        used = {target for _kind, target, _role, _option in grants} | {target for _kind, target, _role in taken}
        used |= {target for _kind, target, _role in restored} | {target for target, _c, _r, _o in column_grants}
        for target in sorted(used):
            if target in targets:
                out.edge(("build", targets[target]), node.key)
        for (kind, target, role), privileges in taken.items():
            out.add(node, st.Revoke([p.upper() for p in privileges], kind, target, views.roles((role,))))
            out.change(f"revoke {', '.join(privileges)} on {target} from {role}")
        for (kind, target, role), privileges in restored.items():
            out.add(node, st.RestorePrivileges(kind, target, role, tuple(p.upper() for p in privileges)))
            out.change(f"give back {', '.join(privileges)} on {target} to {role} as its default privileges have it")
        for (kind, target, role, option), privileges in grants.items():
            out.add(
                node,
                st.create(
                    from_scratch.Statement(
                        "Grants", "grant", ir.Grant(tuple(privileges), kind, target, (role,), option)
                    )
                ),
            )
            out.change(f"grant {', '.join(privileges)} on {target} to {role}")
        for (target, column, role, option), privileges in column_grants.items():
            grant = ir.Grant(tuple(privileges), "table", target, (role,), option, columns=(column,))
            out.add(node, st.create(from_scratch.Statement("Grants", "grant", grant)))
            out.change(f"grant {', '.join(privileges)} ({column}) on {target} to {role}")
    return out


ColumnChanges = dict[tuple[str, str, str, bool], list[str]]


def _columns(ctx: Context, gone: set[str], fresh: set[str]) -> tuple[ColumnChanges, ColumnChanges]:
    """The column-level privileges to revoke and to grant. A column dropped takes its privileges with it."""
    old, new = column_atoms(ctx.old), column_atoms(ctx.new)
    kept = {(t.name.q, c.name) for t in ctx.new.tables for c in t.columns}
    kept |= {(v.name.q, c.name) for v in ctx.new.views for c in v.columns}
    kept |= {(t.name.q, c.name) for t in ctx.new.external.tables for c in t.columns}
    revokes: ColumnChanges = {}
    grants: ColumnChanges = {}
    for atom, option in old.items():
        target, column, role, privilege = atom
        if target in gone or (target, column) not in kept:
            continue
        if atom not in new:
            revokes.setdefault((target, column, role, False), []).append(privilege)
        elif option and not new[atom]:
            revokes.setdefault((target, column, role, True), []).append(privilege)
    for atom, option in new.items():
        target, column, role, privilege = atom
        if atom not in old or (option and not old[atom]) or target in fresh:
            grants.setdefault((target, column, role, option), []).append(privilege)
    return revokes, grants


def _creates_sequences(ctx: Context) -> bool:
    old = {(t.name, c.name) for t in ctx.old.tables for c in t.columns if c.identity}
    return any(c.identity and (t.name, c.name) not in old for t in ctx.new.tables for c in t.columns)
