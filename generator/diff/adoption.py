"""Tables the spec adopts (`adopted: true`): made by an earlier migration (declared external until now, or
imported), they exist in every database, so the next migration takes them over rather than creating them.

The migration is planned from the last state with those tables already in it, as the spec declares them (with
their triggers and serial sequences): nothing of theirs is created, and the down migration does not drop them.
It only checks, first, that each one exists (a clear error, before any change, where one does not).
"""

from __future__ import annotations

import dataclasses

from .. import ir
from ..ir import Name
from ..pg import quoting
from ..templating import environment
from .model import Plan, Step

ADOPT_RANK = -3  # before anything else, the prechecks included


def taken_over(old: ir.Schema, new: ir.Schema) -> tuple[Name, ...]:
    """The adopted tables the last state does not have yet: this migration takes them over."""
    have = {t.name for t in old.tables}
    return tuple(n for n in new.intent.adopted if n not in have and any(t.name == n for t in new.tables))


def base(old: ir.Schema, new: ir.Schema, adopted: tuple[Name, ...]) -> ir.Schema:
    """The last state as if it had the adopted tables already, as the spec declares them."""
    if not adopted:
        return old
    taken = set(adopted)
    external = dataclasses.replace(old.external, tables=tuple(t for t in old.external.tables if t.name not in taken))
    return dataclasses.replace(
        old,
        tables=old.tables + tuple(t for t in new.tables if t.name in taken),
        triggers=old.triggers + tuple(t for t in new.triggers if t.table in taken),
        sequences=old.sequences + tuple(s for s in new.sequences if s.serial and s.owner in taken),
        external=external,
    )


def check(plan: Plan, adopted: tuple[Name, ...]) -> None:
    """A check, first in the migration, that each adopted table exists."""
    template = environment().get_template("sql/diff/adopt.sql.j2")
    for name in adopted:
        node = plan.node(("adopt", name), ADOPT_RANK)
        node.steps.append(Step(template.render(name=quoting.literal(name.q)).strip()))
        plan.changes.insert(0, f"adopt table {name.display} (exists already: taken over, not created)")
