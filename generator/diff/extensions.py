"""Extensions: created (IF NOT EXISTS, before what uses their types) and dropped (after what used them).

Moving one to another schema would change the type of every column of its types as the IR spells it: refused
(E064), to be done by hand (ALTER EXTENSION ... SET SCHEMA) for now.
"""

from __future__ import annotations

from .. import errors
from ..pg import quoting
from ..sql.views import Object
from . import statements as st
from .context import Context
from .steps import Steps


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {x.name: x for x in ctx.old.extensions}
    new = {x.name: x for x in ctx.new.extensions}
    for name, x in new.items():
        before = old.get(name)
        if before is None:
            out.create(("extension", name))
            out.change(f"create extension {name}")
        elif before.schema != x.schema:
            out.refuse(
                errors.UNSUPPORTED_CHANGE,
                f"extension {name} moves from schema {before.schema} to {x.schema}: schemagen does not move an "
                "extension (the columns of its types would change type); ALTER EXTENSION ... SET SCHEMA by hand",
                "extension",
                name,
            )
        elif before.comment != x.comment:
            comment = (
                st.comment_on(Object("extension", x.q), x.comment)
                if x.comment is not None
                else st.ExtensionOwnComment(quoting.literal(name))
            )
            out.add(out.build(("extension", name)), comment, notes=() if x.comment else ("The extension's own.",))
            out.change(f"comment on extension {name}")
    for name, x in old.items():
        if name not in new:
            out.add(
                out.release(("extension", name)),
                st.Drop(Object("extension", x.q)),
                notes=("Removed from the spec: its types, functions and operators go with it.",),
                ignore=("ban-drop-extension",),
            )
            out.change(f"drop extension {name}")
    return out
