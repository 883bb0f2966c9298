"""Publications: created, dropped, and changed in place (ALTER PUBLICATION ... ADD | DROP TABLE, SET (publish)).

A publication made elsewhere (external.publications: Supabase's `supabase_realtime`) is never created or
dropped: only the spec's tables are added to it and dropped from it. A table leaves a publication before it
is dropped, and joins one after it is created (the from-scratch statements' dependencies order them). None of
this touches a row: a subscriber simply stops or starts receiving a table's changes. Switching FOR ALL TABLES
drops the publication and creates it again (PostgreSQL 14 cannot alter it); a publication turning into one
made elsewhere, or back, is refused (it would be dropped, or made twice).
"""

from __future__ import annotations

from .. import errors, ir
from ..ir import Name
from ..pg import quoting
from ..sql.publications import MembersView, PublishView, TableView
from ..sql.views import Object
from . import statements as st
from .context import Context
from .model import Node
from .steps import Steps

GONE = "Its subscribers stop receiving changes (a replication slot reading it fails until it is pointed elsewhere)."


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    renamed = {before: after for after, before in ctx.names.table.items()}
    old = {p.name: p for p in ctx.old.publications}
    new = {p.name: p for p in ctx.new.publications}
    for name, p1 in new.items():
        p0 = old.get(name)
        key = ("publication", name)
        if p0 is None:
            if p1.external:
                _members(out, out.build(key), p1, p1.tables, add=True)
            else:
                out.create(key)
            out.change(f"create publication {name}" if not p1.external else f"add tables to publication {name}")
            continue
        tables0 = tuple(renamed.get(t, t) for t in p0.tables)
        if p0.external != p1.external:
            out.refuse(
                errors.UNSUPPORTED_CHANGE,
                f"publication {name} {'is' if p1.external else 'is no longer'} made elsewhere "
                "(external.publications): schemagen would drop it or make it twice; change that by hand",
                "publication",
                name,
            )
        elif p0.all_tables != p1.all_tables:
            out.add(out.release(key), st.Drop(Object("publication", p1.q)), notes=("FOR ALL TABLES changes.", GONE))
            out.create(key)
            out.change(f"recreate publication {name}")
        else:
            # a column list is a set to PostgreSQL
            filters0 = {renamed.get(f.table, f.table): (frozenset(f.columns), f.where) for f in p0.filters}
            filters1 = {f.table: (frozenset(f.columns), f.where) for f in p1.filters}
            refiltered = [t for t in p1.tables if t in tables0 and filters0.get(t) != filters1.get(t)]
            gone = [t for t in tables0 if t not in p1.tables] + refiltered
            came = [t for t in p1.tables if t not in tables0] + refiltered
            if gone:
                _members(out, out.release(key), p1, gone, add=False)
            if came:
                _members(out, out.build(key), p1, came, add=True)
            if p0.publish != p1.publish:
                out.add(out.build(key), PublishView(p1.q, quoting.literal(", ".join(p1.publish))))
                out.change(f"publish {', '.join(p1.publish)} in publication {name}")
            if p0.comment != p1.comment:
                out.add(out.build(key), st.comment_on(Object("publication", p1.q), p1.comment))
                out.change(f"comment on publication {name}")
    for name, p0 in old.items():
        if name in new:
            continue
        key = ("publication", name)
        if p0.external:
            members = [renamed.get(t, t) for t in p0.tables]
            if members:
                _members(out, out.release(key), p0, members, add=False)
                out.change(f"drop tables from publication {name}")
        else:
            out.add(out.release(key), st.Drop(Object("publication", p0.q)), notes=("Removed from the spec.", GONE))
            out.change(f"drop publication {name}")
    return out


def _members(out: Steps, node: Node, p: ir.Publication, tables: list[Name] | tuple[Name, ...], *, add: bool) -> None:
    view = MembersView(p.q, tuple(TableView.of(p, t) if add else TableView(t.q) for t in tables), add)
    note = "Subscribers get its changes from now on (a SUBSCRIPTION needs REFRESH PUBLICATION)." if add else GONE
    out.add(node, view, notes=(note,))
    verb = "add" if add else "drop"
    out.change(f"{verb} {', '.join(t.display for t in tables)} {'to' if add else 'from'} publication {p.name}")
