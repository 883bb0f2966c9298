"""The next migration: the difference between the last migration's state and the spec.

`migration(old, new)` returns the up and down SQL, or the refusals (changes
the spec does not confirm or schemagen cannot make), which the caller reports
at their place in the spec. No database is needed: both sides are IR.

How a plan is made (engine.plan), one pass after the other, each reading what
the passes before it produced and none writing it back:

1. renames.py carries out the renames the spec declares on the last state, so
   that both sides name things alike; it yields that state, the names before
   (`context.Names`), and the rename statements.
2. engine.classify computes, once, the frozen `context.Context`: what changes
   that other kinds must know about (enums rebuilt, functions dropped and
   created again, columns that change type, tables rewritten, unique keys
   replaced), and both sides' from-scratch statements with what each uses.
3. Each kind of object returns its own steps (`steps.Steps`) from the
   Context alone: enums.py, tables.py (with prechecks.py, the rows checked
   before any change), partitions.py (with moves.py, rows moved between
   partitions), relations.py (indexes, foreign keys), routines.py, security.py,
   grants.py. engine.merge puts them together in that order.
4. Passes over the merged plan: enums.settle moves an ADD VALUE before the main
   transaction when a statement of it uses the value; the prechecks' verdict
   closes the PRECHECK phase; engine.link adds the edges by what uses what.
5. layout.py orders the graph (engine.ordered_steps) into the phases of
   model.Phase and writes the file from templates/sql/diff/.

The one test of "nothing changed" is `unchanged` below; a plan without a step
(the spec changed only what the database does not hold, such as a column's
Python type) writes no migration either.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .. import ir
from ..ir import Name, codec
from ..templating import environment
from . import adoption
from .engine import plan
from .layout import migration_sql
from .model import Plan, Refusal

__all__ = ["Migration", "Plan", "Refusal", "derived_name", "inverse", "migration", "plan", "unchanged"]


@dataclass(frozen=True)
class Migration:
    name: str
    up: str  # "" when the spec did not change
    down: str
    changes: list[str]
    refusals: list[Refusal]
    confirmed: tuple[str, ...] = ()  # the allow_destructive entries it uses up (saved in its state)

    @property
    def empty(self) -> bool:
        return not self.up and not self.refusals


# The fields of a saved state that are not the schema: which migration it is, and what the spec said on the
# way to it (its renames and confirmations), and the tenancy, which only the database tests read.
STATE_ONLY = ("version", "name", "intent", "confirmed", "tenancy")


def unchanged(last: ir.Schema | dict[str, Any], new: ir.Schema) -> bool:
    """Whether the spec `new` describes exactly the `last` state (the usual build and `--check`).

    Equal in every field but STATE_ONLY, and no rename declared (declared
    renames always go through the plan, which also judges them). `last` may be
    the saved state's JSON, compared without decoding it (ir.codec.matches_json:
    half a million values for 1,000 tables). One comparison instead of a plan:
    planning indexes and compares every object of both sides, a third of a
    second for 1,000 tables, to find nothing.
    """
    if new.intent.renames:
        return False
    if isinstance(last, dict):
        return codec.matches_json(new, last, skip=frozenset(STATE_ONLY))
    return dataclasses.replace(new, **{f: getattr(last, f) for f in STATE_ONLY}) == last


def inverse(renames: list[ir.Rename]) -> tuple[ir.Rename, ...]:
    """The renames that undo `renames` (owners named as they were before)."""
    tables = {Name(r.schema, r.new): Name(r.schema, r.old) for r in renames if r.kind == "table"}
    enums = {Name(r.schema, r.new): Name(r.schema, r.old) for r in renames if r.kind == "enum"}
    # a schema renamed back comes first (diff/renames.py): what else is renamed back is named in the old schema
    schemas = {r.new: r.old for r in renames if r.kind == "schema"}
    result = []
    for r in renames:
        owner = r.owner
        if owner is not None:
            owner = (tables if r.kind == "column" else enums).get(owner, owner)
            owner = Name(schemas.get(owner.schema, owner.schema), owner.name)
        schema = r.schema if r.kind == "schema" else schemas.get(r.schema, r.schema)
        result.append(ir.Rename(r.kind, r.new, r.old, owner, schema))
    return tuple(result)


def migration(
    old: ir.Schema,
    new: ir.Schema,
    *,
    number: int,
    name: str | None,
    previous: str,
    sources: list[str],
    spent: frozenset[str] = frozenset(),
) -> Migration:
    """Migration `number` from `old` (the last state) to `new` (the spec), named `name` or after its changes.

    `spent` are the allow_destructive entries the last migration used: they confirm nothing here.
    """
    adopted = adoption.taken_over(old, new)
    old = adoption.base(old, new, adopted)
    if unchanged(old, new) and not adopted:
        return Migration(name or "", "", "", [], [])
    up = plan(old, new, spent=spent)
    adoption.check(up, adopted)
    if up.refusals or up.empty:
        return Migration(name or "", "", "", up.changes, up.refusals)
    name = name or derived_name(up.changes)
    down = plan(
        dataclasses.replace(new, intent=ir.Intent()),
        dataclasses.replace(old, intent=ir.Intent(renames=inverse(up.renamed))),
        confirm=False,
    )
    up_sql = migration_sql(
        up, number=number, name=name, sources=sources, purpose=f"the changes since {previous}.", down=False
    )
    if down.refusals:
        down_sql = irreversible(down, number=number, name=name, sources=sources, previous=previous)
    else:
        down_sql = migration_sql(
            down,
            number=number,
            name=name,
            sources=sources,
            purpose=f"undoes migration {number:04d}, back to {previous}.",
            down=True,
        )
    return Migration(name, up_sql, down_sql, up.changes, [], tuple(sorted(up.confirmed)))


def derived_name(changes: list[str]) -> str:
    """A migration name from its changes: the first one, and how many more."""
    if not changes:  # every change is meant to say what it is; a name is no reason to stop a build
        return "change"
    words = "".join(ch if ch.isalnum() else "_" for ch in changes[0].lower().split(" to ")[0]).split("_")
    name = "_".join(w for w in words if w)[:48].rstrip("_")
    return name if len(changes) == 1 else f"{name}_and_{len(changes) - 1}_more"


def irreversible(down: Plan, *, number: int, name: str, sources: list[str], previous: str) -> str:
    reasons = [r.message for r in down.refusals]
    text: str = (
        environment()
        .get_template("sql/diff/irreversible.sql.j2")
        .render(number=f"{number:04d}", name=name, previous=previous, reasons=reasons, sources=", ".join(sources))
    )
    return text
