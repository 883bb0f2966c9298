"""Rows that move between partitions: copied aside while clients go on, swapped in under a short lock.

The partitions whose rows change (the *sources*: a partition whose bounds
change or that is merged away, and the DEFAULT partition when a range is
created or changed) are never emptied in place. Their rows are copied into
new tables, the *targets*, one per partition of the new layout that receives
rows, named as the partitions they become, in a staging schema:

- COPY phase, outside any transaction, while the sources stay readable and
  writable: the targets are partitions of a *shadow* of the table (same
  columns, defaults, CHECKs and key), which routes every copied row to its
  target; a trigger on each source records the key of every row written
  meanwhile (pgroll and pg_repack do the same); rows are copied in key order,
  in batches that each commit, and a re-run goes on from the last key copied.
  Then the targets get the table's indexes and its foreign keys (added NOT
  VALID, then validated: no client-blocking lock while they scan), and a
  validated CHECK of their bounds, so that attaching them scans nothing.
  Autovacuum is off on the staging tables: a VACUUM or ANALYZE of a table
  the copy just filled would hold a lock that CREATE INDEX, a foreign key or
  the final DROP SCHEMA waits for, and it gives way only after
  deadlock_timeout (1 s), exactly the migration's lock_timeout; the copies
  get it back when they take their place.
- MAIN, in the migration's transaction: the sources are detached, the rows
  recorded by the trigger are copied again from the sources, the old
  partitions are dropped and the targets attached in their place. Under the
  lock only the rows written during the copy move.

Rows are never re-inserted through the table, so no user trigger (BEFORE or
AFTER, audit ones included) runs for a row that moves, no identity column
asks for OVERRIDING SYSTEM VALUE, and no row is deleted, so no foreign key ON
DELETE action fires. Nothing here needs a superuser: the migration's role
owns the tables; it needs CREATE on the database for the staging schema.

A table without a primary key (or a unique key on NOT NULL columns) cannot
have its changes recorded by key, and a table whose columns, keys or indexes
change in the same migration is not yet in its new shape when the copy would
run: for those the same statements run inside MAIN, under the lock (the
migration says so).

A table that other tables reference by foreign key cannot detach a
partition that referenced rows are in: those foreign keys are dropped before
the swap and added again NOT VALID after it, validated in the last phase.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from .. import ir
from ..ir import Name
from ..ir.names import make_object_name
from ..pg import quoting
from ..sql import views
from ..sql.views import Object
from . import statements as st
from .context import Context
from .model import Node, Phase
from .steps import Steps

STAGING = "schemagen_staging"
BOUNDS_CHECK = "schemagen_partition_bounds"
BATCH = 5000  # rows per committed batch: a few tens of milliseconds of work each
CAPTURE_ROWS = "schemagen_capture"
CAPTURE_TRUNCATE = "schemagen_capture_truncate"


# -- statements (templates/sql/diff/moves/) ------------------------------------------


@dataclass(frozen=True)
class Schema:
    template: ClassVar[str] = "diff/moves/schema"
    schema: str


@dataclass(frozen=True)
class DropSchema:
    template: ClassVar[str] = "diff/moves/drop_schema"
    schema: str


@dataclass(frozen=True)
class Shadow:
    template: ClassVar[str] = "diff/moves/shadow"
    shadow: str
    parent: str
    keys: tuple[views.ConstraintView, ...]  # PRIMARY KEY / UNIQUE: partitions get them as the table's partitions do
    partition_by: str
    key: str


@dataclass(frozen=True)
class Target:
    template: ClassVar[str] = "diff/moves/target"
    table: str
    shadow: str
    check_name: str
    check: str
    bound: views.BoundView
    quiet: bool  # autovacuum off until it takes its place (an online move: see `plan`)


@dataclass(frozen=True)
class KeyTable:
    template: ClassVar[str]
    table: str
    columns: str  # "id uuid, created_at timestamptz"


@dataclass(frozen=True)
class Changes(KeyTable):
    template: ClassVar[str] = "diff/moves/changes"


@dataclass(frozen=True)
class Copied(KeyTable):
    template: ClassVar[str] = "diff/moves/copied"


@dataclass(frozen=True)
class CaptureFunction:
    template: ClassVar[str] = "diff/moves/capture_function"
    function: str
    changes: str
    key: list[str]


@dataclass(frozen=True)
class CaptureTrigger:
    """A trigger that records what clients write to a source while it is copied: the key of each row written
    (template capture_rows), or a TRUNCATE (capture_truncate)."""

    template: str
    name: str
    table: str
    function: str


@dataclass(frozen=True)
class CopyRows:
    template: ClassVar[str] = "diff/moves/copy_rows"
    source: str
    source_name: str  # a literal: the source's row in the progress table
    shadow: str
    copied: str
    columns: str
    key: list[str]
    batch: int


@dataclass(frozen=True)
class CopyAll:
    template: ClassVar[str] = "diff/moves/copy_all"
    shadow: str
    source: str
    columns: str


@dataclass(frozen=True)
class ForeignKey:
    template: ClassVar[str] = "diff/moves/foreign_key"
    table: str
    regclass: str
    literal: str
    name: str
    constraint: views.ConstraintView


@dataclass(frozen=True)
class Autovacuum:
    """Autovacuum back on a copy that took its place."""

    template: ClassVar[str] = "diff/moves/autovacuum"
    table: str


@dataclass(frozen=True)
class Analyze:
    template: ClassVar[str] = "diff/moves/analyze"
    table: str


@dataclass(frozen=True)
class ForgetTruncated:
    template: ClassVar[str] = "diff/moves/forget_truncated"
    shadow: str
    came_from: str
    changes: str
    source_name: str


@dataclass(frozen=True)
class ForgetChanged:
    template: ClassVar[str] = "diff/moves/forget_changed"
    shadow: str
    changes: str
    key: list[str]


@dataclass(frozen=True)
class RecopyChanged:
    template: ClassVar[str] = "diff/moves/recopy_changed"
    shadow: str
    source: str
    changes: str
    columns: str
    key: str


@dataclass(frozen=True)
class Uncovered:
    template: ClassVar[str] = "diff/moves/uncovered"
    source: str
    covered: str
    key: str
    message: str  # a literal with two %: the count and the first keys


# -- the plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """The rows of `sources` (old partitions) go to `targets` (partitions of the new layout)."""

    old: ir.Table
    new: ir.Table
    sources: tuple[ir.Partition, ...]
    targets: tuple[ir.Partition, ...]
    referencing: tuple[tuple[ir.Table, ir.Constraint], ...]  # foreign keys of other tables to this one
    online: bool  # copied in the COPY phase (else inside MAIN)

    @property
    def key(self) -> tuple[str, ...]:
        return row_key(self.new) or ()

    def staged(self, name: str) -> str:
        return Name(STAGING, name).q


def row_key(t: ir.Table) -> tuple[str, ...] | None:
    """The columns that identify a row: the primary key, or a unique key on NOT NULL columns."""
    not_null = {c.name for c in t.columns if c.not_null}
    keys = [c for c in t.inline_constraints if c.kind == "primary_key"]
    keys += [c for c in t.inline_constraints if c.kind == "unique" and set(c.columns) <= not_null]
    return keys[0].columns if keys else None


def shape(t: ir.Table) -> tuple[object, ...]:
    """What the shadow copies from the table: its columns, keys, CHECKs, foreign keys and indexes (comments aside)."""
    columns = tuple(dataclasses.replace(c, comment=None, set_by=(), python_type=None) for c in t.columns)
    constraints = tuple(dataclasses.replace(c, comment=None) for c in t.constraints)
    indexes = tuple(dataclasses.replace(ix, comment=None) for ix in t.indexes)
    return (columns, constraints, indexes, t.partition_by, t.partition_key)


def plan(ctx: Context, out: Steps, move: Move) -> None:
    t = move.new
    copy_phase = Phase.COPY if move.online else Phase.MAIN
    copy = out.node(("copy", t.name), 19) if move.online else _rows_node(ctx, out, t)
    rows = _rows_node(ctx, out, t)
    staging = _staging_nodes(ctx, out, rows)
    out.edge(staging[0].key, copy.key)
    key_sql = quoting.ident(t.partition_key[0])
    shadow = move.staged(t.name.name)
    columns = st.columns_sql(t.columns)
    row = ", ".join(quoting.ident(c) for c in move.key)
    where = (
        "Outside a transaction: the rows are copied while the old partitions stay in use; what changes "
        "meanwhile is recorded and applied under the lock in the main transaction."
        if move.online
        else _offline_reason(move)
    )

    out.add(
        staging[0],
        Schema(quoting.ident(STAGING)),
        copy_phase,
        notes=("The staging schema: tables no client uses yet, dropped at the end of the main transaction.",),
    )
    keys = tuple(views.ConstraintView(c) for c in t.inline_constraints if c.kind in ("primary_key", "unique"))
    out.add(
        copy,
        Shadow(shadow, t.name.q, keys, t.partition_by or "RANGE", key_sql),
        copy_phase,
        notes=(
            f"Moves rows between the partitions of {t.name.display}. {where}",
            (
                "The shadow: the table's columns, defaults, CHECKs and keys, no trigger; it routes each copied "
                "row to its new partition."
            ),
        ),
    )
    for p in move.targets:
        out.add(
            copy,
            Target(
                move.staged(p.name.name),
                shadow,
                BOUNDS_CHECK,
                _bounds_check(key_sql, p, t.partitions),
                views.BoundView(p),
                move.online,
            ),
            copy_phase,
        )
    if move.online:
        _capture(ctx, out, copy, move, shadow, columns, row)
    else:
        for p in move.sources:
            out.add(
                rows,
                st.DetachPartition(t.name.q, p.name.q),
                notes=_detach_notes(move, p),
                ignore=("require-concurrent-partition-detach",),
            )
        for p in move.sources:
            out.add(rows, CopyAll(shadow, p.name.q, columns))
    for ix in t.indexes:
        staged = dataclasses.replace(ix, table=Name(STAGING, t.name.name))
        out.add(
            copy,
            views.IndexView(staged, if_not_exists=True),
            copy_phase,
            notes=("Built once the rows are in: no client uses the staging table.",),
            ignore=("require-concurrent-index-creation",),
        )
    if move.online:
        for p in move.targets:
            for fk in t.foreign_keys:
                target = move.staged(p.name.name)
                first = fk == t.foreign_keys[0] and p == move.targets[0]
                out.add(
                    copy,
                    ForeignKey(
                        target, quoting.literal(target), quoting.literal(fk.name), fk.q, views.ConstraintView(fk)
                    ),
                    copy_phase,
                    notes=(
                        "Added NOT VALID, then validated (validating again is harmless): the scan blocks no client.",
                    )
                    if first
                    else (),
                )
                out.add(
                    copy,
                    st.ValidateConstraint(target, fk.q),
                    copy_phase,
                    ignore=("prefer-robust-stmts",),
                )
        out.add(
            copy, Analyze(shadow), copy_phase, notes=("Statistics for the new partitions, before clients query them.",)
        )
    _swap(ctx, out, rows, move, shadow, columns, row)


def _offline_reason(move: Move) -> str:
    if not move.key:
        return (
            f"{move.new.name.display} has no primary key to record the rows written meanwhile: the rows are "
            "copied in the main transaction, under its locks."
        )
    return (
        f"{move.new.name.display} changes shape in this migration: the rows are copied in the main "
        "transaction, after that change, under its locks."
    )


def _detach_notes(move: Move, p: ir.Partition) -> tuple[str, ...]:
    first = p == move.sources[0]
    return (
        (
            (
                f"Takes an ACCESS EXCLUSIVE lock on {move.new.name.display} until COMMIT: the old partitions "
                "are swapped for the copies."
            ),
        )
        if first
        else ()
    )


def _capture(ctx: Context, out: Steps, node: Node, move: Move, shadow: str, columns: str, row: str) -> None:
    t = move.new
    typed = ", ".join(f"{c.q} {c.sql_type}" for k in move.key if (c := t.column(k)) is not None)
    changes = move.staged(make_object_name("schemagen", t.name.name, "changes"))
    copied = move.staged(make_object_name("schemagen", t.name.name, "copied"))
    function = move.staged(make_object_name("schemagen", t.name.name, "capture"))
    out.add(
        node,
        Changes(changes, typed),
        Phase.COPY,
        notes=("The keys of the rows written while they are copied (and the partitions truncated meanwhile).",),
    )
    out.add(
        node,
        Copied(copied, typed),
        Phase.COPY,
        notes=("Per old partition, the last key copied: a re-run goes on from there.",),
    )
    key = views.names(move.key)
    out.add(
        node,
        CaptureFunction(function, changes, key),
        Phase.COPY,
        notes=("SECURITY DEFINER: clients writing the table need no right on the staging schema.",),
    )
    for p in move.sources:
        notes = ("Takes a SHARE ROW EXCLUSIVE lock on the partition for a moment.",) if p == move.sources[0] else ()
        out.add(
            node,
            CaptureTrigger("diff/moves/capture_rows", CAPTURE_ROWS, p.name.q, function),
            Phase.COPY,
            notes=notes,
        )
        out.add(node, CaptureTrigger("diff/moves/capture_truncate", CAPTURE_TRUNCATE, p.name.q, function), Phase.COPY)
    for p in move.sources:
        out.add(
            node,
            CopyRows(p.name.q, quoting.literal(p.name.name), shadow, copied, columns, key, BATCH),
            Phase.COPY,
            notes=(f"The rows of {p.name.name}, in batches of {BATCH} that each commit.",),
        )


def _swap(ctx: Context, out: Steps, rows: Node, move: Move, shadow: str, columns: str, row: str) -> None:
    t = move.new
    q = t.name.q
    for ref, fk in move.referencing:
        notes = (
            (
                f"{ref.name.display} references {t.name.display}: PostgreSQL refuses to detach a partition "
                "that referenced rows are in. Added again NOT VALID below, validated in the last transaction."
            ),
        )
        out.add(rows, st.DropConstraint(ref.name.q, fk.q), notes=notes, ignore=("ban-drop-constraint",))
    if move.online:
        for p in move.sources:
            out.add(
                rows,
                st.DetachPartition(q, p.name.q),
                notes=_detach_notes(move, p),
                ignore=("require-concurrent-partition-detach",),
            )
        changes = move.staged(make_object_name("schemagen", t.name.name, "changes"))
        note = (
            (
                "The rows written while they were copied: copied again from the old partitions, now that no "
                "client writes them."
            ),
        )
        for p in move.sources:
            out.add(
                rows,
                ForgetTruncated(
                    shadow,
                    _came_from(quoting.ident(t.partition_key[0]), p, move.old.partitions),
                    changes,
                    quoting.literal(p.name.name),
                ),
                notes=note if p == move.sources[0] else (),
            )
        out.add(rows, ForgetChanged(shadow, changes, views.names(move.key)))
        for p in move.sources:
            out.add(rows, RecopyChanged(shadow, p.name.q, changes, columns, row))
    for p in move.targets:
        out.add(
            rows,
            st.DetachPartition(shadow, move.staged(p.name.name)),
            ignore=("require-concurrent-partition-detach",),
        )
    for p in move.sources:
        out.add(
            rows,
            st.Drop(Object("table", p.name.q)),
            notes=("Its rows are in the copies.",) if p == move.sources[0] else (),
            ignore=("ban-drop-table",),
        )
    for p in move.targets:
        placed = ("The copy takes the old partition's place: no client used it in the staging schema.",)
        out.add(
            rows,
            st.SetSchema(move.staged(p.name.name), quoting.ident(t.name.schema)),
            notes=placed if p == move.targets[0] else (),
            ignore=("ban-set-schema",),
        )
    # the default last: attaching a range checks the default partition
    for p in sorted(move.targets, key=lambda p: p.is_default):
        out.add(
            rows,
            st.AttachPartition(q, p.name.q, views.BoundView(p)),
            notes=_attach_notes(move, p),
        )
    for p in move.targets:
        out.add(
            rows,
            st.DropConstraint(p.name.q, BOUNDS_CHECK),
            notes=("The partition's bounds hold it now.",) if p == move.targets[0] else (),
            ignore=("ban-drop-constraint",),
        )
        if move.online:
            back = ("Autovacuum back on, now that clients use it.",) if p == move.targets[0] else ()
            out.add(rows, Autovacuum(p.name.q), notes=back)
        if p.comment is not None:
            out.add(rows, st.comment_on(Object("table", p.name.q), p.comment))
    for ref, fk in move.referencing:
        node = out.late(("partition", "refs", ref.name, fk.name))
        out.edge(rows.key, node.key)
        if ref.partition_by:
            out.add(
                node,
                st.AddConstraint.of(ref.name, fk),
                notes=(
                    (
                        f"Checks every row of {ref.name.display}: a partitioned table has no NOT VALID foreign "
                        "key before PostgreSQL 18."
                    ),
                ),
                ignore=("constraint-missing-not-valid", "adding-foreign-key-constraint"),
            )
        else:
            out.add(node, st.AddConstraint.of(ref.name, fk, not_valid=True))
            out.add(node, st.ValidateConstraint(ref.name.q, fk.q), Phase.FINAL)
        if fk.comment is not None:
            out.add(node, st.comment_on(Object("constraint", fk.q, ref.name.q), fk.comment))


def _attach_notes(move: Move, p: ir.Partition) -> tuple[str, ...]:
    if p == move.targets[0]:
        return ("Scans nothing: a validated CHECK of its bounds proves that its rows belong there.",)
    return ()


def _rows_node(ctx: Context, out: Steps, t: ir.Table) -> Node:
    node = out.build(("partition", ("rows", t.name)))
    out.edge(("build", ("table", t.name)), node.key)
    return node


def _staging_nodes(ctx: Context, out: Steps, rows: Node) -> tuple[Node, Node]:
    """The staging schema, created once (first) and dropped once (after every move) per migration."""
    create = out.node(("staging", "create"), 18)
    drop = out.node(("staging", "drop"), 41)
    if not drop.steps:
        out.add(
            drop,
            DropSchema(quoting.ident(STAGING)),
            notes=(
                "The staging objects, which no client uses: the shadows, the change records and the capture function.",
            ),
            ignore=("ban-drop-schema",),
        )
    out.edge(rows.key, drop.key)
    return create, drop


def precheck(ctx: Context, out: Steps, t: ir.Table, source: ir.Partition, covered: str, new_ranges: str) -> None:
    """Stops the migration before any change when `source` holds rows that no partition of the new layout takes."""
    node = out.node(("precheck", source.name), 17)
    key = ", ".join(quoting.ident(k) for k in (row_key(t) or t.partition_key))
    message = quoting.literal(
        f"partition {source.name.display} holds % row(s) that no partition of {t.name.display} takes after "
        f"this migration ({new_ranges}), the first ({key}): %; "
        "add a partition that covers them (or a DEFAULT partition), or move or delete those rows, then run "
        "the migration again"
    )
    out.add(
        node,
        Uncovered(source.name.q, covered, key, message),
        Phase.PRECHECK,
        notes=(f"Stops here, before any change, if {source.name.name} holds rows that would have no partition.",),
    )


# -- conditions on the partition key --------------------------------------------------


def _ranges(partitions: tuple[ir.Partition, ...]) -> list[views.BoundView]:
    listed = [p for p in partitions if p.is_list]
    if listed:  # K3 list partitions: one list of every value, as PostgreSQL writes a DEFAULT partition's constraint
        every = tuple(v for p in listed for v in p.values)
        return [views.BoundView(dataclasses.replace(listed[0], values=every))]
    return [views.BoundView(p) for p in partitions if not p.is_default]


def in_any(key: str, partitions: tuple[ir.Partition, ...]) -> str:
    """Rows within one of the range partitions (templates/sql/diff/conditions.sql.j2)."""
    return st.condition("in_any", key, _ranges(partitions))


def _bounds_check(key: str, p: ir.Partition, layout: tuple[ir.Partition, ...]) -> str:
    """A CHECK that proves the partition constraint of `p` in `layout`, in the form PostgreSQL's prover recognizes."""
    if not p.is_default:
        return st.condition("inside", key, views.BoundView(p))
    return st.condition("outside_all", key, _ranges(layout))


def _came_from(key: str, p: ir.Partition, old_layout: tuple[ir.Partition, ...]) -> str:
    """The rows that partition `p` held (before the migration)."""
    if not p.is_default:
        return st.condition("inside", key, views.BoundView(p))
    return st.condition("held_by_default", key, _ranges(old_layout))
