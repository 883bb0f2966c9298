"""Grants and revokes, compared one privilege of one role on one object at a time.

A dropped object takes its privileges with it (nothing to revoke); a
recreated function lost its privileges (everything to grant again). A GRANT
on ALL SEQUENCES IN SCHEMA only reaches the sequences that exist when it runs,
so it is repeated when the migration creates sequences (identity columns).
"""

from __future__ import annotations

from .. import ir
from ..sql import from_scratch, views
from . import statements as st
from .context import Context
from .steps import Steps

Atom = tuple[str, str, str, str]  # kind, target, role, privilege


def atoms(schema: ir.Schema) -> dict[Atom, bool]:
    """Every (kind, target, role, privilege), with whether it carries the grant option."""
    result: dict[Atom, bool] = {}
    for g in schema.grants:
        for role in g.roles:
            for privilege in g.privileges:
                atom = (g.kind, g.target, role, privilege)
                result[atom] = result.get(atom, False) or g.with_grant_option
    return result


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
    for atom, option in new.items():
        kind, target, role, privilege = atom
        if (
            atom not in old
            or (option and not old[atom])
            or target in fresh_targets
            or (kind == "all_sequences" and new_sequences)
        ):
            grants.setdefault((kind, target, role, option), []).append(privilege)
    if revokes:
        node = out.release(("grant", "revoke"))
        for (kind, target, role, option_only), privileges in revokes.items():
            out.add(
                node,
                st.Revoke([p.upper() for p in privileges], kind, target, views.roles((role,)), option_only),
            )
            out.change(f"revoke {', '.join(privileges)} on {target} from {role}")
    if grants:
        node = out.build(("grant", "grant"))
        targets: dict[str, tuple[str, object]] = {t.name.q: ("table", t.name) for t in ctx.new.tables}
        targets |= {f.signature: ("function", f.key) for f in ctx.new.functions}
        targets |= {s.q: ("schema", s.name) for s in ctx.new.schemas}
        targets |= {v.name.q: ("view", v.name) for v in ctx.new.views}
        for kind, target, _role, _option in grants:
            if target in targets:
                out.edge(("build", targets[target]), node.key)
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
    return out


def _creates_sequences(ctx: Context) -> bool:
    old = {(t.name, c.name) for t in ctx.old.tables for c in t.columns if c.identity}
    return any(c.identity and (t.name, c.name) not in old for t in ctx.new.tables for c in t.columns)
