"""Range and default partitions: new ones are created; changed or removed ones give their rows to the others.

A partition whose bounds change (say the MAXVALUE partition, split to make
room for a new month) is detached; the new partitions are created; the rows
that fall outside its new bounds are moved to a staging table; it is attached
again with its new bounds; the staged rows are inserted through the parent,
which routes each to its partition. A removed partition is emptied the same
way, then dropped. No row is lost: a row that no partition accepts makes the
migration fail. Only `drop partition P` in allow_destructive drops a
partition with its rows.

The DEFAULT partition holds the rows no range takes, so a range created or
widened may cover rows it holds: PostgreSQL then refuses the range partition
("updated partition constraint for default partition would be violated").
The default partition is detached with the others and gives up the rows of
those ranges before it is attached again
(https://www.postgresql.org/docs/current/sql-createtable.html#SQL-CREATETABLE-PARTITION).
"""

from __future__ import annotations

from .. import ir, quoting
from ..ir import Name
from . import statements as st
from .engine import Context, pair_up

STAGING = "schemagen_moved_rows"


def diff(ctx: Context) -> None:
    old = {t.name: t for t in ctx.old.tables}
    for t1 in ctx.new.tables:
        t0 = old.get(t1.name)
        if t0 is None:
            for p in t1.partitions:
                ctx.create(("partition", p.name))
        elif (t0.partition_by, t0.partition_key) == (t1.partition_by, t1.partition_key) and t0.partitions != t1.partitions:
            reshape(ctx, t0, t1)


def reshape(ctx: Context, t0: ir.Table, t1: ir.Table) -> None:
    parts0 = {p.name.name: p for p in t0.partitions}
    parts1 = {p.name.name: p for p in t1.partitions}
    renames, gone, came = pair_up(parts0, parts1, lambda p: p.bounds)
    for old_name, new_name in renames:
        ctx.renamed(st.Rename("TABLE", Name(t1.name.schema, old_name).q, quoting.ident(new_name)), "partition", "renaming-table")
        ctx.change(f"rename partition {old_name} to {new_name}")
    changed = [n for n, p in parts1.items() if n in parts0 and p.bounds != parts0[n].bounds]
    dropped = [n for n in gone if f"drop partition {t1.name.schema}.{n}" in ctx.new.intent.allow_destructive]
    emptied = [n for n in gone if n not in dropped]
    for n in dropped:
        ctx.add(
            ctx.release(("partition", Name(t1.name.schema, n))),
            st.Drop("TABLE", Name(t1.name.schema, n).q),
            notes=("Confirmed in allow_destructive: the partition and its rows are deleted.", f"Takes an ACCESS EXCLUSIVE lock on {t1.name.display}."),
            ignore=("ban-drop-table",),
        )
        ctx.change(f"drop partition {n}")
    carved = _carved_default(parts1, set(parts0) | {new for _, new in renames}, changed, came)
    if not changed and not emptied and not carved:
        for n in came:
            node = ctx.build(("partition", Name(t1.name.schema, n)))
            ctx.add(node, st.create(ctx.new_nodes[("partition", Name(t1.name.schema, n))].payload), notes=(f"Takes an ACCESS EXCLUSIVE lock on {t1.name.display} for a moment (the new partition is empty).",))
            ctx.change(_added(parts1[n]))
    else:
        move_rows(ctx, t1, [parts1[n] for n in changed], [parts0[n] for n in emptied], [parts1[n] for n in came], carved)
    for n, p in parts1.items():
        before = parts0.get(n) or parts0.get(next((o for o, new in renames if new == n), ""))
        if before is not None and before.comment != p.comment:
            ctx.add(ctx.build(("partition", p.name)), st.Comment.on("TABLE", p.name.q, p.comment))
            ctx.change(f"comment on partition {p.name.name}")


def _carved_default(parts1: dict[str, ir.Partition], kept: set[str], changed: list[str], came: list[str]) -> list[ir.Partition]:
    """The default partition that stays, when a range is created or changed: it may hold rows of that range."""
    ranges = [n for n in (*changed, *came) if not parts1[n].is_default]
    return [p for n, p in parts1.items() if p.is_default and n in kept and n not in changed and ranges]


def move_rows(ctx: Context, t: ir.Table, changed: list[ir.Partition], emptied: list[ir.Partition], new: list[ir.Partition], carved: list[ir.Partition]) -> None:
    """Detach, create, move the rows out, attach again, route the rows back through the parent; `carved` is a default partition whose bounds stay."""
    node = ctx.build(("partition", ("rows", t.name)))
    ctx.plan.edge(("build", ("table", t.name)), node.key)
    q = t.name.q
    lock: tuple[str, ...] = (f"Moves rows between the partitions of {t.name.display}: takes ACCESS EXCLUSIVE locks on it while they move.",)
    for p in carved:
        why = f"PostgreSQL refuses a range partition while the default partition holds rows of its range: {p.name.name} gives them up first."
        ctx.add(node, st.AlterTable(q, f"DETACH PARTITION {p.name.q}"), notes=(*lock, why), ignore=("require-concurrent-partition-detach",))
        lock = ()
    for p in changed + emptied:
        ctx.add(node, st.AlterTable(q, f"DETACH PARTITION {p.name.q}"), notes=lock, ignore=("require-concurrent-partition-detach",))
        lock = ()
    for p in new:
        ctx.add(node, st.create(ctx.new_nodes[("partition", p.name)].payload))
    staging = quoting.ident(STAGING)
    columns = st.columns_sql(t.columns)
    ctx.add(node, st.StageRows(staging, q), notes=("Rows that leave a partition wait here, then go back in through the parent.",))
    key = quoting.ident(t.partition_key[0])
    # The ranges created or changed: a default partition gives up the rows that fall in them.
    ranges = [p for p in changed + new if not p.is_default]
    for p in changed + carved:
        leaving = _in_any(key, ranges) if p.is_default else f"NOT ({_inside(key, p)})"
        if leaving:
            ctx.add(node, st.MoveRows(p.name.q, leaving, columns, staging))
    for p in emptied:
        ctx.add(node, st.MoveRows(p.name.q, "true", columns, staging))
    for p in sorted(changed + carved, key=lambda p: p.is_default):  # the default last: attaching it checks every range
        ctx.add(node, st.AlterTable(q, f"ATTACH PARTITION {p.name.q} {p.bound_sql}"))
    ctx.add(node, st.RestoreRows(q, columns, staging))
    for p in emptied:
        ctx.add(node, st.Drop("TABLE", p.name.q), notes=("Empty now: its rows moved to the partitions that cover them.",), ignore=("ban-drop-table",))
    for p in changed:
        ctx.change(f"change the bounds of partition {p.name.name}")
    for p in emptied:
        ctx.change(f"merge partition {p.name.name} into its neighbours")
    for p in new:
        ctx.change(_added(p))


def _added(p: ir.Partition) -> str:
    return f"add default partition {p.name.name}" if p.is_default else f"add partition {p.name.name}"


def _in_any(key: str, ranges: list[ir.Partition]) -> str:
    """The SQL condition for rows within any of `ranges` ("" for none)."""
    return " OR ".join(f"({_inside(key, p)})" for p in ranges)


def _inside(key: str, p: ir.Partition) -> str:
    """The SQL condition for rows within a range partition's bounds."""
    conditions = []
    if p.lower != "MINVALUE":
        conditions.append(f"{key} >= {p.lower}")
    if p.upper != "MAXVALUE":
        conditions.append(f"{key} < {p.upper}")
    return " AND ".join(conditions) or "true"
