"""The diff of two schemas: the order of the work, and the edges.

`plan(old, new)` applies the renames the new spec declares to the old state,
lets each kind of object (enums, tables, partitions, indexes, functions, ...)
add the steps of its changes to a graph over one shared `Context`
(context.py), links the graph by what uses what, and orders it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from typing import Any

from .. import ir
from ..ir import order
from ..sql import from_scratch
from . import enums, grants, partitions, prechecks, relations, renames, routines, security, tables
from .context import PRECHECK_RANK, Context
from .model import BUILD, RELEASE, Node, Phase, Plan, Step


def plan(
    old: ir.Schema, new: ir.Schema, *, confirm: bool = True, spent: frozenset[str] = frozenset(), drift: bool = False
) -> Plan:
    result = Plan()
    ctx = Context(old, new, result, confirm, spent, {}, {}, drift=drift)
    ctx.old = renames.apply(ctx, old, new.intent.renames)
    ctx.old_nodes = {n.key: n for n in from_scratch.nodes(ctx.old)}
    ctx.new_nodes = {n.key: n for n in from_scratch.nodes(new)}
    enums.classify(ctx)
    routines.classify(ctx)
    tables.classify(ctx)
    enums.diff(ctx)
    tables.diff(ctx)
    partitions.diff(ctx)
    relations.diff(ctx)
    routines.diff(ctx)
    security.diff(ctx)
    grants.diff(ctx)
    enums.settle(ctx)
    if result.stops:
        ctx.add(
            result.node(("precheck",), PRECHECK_RANK),
            prechecks.verdict(),
            Phase.PRECHECK,
            notes=("Stops here if a check above found rows (each is listed in the error).",),
        )
    link(ctx)
    return result


def link(ctx: Context) -> None:
    """Edges by what uses what: release dependents first, build dependencies first."""
    plan = ctx.plan
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
            if dep not in ctx.new_nodes:  # what it used goes away: finish with it first
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
