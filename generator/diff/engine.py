"""The diff of two schemas as an explicit sequence of passes (the order is diff/__init__.py's docstring).

`plan(old, new)`: renames, then the frozen `Context` of what changes, then
each kind's steps, merged in a fixed order; then the passes that read every
step (ADD VALUE placed, the prechecks' verdict), and the edges. `ordered_steps`
turns the plan's graph into the statements of each phase.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from typing import Any

from .. import ir
from ..ir import order
from ..sql import from_scratch
from . import (
    default_privileges,
    enums,
    extensions,
    grants,
    guard,
    partition_objects,
    partitions,
    prechecks,
    publications,
    relations,
    renames,
    replication,
    routines,
    rows,
    schemas,
    security,
    sequences,
    tables,
    timeparts,
    usertypes,
    views,
)
from .context import Context, calls
from .model import BUILD, RELEASE, Node, Phase, Plan, Step
from .steps import PRECHECK_RANK, Part, Steps

# The kinds, in the order their steps are merged: the order of the migration's header (its list
# of changes) and, where nothing else decides, of the statements.
KINDS: tuple[Callable[[Context], Steps], ...] = (
    schemas.diff,
    extensions.diff,
    enums.diff,
    usertypes.diff,  # types5: domains, composite and range types
    sequences.diff,
    tables.diff,
    partitions.diff,
    relations.diff,
    partition_objects.diff,
    routines.diff,
    views.diff,
    security.diff,
    replication.diff,
    grants.diff,
    default_privileges.diff,  # privileges K5
    timeparts.diff,
    rows.diff,
    publications.diff,
)


def plan(
    old: ir.Schema, new: ir.Schema, *, confirm: bool = True, spent: frozenset[str] = frozenset(), drift: bool = False
) -> Plan:
    renamed = renames.apply(old, new)
    ctx = classify(renamed, new, confirm=confirm, spent=spent, drift=drift)
    parts = [kind(ctx) for kind in KINDS]
    result = merge([renamed.part, *parts])
    enums.settle(result, [added for part in parts for added in part.added_values])
    if result.stops:
        verdict = Part(result)
        verdict.add(
            verdict.node(("precheck",), PRECHECK_RANK),
            prechecks.verdict(),
            Phase.PRECHECK,
            notes=("Stops here if a check above found rows (each is listed in the error).",),
        )
    link(ctx, result)
    result.applied = guard.applied(ctx)
    return result


def classify(renamed: renames.Renamed, new: ir.Schema, *, confirm: bool, spent: frozenset[str], drift: bool) -> Context:
    """The first pass: what changes, computed once from the two schemas, each fact from those before it."""
    old = renamed.schema
    rebuilt = enums.rebuilt(old, new, renamed.names)
    replaced = routines.replaced(old, new, rebuilt)
    dropped = replaced | routines.removed(old, new)
    dropped |= routines.dropped_aggregates(old, new, dropped)  # aggs6: what calls one is recreated too
    retyped, rewritten, replaced_keys = tables.classify(
        old, new, rebuilt, lambda *texts: calls(frozenset(f[0].name for f in dropped), *texts)
    )
    return Context(
        old=old,
        new=new,
        confirm=confirm,
        spent=spent,
        drift=drift,
        old_nodes={n.key: n for n in from_scratch.nodes(old)},
        new_nodes={n.key: n for n in from_scratch.nodes(new)},
        names=renamed.names,
        rebuilt_enums=rebuilt,
        replaced_functions=replaced,
        dropped_functions=dropped,
        retyped=retyped,
        rewritten=rewritten,
        replaced_keys=replaced_keys,
        recreated_views=views.recreated(old, new, retyped, dropped, rebuilt, renamed.names.table),
    )


def merge(parts: list[Part]) -> Plan:
    """One plan from the parts, in their order (a node two parts write gets the steps of both, in that order)."""
    result = Plan()
    for part in parts:
        for key, n in part.plan.nodes.items():
            node = result.node(key, n.rank)
            node.steps.extend(n.steps)
            node.after |= n.after
        result.edges += part.plan.edges
        result.refusals += part.plan.refusals
        result.changes += part.plan.changes
        result.stops += part.plan.stops
        result.renamed += part.plan.renamed
        result.confirmed |= part.plan.confirmed
    return result


def link(ctx: Context, plan: Plan) -> None:
    """Edges by what uses what: release dependents first, build dependencies first."""
    changed: set[Any] = {key[1] for key in plan.nodes if isinstance(key, tuple) and key[0] in (RELEASE, BUILD)}
    for key in changed:
        if (RELEASE, key) in plan.nodes and plan.nodes[(RELEASE, key)].steps:
            plan.edge((RELEASE, key), (BUILD, key))
    for key, n in ctx.old_nodes.items():
        if key not in changed:
            continue
        for dep in n.deps:
            if dep == key or dep not in changed:
                continue
            plan.edge((RELEASE, key), (RELEASE, dep))
            if dep in ctx.disruptive:
                plan.edge((RELEASE, key), (BUILD, dep))
            if dep not in ctx.new_nodes and not ctx.named_still(dep):  # what it used goes away: finish with it first
                plan.edge((BUILD, key), (RELEASE, dep))
    for key, n in ctx.new_nodes.items():
        if key not in changed:
            continue
        for dep in n.deps:
            if dep != key and dep in changed:
                plan.edge((BUILD, dep), (BUILD, key))
    plan.link()


def ordered_steps(plan: Plan) -> list[Step]:
    """The steps in dependency order, each in the phase it can run in.

    PRECHECK steps read the schema as it was before the migration: they come
    first and hold nothing back. A MAIN step that needs a step of a later
    phase moves to FINAL, in its form that can run again.
    """
    nodes = order.toposort([order.Node(key, n.rank, sorted(n.after, key=repr), n) for key, n in plan.nodes.items()])
    floor: dict[Hashable, Phase] = {}
    result: list[Step] = []
    for on in nodes:
        node: Node = on.payload
        at = max((floor[d] for d in node.after), default=Phase.PRECHECK)
        for step in node.steps:
            if step.phase == Phase.PRECHECK:
                result.append(step)
                continue
            if step.phase < at:  # it needs something of a later phase: only a MAIN step can move (to FINAL)
                if step.phase != Phase.MAIN:
                    raise AssertionError(f"{step.sql!r} must run in {step.phase.name} but follows a {at.name} step")
                step = dataclasses.replace(step, phase=Phase.FINAL, sql=step.rerun or step.sql)
            at = max(at, step.phase)
            result.append(step)
        floor[node.key] = at
    return sorted(result, key=lambda s: s.phase)  # stable: dependency order within each phase
