"""Generated columns: what a migration does when a column's generation expression comes, changes or goes.

PostgreSQL computes a STORED generated column for every row when the column is added: the table is rewritten
under an ACCESS EXCLUSIVE lock, which blocks every reader and writer for as long as the rewrite takes. A
migration never does that by surprise: it is refused at the column until the spec confirms it with
`rewrite table T` in allow_destructive. A VIRTUAL column (PostgreSQL 18) is computed when read: adding it
rewrites nothing.

- a new generated column: ADD COLUMN ... GENERATED ALWAYS AS (...) STORED|VIRTUAL;
- a changed expression (or STORED <-> VIRTUAL), or a plain column becoming a generated one: the column is
  dropped and added again (ALTER COLUMN ... SET EXPRESSION exists only from PostgreSQL 17, and schemagen's
  migrations run on 14); a plain column's values are replaced by computed ones, confirmed with
  `drop column T.C`. What else uses the column (an index, a constraint, a view, a policy, a trigger) would
  go with it: refused (E064), with the way to do it;
- a STORED column no longer generated: ALTER COLUMN ... DROP EXPRESSION, which keeps every value and rewrites
  nothing; a VIRTUAL one has no values to keep (refused: add a new column instead).
"""

from __future__ import annotations

from .. import errors, ir
from ..pg import sqlparse
from ..sql import views
from ..sql.views import Object
from . import statements as st
from .context import Context
from .model import Node
from .steps import Steps

KEPT = (
    "No longer generated: DROP EXPRESSION keeps every value as it is (no rewrite); rows written from now on get what "
    "the INSERT or UPDATE gives, no computed value."
)
LOCK = "Takes an ACCESS EXCLUSIVE lock on {} and rewrites it: every row gets the column's value"


def confirm_rewrite(out: Steps, t: ir.Table, c: ir.Column, what: str) -> bool:
    """Whether the spec confirms rewriting `t` for the STORED generated column `c` (refused at `c` otherwise)."""
    return out.allowed(
        "rewrite table",
        t.name.schema,
        t.name.name,
        message=f"{what} {t.name.display}.{c.name} rewrites table {t.name.display} under an ACCESS EXCLUSIVE lock "
        "(no reader or writer gets through until it is done)",
        locator=("column", t.name, c.name),
    )


def add(out: Steps, t: ir.Table, c: ir.Column) -> list[str]:
    """The notes above ADD COLUMN of generated column `c` on a table that exists (refused unless confirmed)."""
    if c.virtual:
        return ["VIRTUAL: computed when read, so adding it rewrites nothing."]
    confirm_rewrite(out, t, c, "adding the STORED generated column")
    return [LOCK.format(t.name.display) + (" (confirmed: rewrite table)." if out.ctx.confirm else ".")]


def changes(c0: ir.Column, c1: ir.Column) -> bool:
    """Whether the column's generation changes (its expression, STORED/VIRTUAL, or whether it is generated)."""
    return (c0.generated, c0.virtual) != (c1.generated, c1.virtual)


def alter(ctx: Context, out: Steps, build: Node, t: ir.Table, c0: ir.Column, c1: ir.Column) -> None:
    """The column's generation changes (changes(c0, c1))."""
    q = t.name.q
    where = f"{t.name.display}.{c1.name}"
    if c1.generated is None:
        if c0.virtual:
            out.refuse(
                errors.UNSUPPORTED_CHANGE,
                f"column {where} stops being a VIRTUAL generated column: it has no stored values to keep; add a "
                "new column (filled from the expression by an UPDATE) and drop this one",
                "column",
                t.name,
                c1.name,
            )
            return
        out.add(
            build,
            st.DropExpression(q, c1.q),
            notes=(KEPT,),
            ignore=("ban-drop-generated-expression",),
        )
        out.change(f"make {where} a stored column")
        return
    users = _users(ctx, t, c1.name)
    if users:
        out.refuse(
            errors.UNSUPPORTED_CHANGE,
            f"the generation of column {where} changes: schemagen drops and adds the column again, which would drop "
            f"{users[0]} with it; change it in two migrations (first without what uses it) or under a new column "
            "name",
            "column",
            t.name,
            c1.name,
        )
        return
    notes = ["The generation changes: the column is dropped and added again (it ends up last)."]
    if c0.generated is None:
        out.allowed(
            "drop column",
            t.name.schema,
            t.name.name,
            c1.name,
            message=f"column {where} becomes a generated column: its values are replaced by computed ones",
            locator=("column", t.name, c1.name),
        )
        notes.append(ctx.loss("the column's values are replaced", "made the column: only the values since are lost"))
    if not c1.virtual:
        confirm_rewrite(out, t, c1, "the generation of")
        notes.append(LOCK.format(t.name.display) + ".")
    out.add(build, st.DropColumn(q, c1.q), notes=tuple(notes), ignore=("ban-drop-column",))
    out.add(build, st.AddColumn(q, views.ColumnView(c1)), ignore=("adding-field-with-default",))
    if c1.comment is not None:
        out.add(build, st.comment_on(Object("column", c1.q, q), c1.comment))
    out.change(f"change generation of {where}")


def _users(ctx: Context, t: ir.Table, column: str) -> list[str]:
    """What else uses `column` of `t` (as the old and the new schema have it): a drop of the column takes it too."""
    found: list[str] = []
    for table in (ctx.old_tables.get(t.name), t):
        if table is None:
            continue
        for ix in table.indexes:
            keys = {e.column for e in ix.elements} | set(ix.include)
            texts = [e.expression for e in ix.elements] + [ix.where]
            if column in keys or any(column in sqlparse.column_names(x) for x in texts if x):
                found.append(f"index {ix.name.name}")
        for con in table.constraints:
            if column in con.columns or (con.check and column in sqlparse.column_names(con.check)):
                found.append(f"constraint {con.name}")
        for p in table.policies:
            if any(x and column in sqlparse.column_names(x) for x in (p.using, p.check)):
                found.append(f"policy {p.name}")
    for trig in ctx.old.triggers + ctx.new.triggers:
        if trig.table == t.name and (column in trig.update_of or column in sqlparse.column_names(trig.when)):
            found.append(f"trigger {trig.name}")
    for v in ctx.old.views + ctx.new.views:
        if t.name in v.reads:
            found.append(f"{v.kind} {v.name.display}")
    return found
