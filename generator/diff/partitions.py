"""Range and default partitions: new ones are created; changed or removed ones give their rows to the others.

A partition whose bounds change (say the MAXVALUE partition, split to make
room for a new month) or that is removed gives its rows to the partitions of
the new layout that cover them; so does the DEFAULT partition when a range is
created or widened (PostgreSQL refuses a range partition while the default one
holds rows of it). How the rows move without blocking clients, and without
running a trigger or a foreign key action, is diff/moves.py. No row is lost:
a removed or narrowed range whose rows no partition would take is refused at
build time (E064), and a removed DEFAULT partition's rows are checked before
the migration changes anything. Only `drop partition P` in allow_destructive
drops a partition with its rows.
"""

from __future__ import annotations

import dataclasses

from .. import errors, ir
from ..ir import Name
from ..pg import bounds, quoting
from ..sql.views import Object
from . import moves
from . import statements as st
from .context import Context, pair_up
from .steps import Steps


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    old = {t.name: t for t in ctx.old.tables}
    for t1 in ctx.new.tables:
        t0 = old.get(t1.name)
        if t0 is None:
            for p in t1.partitions:
                out.create(("partition", p.name))
        elif (t0.partition_by, t0.partition_key) == (t1.partition_by, t1.partition_key):
            t0, t1 = _listed(t0, t1)
            if t0.partitions != t1.partitions and t1.partition_by == "HASH":
                _hash_reshape(ctx, out, t0, t1)
            elif t0.partitions != t1.partitions:
                reshape(ctx, out, t0, t1)
    return out


def _listed(t0: ir.Table, t1: ir.Table) -> tuple[ir.Table, ir.Table]:
    """Both sides without the partitions that a time partitioning of either side makes (name and bounds of one of
    its periods): those are the maintenance function's, made and retired as time passes, never by a migration.
    So listing a rule's months by hand, or replacing the list with the rule, changes no partition."""

    def own(p: ir.Partition) -> bool:
        return t0.owns(p) or t1.owns(p)

    return (
        dataclasses.replace(t0, partitions=tuple(p for p in t0.partitions if not own(p))),
        dataclasses.replace(t1, partitions=tuple(p for p in t1.partitions if not own(p))),
    )


def reshape(ctx: Context, out: Steps, t0: ir.Table, t1: ir.Table) -> None:
    parts0 = {p.name.name: p for p in t0.partitions}
    parts1 = {p.name.name: p for p in t1.partitions}
    renames, gone, came = pair_up(parts0, parts1, lambda p: p.bounds)
    for old_name, new_name in renames:
        out.renamed(
            st.Rename(Object("table", Name(t1.name.schema, old_name).q), quoting.ident(new_name)),
            "partition",
            "renaming-table",
        )
        out.change(f"rename partition {old_name} to {new_name}")
    changed = [n for n, p in parts1.items() if n in parts0 and p.bounds != parts0[n].bounds]
    dropped = [n for n in gone if out.confirmed(ir.destructive_entry("drop partition", t1.name.schema, n))]
    emptied = [n for n in gone if n not in dropped]
    for n in dropped:
        out.add(
            out.release(("partition", Name(t1.name.schema, n))),
            st.Drop(Object("table", Name(t1.name.schema, n).q)),
            notes=(
                "Confirmed in allow_destructive: the partition and its rows are deleted.",
                f"Takes an ACCESS EXCLUSIVE lock on {t1.name.display}.",
            ),
            ignore=("ban-drop-table",),
        )
        out.change(f"drop partition {n}")
    kept = set(parts0) | {new for _, new in renames}
    was = {new: old for old, new in renames}
    default = next((p for n, p in parts1.items() if p.is_default and n in kept and n not in changed), None)
    ranges_change = bool(changed) or any(not parts1[n].is_default for n in came)
    default_moves = default is not None and (ranges_change or bool(emptied))
    if not changed and not emptied and not default_moves:
        for n in came:
            node = out.build(("partition", Name(t1.name.schema, n)))
            out.add(
                node,
                st.create(ctx.new_nodes[("partition", Name(t1.name.schema, n))].payload),
                notes=(
                    f"Takes an ACCESS EXCLUSIVE lock on {t1.name.display} for a moment (the new partition is empty).",
                ),
            )
            out.change(_added(parts1[n]))
    else:
        renamed_default = default is not None and default_moves and default.name.name not in parts0
        sources = [parts0[n] for n in changed + emptied]
        targets = [parts1[n] for n in changed + came]
        if default is not None and default_moves:
            sources.append(parts0[was.get(default.name.name, default.name.name)] if not renamed_default else default)
            targets.append(default)
        if _no_lost_rows(ctx, out, t1, sources, changed, emptied):
            moves.plan(
                ctx,
                out,
                moves.Move(
                    t0,
                    t1,
                    tuple(sources),
                    tuple(targets),
                    _referencing(ctx, t1),
                    _online(ctx, t0, t1) and not renamed_default,
                ),
            )
        for n in changed:
            out.change(f"change the bounds of partition {n}")
        for n in emptied:
            out.change(f"merge partition {n} into its neighbours")
        for n in came:
            out.change(_added(parts1[n]))
    for n, p in parts1.items():
        before = parts0.get(n) or parts0.get(next((o for o, new in renames if new == n), ""))
        if before is not None and before.comment != p.comment:
            out.add(out.build(("partition", p.name)), st.comment_on(Object("table", p.name.q), p.comment))
            out.change(f"comment on partition {p.name.name}")


def _online(ctx: Context, t0: ir.Table, t1: ir.Table) -> bool:
    """Whether the rows can be copied before the main transaction: the table keeps its shape and has a key."""
    expressions = [c.check for c in t1.constraints] + [c.default for c in t1.columns]
    stays = moves.shape(t0) == moves.shape(t1) and t1.name not in ctx.retyped and t1.name not in ctx.renamed_columns
    return stays and moves.row_key(t1) is not None and not ctx.calls_dropped(*expressions)


def _referencing(ctx: Context, t: ir.Table) -> tuple[tuple[ir.Table, ir.Constraint], ...]:
    """The foreign keys of other tables to `t` that stay as they are in this migration."""
    before = {r.name: set(r.foreign_keys) for r in ctx.old.tables}
    return tuple(
        (r, fk)
        for r in ctx.new.tables
        for fk in r.foreign_keys
        if fk.ref_table == t.name and fk in before.get(r.name, frozenset())
    )


def _no_lost_rows(
    ctx: Context, out: Steps, t: ir.Table, sources: list[ir.Partition], changed: list[str], emptied: list[str]
) -> bool:
    """Refuses a removed or narrowed range whose rows no partition would take (a down migration checks them at run time,
    as a removed default's)."""
    if any(p.is_default for p in t.partitions):
        return True
    if t.partition_by == "LIST":
        return _no_lost_values(ctx, out, t, sources, changed)
    key_column = t.column(t.partition_key[0])
    kind = bounds.kind_of(key_column.base if key_column else "")
    ranges = [(_bound(p.lower, kind), _bound(p.upper, kind)) for p in t.partitions]
    ok = True
    for p in sources:
        if p.is_default:
            key = quoting.ident(t.partition_key[0])
            moves.precheck(ctx, out, t, p, moves.in_any(key, t.partitions), _layout(t))
            continue
        gap = _gap((_bound(p.lower, kind), _bound(p.upper, kind)), ranges)
        if gap is None:
            continue
        if not ctx.confirm:  # a down migration: it cannot be confirmed, it stops if the rows are there
            moves.precheck(ctx, out, t, p, moves.in_any(quoting.ident(t.partition_key[0]), t.partitions), _layout(t))
            continue
        how = "narrowed" if p.name.name in changed else "removed"
        entry = ir.destructive_entry("drop partition", t.name.schema, p.name.name)
        way = (
            "keep its bounds" if how == "narrowed" else f"add `{entry}` to allow_destructive to delete it with its rows"
        )
        out.refuse(
            errors.UNSUPPORTED_CHANGE,
            f"partition {p.name.name} is {how}, and no partition of {t.name.display} would take its rows "
            f"from {_shown(gap[0], True)} to {_shown(gap[1], False)}: "
            f"add a partition (or a DEFAULT partition) that covers them, or {way}",
            "partition",
            t.name,
            p.name.name,
        )
        ok = False
    return ok


def _no_lost_values(ctx: Context, out: Steps, t: ir.Table, sources: list[ir.Partition], changed: list[str]) -> bool:
    """`_no_lost_rows` of a list partitioning without a DEFAULT partition: each value a changed or removed partition
    listed must be listed by a partition of the new layout (K3)."""
    listed = {v for p in t.partitions for v in p.values}
    key = quoting.ident(t.partition_key[0])
    ok = True
    for p in sources:
        missing = [v for v in p.values if v not in listed]
        if not p.is_default and not missing:
            continue
        if p.is_default or not ctx.confirm:  # a down migration stops at run time if the rows are there
            moves.precheck(ctx, out, t, p, moves.in_any(key, t.partitions), _layout(t))
            continue
        how = "changed" if p.name.name in changed else "removed"
        entry = ir.destructive_entry("drop partition", t.name.schema, p.name.name)
        way = (
            "keep its values" if how == "changed" else f"add `{entry}` to allow_destructive to delete it with its rows"
        )
        out.refuse(
            errors.UNSUPPORTED_CHANGE,
            f"partition {p.name.name} is {how}, and no partition of {t.name.display} would take its rows with "
            f"{t.partition_key[0]} = {', '.join(missing)}: add a partition (or a DEFAULT partition) that lists "
            f"them, or {way}",
            "partition",
            t.name,
            p.name.name,
        )
        ok = False
    return ok


def _hash_reshape(ctx: Context, out: Steps, t0: ir.Table, t1: ir.Table) -> None:
    """Hash partitions (K3): a new one is created (no row can be waiting for it: a hash-partitioned table has no
    DEFAULT partition), a removed one dropped once confirmed; a changed modulus or remainder is refused, since every
    row would have to be hashed again into a new layout."""
    parts0 = {p.name.name: p for p in t0.partitions}
    parts1 = {p.name.name: p for p in t1.partitions}
    renames, gone, came = pair_up(parts0, parts1, lambda p: p.bounds)
    for old_name, new_name in renames:
        out.renamed(
            st.Rename(Object("table", Name(t1.name.schema, old_name).q), quoting.ident(new_name)),
            "partition",
            "renaming-table",
        )
        out.change(f"rename partition {old_name} to {new_name}")
    for n, p in parts1.items():
        if n in parts0 and p.bounds != parts0[n].bounds:
            out.refuse(
                errors.UNSUPPORTED_CHANGE,
                f"hash partition {n} of {t1.name.display} changes from modulus {parts0[n].modulus}, remainder "
                f"{parts0[n].remainder} to modulus {p.modulus}, remainder {p.remainder}: schemagen cannot hash the "
                "rows again in place (create a new table with the new layout and move the rows, or keep this "
                "partition and add new ones)",
                "partition",
                t1.name,
                n,
            )
    for n in gone:
        if not out.allowed(
            "drop partition",
            t1.name.schema,
            n,
            message=f"hash partition {n} is removed from the spec: dropping it deletes its rows (a hash-partitioned "
            "table has no DEFAULT partition to take them)",
            locator=("partition", t1.name, n),
        ):
            continue
        out.add(
            out.release(("partition", Name(t1.name.schema, n))),
            st.Drop(Object("table", Name(t1.name.schema, n).q)),
            notes=(
                ctx.loss("the partition and its rows are deleted", "added the partition: its rows are deleted"),
                f"Takes an ACCESS EXCLUSIVE lock on {t1.name.display}.",
            ),
            ignore=("ban-drop-table",),
        )
        out.change(f"drop partition {n}")
    for n in came:
        node = out.build(("partition", Name(t1.name.schema, n)))
        out.add(
            node,
            st.create(ctx.new_nodes[("partition", Name(t1.name.schema, n))].payload),
            notes=(f"Takes an ACCESS EXCLUSIVE lock on {t1.name.display} for a moment (the new partition is empty).",),
        )
        out.change(_added(parts1[n]))
    for n, p in parts1.items():
        before = parts0.get(n) or parts0.get(next((o for o, new in renames if new == n), ""))
        if before is not None and before.comment != p.comment:
            out.add(out.build(("partition", p.name)), st.comment_on(Object("table", p.name.q), p.comment))
            out.change(f"comment on partition {p.name.name}")


def _bound(literal: str, kind: str) -> bounds.Bound:
    text = literal[1:-1].replace("''", "'") if literal.startswith("'") else literal
    return bounds.value(text, kind)


def _gap(
    span: tuple[bounds.Bound, bounds.Bound], ranges: list[tuple[bounds.Bound, bounds.Bound]]
) -> tuple[bounds.Bound, bounds.Bound] | None:
    """The first part of `span` that no range covers, if any."""
    at, end = span
    for lo, hi in sorted(ranges, key=lambda r: bounds.key(r[0])):
        if bounds.key(at) >= bounds.key(end):
            return None
        if bounds.key(lo) > bounds.key(at):
            return (at, min(lo, end, key=bounds.key))
        if bounds.key(hi) > bounds.key(at):
            at = hi
    return (at, end) if bounds.key(at) < bounds.key(end) else None


def _shown(b: bounds.Bound, lower: bool) -> str:
    if b.rank != 1:
        return "MINVALUE" if lower else "MAXVALUE"
    return str(b.value)


def _layout(t: ir.Table) -> str:
    if t.partition_by == "LIST":
        return "values " + (", ".join(v for p in t.partitions for v in p.values) or "none")
    ranges = [f"{p.lower} to {p.upper}" for p in t.partitions if not p.is_default]
    return ", ".join(ranges) or "no range"


def _added(p: ir.Partition) -> str:
    return f"add default partition {p.name.name}" if p.is_default else f"add partition {p.name.name}"
