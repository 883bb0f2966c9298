"""Seed rows, diffed by key: a row added or changed is upserted (its INSERT ... ON CONFLICT, as from
scratch), a row removed from the spec is deleted by its key (`delete rows T` in allow_destructive
confirms it). Rows users added, whose keys the spec never had, are left alone.

They are the last build of their table (a new column or type is there when they are written); the
down migration is the same diff the other way: it upserts the old values back, and deletes a row the
up migration seeded only while that row still holds the seeded values (one the table had before,
kept by `on_conflict: nothing`, or one users changed since, stays).
"""

from __future__ import annotations

from .. import ir
from ..ir import Name
from ..sql.rows import DeleteRowView, Row, RowsView
from .context import Context
from .steps import Steps


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old, new = _seeded(ctx.old), _seeded(ctx.new)
    dropped = {t.name for t in ctx.old.tables} - {t.name for t in ctx.new.tables}
    for name in sorted(old.keys() | new.keys(), key=str):
        if name in dropped:
            continue  # its rows go with it
        s0, s1 = old.get(name), new.get(name)
        before = _by_key(s0)
        after = _by_key(s1)
        if s1 is not None:
            upserted = tuple(row for key, row in after.items() if before.get(key) != row)
            if upserted:
                out.add(out.build(("rows", name)), RowsView(name, s1, upserted))
                out.change(f"seed {len(upserted)} row(s) of {name.display}")
        gone = [row for key, row in before.items() if key not in after]
        if gone and s0 is not None:
            confirmed = out.allowed(
                "delete rows",
                name.schema,
                name.name,
                message=f"{len(gone)} seed row(s) of {name.display} left the spec and would be deleted",
                locator=("rows", name),
            )
            if confirmed:
                node = out.release(("rows", name))
                for row in gone:
                    view = DeleteRowView.of(name, s0, row, unchanged=not ctx.confirm and not ctx.drift)
                    out.add(node, view, notes=(ctx.loss(f"delete rows {name}", "seeded it"),))
                out.change(f"delete {len(gone)} seed row(s) of {name.display}")
    return out


def _seeded(schema: ir.Schema) -> dict[Name, ir.SeedRows]:
    result = {t.name: t.rows for t in schema.tables if t.rows is not None}
    result.update({t.name: t.rows for t in schema.external.tables if t.rows is not None})
    return result


def _by_key(seed: ir.SeedRows | None) -> dict[tuple[str, ...], Row]:
    if seed is None:
        return {}
    return {key: row for row in seed.data if (key := seed.key_of(row)) is not None}
