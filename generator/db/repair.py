"""`schemagen drift --sql`: the SQL that brings a drifted database back to the migrations' state.

Made by the same diff engine as a migration: the live schema (aligned) is the
old side, the state the new one, with nothing to confirm (`confirm=False`):
the output says which statements drop data instead. What the IR cannot hold
(a disabled trigger, a detached partition, an index on one partition, ...)
gets its own statement here (`Fix`), or is left alone and said so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import diff, ir
from ..diff import statements as st
from ..diff.context import DROPS_DATA
from ..diff.layout import LOCK_TIMEOUT, STATEMENT_TIMEOUT, Block, blocks
from ..diff.model import Phase, Plan, Step
from ..diff.steps import BUILD_RANK, LATE_RANK
from ..ir import Name
from ..pg import quoting
from ..sql import clauses, views
from ..templating import environment
from .catalog import IdleTrigger, Unmanaged
from .compare import ABSENT, Finding

LEFT_ALONE = "left alone by --sql: schemagen does not manage it"
SUPERUSER = (
    "rows written while it was off are not checked again; `--sql` enables its triggers, which PostgreSQL allows a "
    "superuser only (they are its internal triggers)"
)


@dataclass(frozen=True)
class Member:
    """A statement on one member of a table (a trigger, column, constraint, partition): templates/sql/db/repair/."""

    # the template: enable_trigger, validate_constraint, drop_constraint, attach_partition,
    # no_row_level_security, set_logged
    action: str
    table: str  # quoted, qualified
    name: str = ""  # quoted
    bound: str = ""  # a partition's FOR VALUES ... or DEFAULT

    @property
    def template(self) -> str:
        return f"db/repair/{self.action}"


def _sql(action: str, table: Name, name: str = "", bound: str = "") -> str:
    return st.text(Member(action, table.q, name, bound))


@dataclass(frozen=True)
class Fix:
    """Statements that put one thing back, in the phase they can run in."""

    change: str  # one line for the header
    statements: tuple[str, ...]
    phase: Phase = Phase.MAIN
    rank: int = LATE_RANK  # where in the plan: after what the diff builds, unless that needs the fix first


@dataclass
class Extras:
    """What the catalog found beyond the IR: a finding each, and a fix for those that can be put back."""

    findings: list[Finding] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # what --sql leaves alone, one line each


def extras(
    unmanaged: Iterable[Unmanaged],
    state: ir.Schema,
    detached: dict[Name, tuple[ir.Table, ir.Partition]],
    idle: Iterable[IdleTrigger] = (),
) -> Extras:
    tables = {t.name: t for t in state.tables}
    triggers = {(t.table, t.name) for t in state.triggers}
    functions = {f.name: f for f in state.functions}
    result = Extras()
    for name, (parent, p) in sorted(detached.items(), key=lambda item: str(item[0])):
        result.findings.append(
            Finding(
                "partition",
                f"{p.name.display} of {parent.name.display}",
                "state",
                "detached (a table of its own)",
                f"attached {clauses.partition_bound(p)}",
            )
        )
        result.fixes.append(
            Fix(
                f"attach partition {p.name.display} to {parent.name.display}",
                (_sql("attach_partition", parent.name, p.name.q, clauses.partition_bound(p)),),
            )
        )
    for u in unmanaged:
        _one(u, tables, triggers, functions, result)
    _unenforced(idle, tables, result)
    return result


def _unenforced(idle: Iterable[IdleTrigger], tables: dict[Name, ir.Table], result: Extras) -> None:
    """A constraint of the migrations whose internal triggers do not fire (DISABLE TRIGGER ALL): not enforced, so rows
    that break it go in. One finding per constraint; --sql enables each trigger (a constraint the migrations lack is
    dropped anyway)."""
    by_constraint: dict[tuple[Name, str], list[IdleTrigger]] = {}
    for t in idle:
        by_constraint.setdefault((t.constraint_table, t.constraint), []).append(t)
    for (table, constraint), idle_triggers in by_constraint.items():
        spec_table = tables.get(table)
        if spec_table is None or not any(c.name == constraint for c in spec_table.constraints):
            continue
        where = f"{constraint} on {table.display}"
        shown = "; ".join(f"{t.trigger} on {t.table.display} {t.enabled}" for t in idle_triggers)
        result.findings.append(Finding("constraint", where, "enforcement", f"off ({shown})", "on", SUPERUSER))
        statements = tuple(_sql("enable_trigger", t.table, quoting.ident(t.trigger)) for t in idle_triggers)
        result.fixes.append(Fix(f"enforce constraint {where} (enable its triggers)", statements))


def _one(
    u: Unmanaged,
    tables: dict[Name, ir.Table],
    triggers: set[tuple[Name, str]],
    functions: dict[Name, ir.Function],
    result: Extras,
) -> None:
    q, member, where = u.name.q, quoting.ident(u.member), f"{u.member} on {u.name.display}"
    name = u.name
    table = tables.get(u.name)

    def add(finding: Finding, fix: Fix | None) -> None:
        result.findings.append(finding)
        if fix is not None:
            result.fixes.append(fix)

    if u.kind == "trigger not enabled":
        if (u.name, u.member) in triggers:  # one the migrations lack is dropped anyway
            add(
                Finding("trigger", where, "enabled", u.detail, "enabled"),
                Fix(f"enable trigger {where}", (_sql("enable_trigger", name, member),)),
            )
    elif u.kind == "constraint not validated":
        if table is not None and any(c.name == u.member for c in table.constraints):
            add(
                Finding("constraint", where, "validated", "NOT VALID", "validated"),
                Fix(f"validate constraint {where}", (_sql("validate_constraint", name, member),), Phase.FINAL),
            )
    elif u.kind == "invalid index":
        index = next((i for i in table.indexes if i.name.name == u.member), None) if table is not None else None
        if index is not None:
            fix = Fix(
                f"build index {where} again",
                (
                    st.text(st.DropInvalidIndex(index.name.q)),
                    st.text(views.IndexView(index, concurrently=True, if_not_exists=True)),
                ),
                Phase.AFTER,
            )
            add(Finding("index", where, "valid", "INVALID (a CREATE INDEX CONCURRENTLY that failed)", "valid"), fix)
    elif u.kind == "function setting":
        f = functions.get(u.name)
        if f is not None:
            add(
                Finding("function", u.name.display, "setting", u.detail, "not set"),
                Fix(f"replace function {u.name.display}", (st.text(st.ReplaceFunction(f)),)),
            )
    elif u.kind == "index on a partition":
        drop = st.text(st.DropIndexConcurrently(Name(u.name.schema, u.member).q))
        add(Finding("index", where, "exists", u.detail, ABSENT), Fix(f"drop index {where}", (drop,), Phase.AFTER))
    elif u.kind == "constraint on a partition":
        add(
            Finding("constraint", where, "exists", u.detail, ABSENT),
            Fix(f"drop constraint {where}", (_sql("drop_constraint", name, member),)),
        )
    elif u.kind == "trigger on a partition":
        add(
            Finding("trigger", where, "exists", u.detail, ABSENT),
            Fix(f"drop trigger {where}", (st.text(st.Drop(views.Object("trigger", member, q))),)),
        )
    elif u.kind == "policy on a partition":
        add(
            Finding("policy", where, "exists", "a policy of the partition itself", ABSENT),
            Fix(f"drop policy {where}", (st.text(st.Drop(views.Object("policy", member, q))),)),
        )
    elif u.kind == "row level security on a partition":
        add(
            Finding(
                "partition", u.name.display, "row level security", u.detail, "disabled (the table's policies apply)"
            ),
            Fix(f"disable row level security on partition {u.name.display}", (_sql("no_row_level_security", name),)),
        )
    elif u.kind == "unlogged table":
        if table is not None or any(p.name == u.name for t in tables.values() for p in t.partitions):
            add(
                Finding("table", u.name.display, "logged", "UNLOGGED", "LOGGED"),
                # before foreign keys are added back: a logged table cannot reference an unlogged one
                Fix(
                    f"make {u.name.display} logged (rewrites it)",
                    (_sql("set_logged", name),),
                    rank=BUILD_RANK["table"],
                ),
            )
    else:
        shown = where if u.member else u.name.display
        result.findings.append(Finding(u.kind, shown, "exists", u.detail or "it", ABSENT, LEFT_ALONE))
        result.left.append(f"{u.kind} {shown}")


def sql(
    live: ir.Schema,
    expected: ir.Schema,
    fixes: Iterable[Fix],
    left: Iterable[str],
    *,
    stem: str,
    schemas: Iterable[str],
) -> str:
    """The repair script: the diff engine's plan from `live` to `expected`, the fixes, and what is left alone."""
    plan = diff.plan(live, expected, confirm=False, drift=True)
    changes = list(plan.changes)
    for i, fix in enumerate(fixes):
        node = plan.node(("drift", i), fix.rank)
        node.steps.extend(Step(s, fix.phase) for s in fix.statements)
        changes.append(fix.change)
    view = RepairView(
        stem=stem,
        schemas=", ".join(schemas),
        changes=[f"- {line}" for line in changes] or ["- nothing: the database matches the migrations"],
        drops=_drops(plan),
        left=[f"-- Left alone (schemagen does not manage it): {line}" for line in left]
        + [f"-- Not repaired: {r.message}" for r in plan.refusals],
        lock_timeout=LOCK_TIMEOUT,
        statement_timeout=STATEMENT_TIMEOUT,
        blocks=blocks(plan),
    )
    text: str = environment().get_template("sql/db/drift_repair.sql.j2").render(repair=view)
    return text


def _drops(plan: Plan) -> list[str]:
    """Header lines naming each statement that deletes data."""
    lines = []
    for node in plan.nodes.values():
        for step in node.steps:
            for note in step.notes:
                if note.startswith(DROPS_DATA):
                    lines.append(
                        f"--   - {step.sql.splitlines()[0].rstrip(';')} "
                        f"({note.removeprefix(DROPS_DATA).strip().rstrip('.')})"
                    )
    return (
        (["--", "-- Drops data (nothing asks to confirm it here: read these first):", *sorted(lines)]) if lines else []
    )


@dataclass(frozen=True)
class RepairView:
    stem: str
    schemas: str
    changes: list[str]
    drops: list[str]
    left: list[str]
    lock_timeout: str
    statement_timeout: str
    blocks: list[Block]
