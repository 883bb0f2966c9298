"""Sequences: created, changed in place with ALTER SEQUENCE (their current value kept), OWNED BY moved, dropped.

A sequence OWNED BY a column that goes away goes with it (PostgreSQL drops it with the column or table), so it
is not dropped on its own. Any other sequence the spec no longer has is dropped only when `allow_destructive`
says `drop sequence S`: its current value goes with it, and a sequence made again would hand out numbers
already given.
"""

from __future__ import annotations

from ..sql import sequences as views
from ..sql.views import Object
from . import statements as st
from .context import Context
from .steps import Steps


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {s.name: s for s in ctx.old.sequences}
    new = {s.name: s for s in ctx.new.sequences}
    for name, s in new.items():
        before = old.get(name)
        if before is None:
            out.create(("sequence", name))
            if s.owner is not None:
                out.create(("sequence_owner", name))
            out.change(f"create sequence {name.display}")
            continue
        options = views.altered(before, s)
        if options != views.Options():
            out.add(out.build(("sequence", name)), views.AlterSequence(name.q, options))
            out.change(f"alter sequence {name.display}")
        if (before.owner, before.owner_column) != (s.owner, s.owner_column):
            out.add(out.build(("sequence_owner", name)), views.OwnerView.of(s))
            out.change(f"change the owner of sequence {name.display}")
        if before.comment != s.comment:
            out.add(out.build(("sequence", name)), st.comment_on(Object("sequence", name.q), s.comment))
            out.change(f"comment on sequence {name.display}")
    kept = {(t.name, c.name) for t in ctx.new.tables for c in t.columns}
    for name, s in old.items():
        if name in new:
            continue
        if s.owner is not None and (s.owner, s.owner_column) not in kept:
            continue  # dropped with the column that owns it
        if not out.allowed(
            "drop sequence",
            name.schema,
            name.name,
            message=f"sequence {name.display} is removed from the spec: dropping it loses its current value",
            locator=("sequence", name),
        ):
            continue
        out.add(
            out.release(("sequence", name)),
            st.Drop(Object("sequence", name.q)),
            notes=(ctx.loss("the sequence and its current value go", "created the sequence"),),
            ignore=("ban-drop-sequence",),
        )
        out.change(f"drop sequence {name.display}")
    return out
