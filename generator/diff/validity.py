"""NOT VALID as a declared state of a CHECK or foreign key: removing it validates, adding it re-adds unchecked.

`VALIDATE CONSTRAINT` takes only a SHARE UPDATE EXCLUSIVE lock (reads and
writes go on while it scans), so it runs in the last transaction, where the
migration validates the constraints it adds; the rows that would fail it are
found first, by the precheck of an added constraint, before anything changes.
PostgreSQL cannot mark a validated constraint NOT VALID again: the constraint is
dropped and added back NOT VALID, which checks no row (a short lock, in the
main transaction). The down migration is the same diff the other way round.
"""

from __future__ import annotations

from collections.abc import Hashable

from .. import ir
from ..sql.views import Object
from . import prechecks
from . import statements as st
from .context import Context
from .model import Phase
from .steps import Steps


def flips(
    ctx: Context,
    out: Steps,
    t: ir.Table,
    pairs: list[tuple[ir.Constraint, ir.Constraint]],
    owner: Hashable,
) -> None:
    """Each (old, new) pair of one constraint whose NOT VALID changes; `owner` is the key of the object that
    holds it in the steps (the table for a CHECK, the foreign key itself)."""
    q = t.name.q
    what = {"check": "constraint", "foreign_key": "foreign key"}
    for old, new in pairs:
        if old.not_valid == new.not_valid:
            continue
        label = f"{what.get(new.kind, 'constraint')} {new.name} on {t.name.display}"
        if old.not_valid:
            if new.kind == "check":
                prechecks.check(ctx, out, t, new)
            else:
                prechecks.foreign_key(ctx, out, t, new)
            late = out.late(("validate", t.name, new.name))
            out.edge(("build", owner), late.key)
            out.add(
                late,
                st.ValidateConstraint(q, new.q),
                Phase.FINAL,
                notes=("No longer NOT VALID in the spec: the rows already there are checked, blocking no writer.",),
            )
            out.change(f"validate {label}")
        else:
            out.add(
                out.release(owner),
                st.DropConstraint(q, new.q),
                notes=("Declared NOT VALID: PostgreSQL cannot unvalidate a constraint, so it is added again.",),
                ignore=("ban-drop-constraint",),
            )
            node = out.build(owner)
            out.add(node, st.AddConstraint.of(t.name, new, not_valid=True), notes=("No row is checked.",))
            if new.comment is not None:
                out.add(node, st.comment_on(Object("constraint", new.q, q), new.comment))
            out.change(f"make {label} NOT VALID")
