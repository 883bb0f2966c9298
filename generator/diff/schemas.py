"""Schemas of the spec's own: created before what they hold, dropped after it.

A schema leaves with DROP SCHEMA, never CASCADE: the objects of the spec in it
are dropped by their own steps first (each confirmed as a destructive change
where it holds data); an object the spec does not know (made by hand) makes
PostgreSQL refuse the drop, and the migration stops with nothing changed.
"""

from __future__ import annotations

from ..sql.views import Object
from . import statements as st
from .context import Context
from .steps import Steps

_DROP_NOTE = (
    "Removed from the spec; without CASCADE: an object the spec does not know in it stops the migration, "
    "nothing changed."
)


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {s.name: s for s in ctx.old.schemas}
    new = {s.name: s for s in ctx.new.schemas}
    for name, s in new.items():
        before = old.get(name)
        if before is None:
            out.create(("schema", name))
            out.change(f"create schema {name}")
        elif before.comment != s.comment:
            out.add(out.build(("schema", name)), st.comment_on(Object("schema", s.q), s.comment))
            out.change(f"comment on schema {name}")
    for name, s in old.items():
        if name not in new:
            out.add(
                out.release(("schema", name)),
                st.Drop(Object("schema", s.q)),
                notes=(_DROP_NOTE,),
                ignore=("ban-drop-schema",),
            )
            out.change(f"drop schema {name}")
    return out
