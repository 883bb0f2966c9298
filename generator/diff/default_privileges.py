"""Default privileges (ALTER DEFAULT PRIVILEGES, privileges K5), compared one privilege of one role at a time.

One added is set before the objects the migration creates, which get it (as in the from-scratch migration); one
removed is undone by its opposite (a GRANT by a REVOKE, a REVOKE by a GRANT: PostgreSQL's built-in default back)
first. ALTER DEFAULT PRIVILEGES leaves the objects that exist as they are; so that a migrated database is the one
the from-scratch migration makes (which created every object after its default privileges), the spec's objects
that exist in its scope get the same change (GRANT or REVOKE), but where the spec revokes or grants that privilege
itself (its revokes and grants win, as in the from-scratch migration). The spec's objects are taken to be owned
by the role running the migrations (`for_role`, when given, is that role). Types are left as they are. A default
privilege in a schema that the migration drops goes with the schema.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import ir
from ..pg import quoting
from ..sql import from_scratch, views
from . import statements as st
from .context import Context
from .model import Node
from .steps import Steps

Atom = tuple[str, str, str, str, str, bool]  # for_role ("" for the migrating role), schema ("" for all), on, role,
# privilege, revoke


def atoms(schema: ir.Schema) -> set[Atom]:
    return {
        (d.for_role or "", d.schema or "", d.on, role, privilege, d.revoke)
        for d in schema.default_privileges
        for role in d.roles
        for privilege in d.privileges
    }


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old, new = atoms(ctx.old), atoms(ctx.new)
    gone = {s.name for s in ctx.old.schemas} - {s.name for s in ctx.new.schemas}
    made = {s.name for s in ctx.new.schemas} - {s.name for s in ctx.old.schemas}
    undone = _grouped(a for a in old - new if a[1] not in gone)
    done = _grouped(new - old)
    if undone:
        node = out.release(("default_privileges", "undo"))
        for d in undone:
            opposite = ir.DefaultPrivilege(d.for_role, d.schema, d.on, d.privileges, d.roles, not d.revoke)
            out.add(node, _statement(opposite))
            out.change(f"undo default privileges: {_words(d)}")
    if done:
        node = out.build(("default_privileges", "set"))
        for d in done:
            if d.schema in made:
                out.edge(("build", ("schema", d.schema)), node.key)
            out.add(node, _statement(d))
            out.change(f"default privileges: {_words(d)}")
    changed = [ir.DefaultPrivilege(d.for_role, d.schema, d.on, d.privileges, d.roles, not d.revoke) for d in undone]
    changed += done
    existing = _existing(ctx)
    if changed and existing:
        node = out.build(("grant", "defaults"))
        for d in changed:
            for kind, target in existing.get(d.on, []):
                if d.schema is None or target.startswith(quoting.ident(d.schema) + "."):
                    _apply(out, node, ctx.new, d, kind, target)
    return out


def _existing(ctx: Context) -> dict[str, list[tuple[str, str]]]:
    """The spec's objects that the migration neither creates nor creates again, by the `on` of a default privilege."""
    old_tables = {t.name for t in ctx.old.tables} | {p.name for t in ctx.old.tables for p in t.partitions}
    tables = [("table", t.name.q) for t in ctx.new.tables if t.name in old_tables]
    tables += [("table", p.name.q) for t in ctx.new.tables for p in t.partitions if p.name in old_tables]
    old_views = {v.name for v in ctx.old.views}
    tables += [("table", v.name.q) for v in ctx.new.views if v.name in old_views and v.name not in ctx.recreated_views]
    old_functions = {f.signature for f in ctx.old.functions}
    functions = [
        ("function", f.signature)
        for f in ctx.new.functions
        if f.signature in old_functions and f.key not in ctx.replaced_functions
    ]
    old_sequences = {q.name for q in ctx.old.sequences}
    sequences = [("sequence", q.name.q) for q in ctx.new.sequences if q.name in old_sequences]
    old_schemas = {n.name for n in ctx.old.schemas}
    schemas = [("schema", n.q) for n in ctx.new.schemas if n.name in old_schemas]
    return {"tables": tables, "functions": functions, "sequences": sequences, "schemas": schemas}


def _apply(out: Steps, node: Node, new: ir.Schema, d: ir.DefaultPrivilege, kind: str, target: str) -> None:
    """`d`'s GRANT or REVOKE on one object that exists, but what the spec's own revokes and grants say of it."""
    for role in d.roles:
        revoked = {
            p for r in new.revokes if (r.kind, r.target) == (kind, target) and role in r.roles for p in r.privileges
        }
        granted = [g for g in new.grants if (g.kind, g.target) == (kind, target) and role in g.roles and not g.columns]
        held = {p for g in granted for p in g.privileges}
        privileges = [
            p
            for p in d.privileges
            if p not in (held if d.revoke else revoked) and "all" not in (held if d.revoke else revoked)
        ]
        if not privileges:
            continue
        if d.revoke:
            out.add(node, st.Revoke([p.upper() for p in privileges], kind, target, views.roles((role,))))
            for g in granted:  # a revoke of ALL takes what the spec grants too: given again
                grant = ir.Grant(g.privileges, kind, target, (role,), g.with_grant_option)
                out.add(node, st.create(from_scratch.Statement("Grants", "grant", grant)))
        else:
            grant = ir.Grant(tuple(privileges), kind, target, (role,))
            out.add(node, st.create(from_scratch.Statement("Grants", "grant", grant)))


def _grouped(found: Iterable[Atom]) -> list[ir.DefaultPrivilege]:
    groups: dict[tuple[str, str, str, str, bool], list[str]] = {}
    for for_role, schema, on, role, privilege, revoke in sorted(found):
        groups.setdefault((for_role, schema, on, role, revoke), []).append(privilege)
    return [
        ir.DefaultPrivilege(for_role or None, schema or None, on, tuple(privileges), (role,), revoke)
        for (for_role, schema, on, role, revoke), privileges in groups.items()
    ]


def _statement(d: ir.DefaultPrivilege) -> str:
    return st.create(from_scratch.Statement("Default privileges", "default_privileges", d))


def _words(d: ir.DefaultPrivilege) -> str:
    verb = (
        f"revoke {', '.join(d.privileges)} on {d.on} from"
        if d.revoke
        else f"grant {', '.join(d.privileges)} on {d.on} to"
    )
    where = f" in schema {d.schema}" if d.schema else ""
    owner = f" for role {d.for_role}" if d.for_role else ""
    return f"{verb} {', '.join(d.roles)}{where}{owner}"
