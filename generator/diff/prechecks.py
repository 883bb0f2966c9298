"""What would make a migration fail or change a value, checked before anything changes.

Each check is a read-only statement of the PRECHECK phase (`statements.Precheck`):
it counts the rows that cannot follow and stops the migration with a message
that names the first few, so nothing is half done and nothing is cut or
rounded without a word. The PRECHECK phase runs before the renames of the
main transaction, so it names tables and columns as they were; a check is
left out where it could not be written against the old schema (a column
that is new, retyped or renamed inside an expression; a function the
migration replaces). Such a migration still fails safely where PostgreSQL
itself refuses the rows (the main transaction rolls back), or in its last
phase, which can run again once the rows are fixed.

A check is a small function here plus `out.stop_if(view, summary)`: the view
is the statement, the summary the line that the file's header lists.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import ir
from ..ir import Name
from ..pg import quoting, sqlparse
from . import statements as st
from . import types
from .context import Context, type_key
from .steps import Steps

HINT = "Nothing was changed. Fix or delete those rows (or change the spec), then run the migration again."
VERDICT = "the migration cannot run: rows hold data it cannot take (nothing was changed):"

ROW = "schemagen_row"
PARENT = "schemagen_parent"
COPIES = "schemagen_copies"
# Functions whose result changes from one call (or one moment) to the next.
TIME_FUNCTIONS = frozenset(
    {
        "now",
        "clock_timestamp",
        "statement_timestamp",
        "transaction_timestamp",
        "timeofday",
        "random",
        "gen_random_uuid",
        "nextval",
        "txid_current",
    }
)


def verdict() -> st.Verdict:
    """The last statement of the PRECHECK phase: stops when a check found rows."""
    return st.Verdict(quoting.literal(VERDICT), quoting.literal(HINT))


def _format_text(text: str) -> str:
    """Text for a format() pattern: a % in a name must not read as a placeholder."""
    return text.replace("%", "%%")


def old_name(ctx: Context, table: Name) -> Name:
    """The table's name before this migration's renames (the PRECHECK phase runs before them)."""
    return ctx.names.table.get(table, table)


def old_column(ctx: Context, table: Name, column: str) -> str:
    return ctx.names.column.get((table, column), column)


def _old_table(ctx: Context, table: Name) -> ir.Table | None:
    return ctx.old_tables.get(table)


def row_key(ctx: Context, table: ir.Table, *, before: bool, alias: str = "") -> tuple[str, str]:
    """(a text expression naming a row, the order to name them in): its primary key as it was, or where the row is
    stored."""
    old = _old_table(ctx, table.name) or table
    pk = next((c.columns for c in old.constraints if c.kind == "primary_key"), ())
    if not before and any(table.column(c) is None for c in pk):
        pk = ()  # a key column the migration drops
    prefix = f"{alias}." if alias else ""
    if not pk:
        return st.condition("named_by_place", prefix), f"{prefix}ctid"
    names = [old_column(ctx, table.name, c) if before else c for c in pk]
    columns = [prefix + quoting.ident(c) for c in names]
    shown = names[0] if len(names) == 1 else f"({', '.join(names)})"
    values = "%s" if len(names) == 1 else f"({', '.join('%s' for _ in names)})"
    return st.condition("named_by", quoting.literal(_format_text(shown) + "=" + values), columns), ", ".join(columns)


def _message(what: str) -> str:
    """The format() literal of a stop: `what` (with {rows}) and the rows named."""
    return quoting.literal(_format_text(what).replace("{rows}", "%s") + " (first: %s)")


def narrowing(ctx: Context, table: ir.Table, old: ir.Column, new: ir.Column, *, before: bool) -> st.Precheck | None:
    """Rows whose value of the column the new type cannot hold unchanged (`before`: named as PRECHECK sees them)."""
    labels = next((e.values for e in ctx.new.enums if e.name == new.enum), ())
    column = quoting.ident(old_column(ctx, table.name, old.name) if before else old.name)
    found = types.loss(old, new, column, labels)
    if found is None:
        return None
    name = old_name(ctx, table.name) if before else table.name
    key, order = row_key(ctx, table, before=before)
    what = (
        f"column {table.name.display}.{new.name}: {{rows}} row(s) hold a value that {new.sql_type} cannot hold "
        "unchanged"
    )
    kind = st.Precheck if before else st.Recheck
    return kind(name.q, found.condition, key, order, _message(what), quoting.literal(HINT))


def stop_narrowing(
    ctx: Context, out: Steps, table: ir.Table, old: ir.Column, new: ir.Column
) -> list[st.Precheck | st.LockTable]:
    """Adds the PRECHECK of a narrowing; returns what the main transaction must run again under the table's lock.

    Where PostgreSQL would cut or round a value without an error, a row written
    between the PRECHECK and the change must be caught too: the check runs
    again under the ACCESS EXCLUSIVE lock that the type change takes anyway.
    """
    first = narrowing(ctx, table, old, new, before=True)
    if first is None:
        return []
    out.stop_if(first, f"a value of {table.name.display}.{new.name} does not fit {new.sql_type}")
    found = types.loss(old, new, old.q)
    again = narrowing(ctx, table, old, new, before=False)
    if found is None or not found.silent or again is None:
        return []
    return [st.LockTable(table.name.q), again]


def nulls(ctx: Context, out: Steps, table: ir.Table, column: ir.Column) -> None:
    """Rows holding NULL in a column that becomes NOT NULL without a default to fill them."""
    key, order = row_key(ctx, table, before=True)
    what = (
        f"column {table.name.display}.{column.name} holds NULLs and has no default: fill them before making it "
        f"NOT NULL ({{rows}} row(s))"
    )
    condition = st.condition("is_null", quoting.ident(old_column(ctx, table.name, column.name)))
    view = st.Precheck(old_name(ctx, table.name).q, condition, key, order, _message(what), quoting.literal(HINT))
    out.stop_if(view, f"{table.name.display}.{column.name} holds NULL (it becomes NOT NULL, with no default)")


def _unchanged(ctx: Context, table: ir.Table, columns: Iterable[str], *, renamed_ok: bool) -> bool:
    """Whether the columns exist before the migration, with the same type (and name, unless `renamed_ok`)."""
    old = _old_table(ctx, table.name)
    if old is None:
        return False
    renamed = ctx.renamed_columns.get(table.name, frozenset())
    retyped = ctx.retyped.get(table.name, frozenset())
    for name in columns:
        before = old.column(name)
        if (
            before is None
            or name in retyped
            or (name in renamed and not renamed_ok)
            or before.enum in ctx.changed_enums
        ):
            return False
        now = table.column(name)
        if now is None or type_key(now) != type_key(before):
            return False
    return True


def _calls_unchanged(ctx: Context, *texts: str | None) -> bool:
    """Whether every spec function the expressions call exists before the migration, unchanged."""
    old: dict[str, set[ir.Function]] = {}  # by unqualified name: a call may be to any overload
    new: dict[str, set[ir.Function]] = {}
    for side, functions in ((old, ctx.old.functions), (new, ctx.new.functions)):
        for f in functions:
            side.setdefault(f.name.name, set()).add(f)
    for text in texts:
        for name in sqlparse.called_names(text) if text and "(" in text else ():
            if name in new and (old.get(name) != new[name] or any(f[0].name == name for f in ctx.replaced_functions)):
                return False
    return True


def changes_with_time(text: str) -> bool:
    """Whether an expression's result depends on when it runs (now(), CURRENT_DATE, random())."""
    return sqlparse.reads_clock(text) or not TIME_FUNCTIONS.isdisjoint(sqlparse.called_names(text))


def check(ctx: Context, out: Steps, table: ir.Table, con: ir.Constraint) -> None:
    """Rows that a CHECK constraint added by the migration refuses."""
    assert con.check is not None
    if not (
        _unchanged(ctx, table, sqlparse.column_names(con.check), renamed_ok=False) and _calls_unchanged(ctx, con.check)
    ):
        return
    key, order = row_key(ctx, table, before=True)
    # the expression may name the table
    relation = st.condition("aliased", old_name(ctx, table.name).q, quoting.ident(table.name.name))
    what = f"{{rows}} row(s) of {table.name.display} violate CHECK {con.name} ({con.check})"
    view = st.Precheck(relation, st.condition("violates", con.check), key, order, _message(what), quoting.literal(HINT))
    summary = f"a row of {table.name.display} fails CHECK {con.name} ({con.check})"
    if changes_with_time(con.check):
        summary += ": it depends on the time, so rows that passed it once can fail it now"
    out.stop_if(view, summary)


def foreign_key(ctx: Context, out: Steps, table: ir.Table, fk: ir.Constraint) -> None:
    """Rows whose key has no row in the referenced table."""
    assert fk.ref_table is not None
    parent = ctx.new_tables.get(fk.ref_table)
    if parent is None or not (
        _unchanged(ctx, table, fk.columns, renamed_ok=True) and _unchanged(ctx, parent, fk.ref_columns, renamed_ok=True)
    ):
        return
    child = [f"{ROW}.{quoting.ident(old_column(ctx, table.name, c))}" for c in fk.columns]
    ref = [f"{PARENT}.{quoting.ident(old_column(ctx, parent.name, c))}" for c in fk.ref_columns]
    matches = [st.condition("equal", r, c) for r, c in zip(ref, child, strict=True)]
    condition = st.condition("orphan", child, old_name(ctx, parent.name).q, PARENT, matches)
    key, order = row_key(ctx, table, before=True, alias=ROW)
    what = (
        f"{{rows}} row(s) of {table.name.display} have ({', '.join(fk.columns)}) with no row in "
        f"{parent.name.display} (foreign key {fk.name})"
    )
    view = st.Precheck(
        st.condition("aliased", old_name(ctx, table.name).q, ROW),
        condition,
        key,
        order,
        _message(what),
        quoting.literal(HINT),
    )
    out.stop_if(view, f"a row of {table.name.display} has no row in {parent.name.display} for foreign key {fk.name}")


def duplicates(
    ctx: Context,
    out: Steps,
    table: ir.Table,
    name: str,
    elements: tuple[ir.IndexElement, ...],
    where: str | None = None,
    nulls_not_distinct: bool = False,
) -> None:
    """Values that occur more than once under a unique index or key added by the migration (NULLs too, where the
    index counts them as equal: GROUP BY does)."""
    expressions = [e.expression for e in elements if e.expression]
    plain = [e.column for e in elements if e.column]
    if not (
        _unchanged(ctx, table, plain, renamed_ok=True)
        and _unchanged(
            ctx, table, frozenset().union(*map(sqlparse.column_names, [*expressions, where])), renamed_ok=False
        )
    ):
        return
    if not _calls_unchanged(ctx, where, *expressions):
        return
    values = [
        quoting.ident(old_column(ctx, table.name, e.column)) if e.column else f"({e.expression})" for e in elements
    ]
    keys = [f"schemagen_key{i}" for i in range(1, len(values) + 1)]
    filters = [] if nulls_not_distinct else [st.condition("is_not_null", v) for v in values]
    filters += [f"({where})"] if where else []
    relation = st.condition(
        "duplicates",
        list(zip(values, keys, strict=True)),
        values,
        COPIES,
        old_name(ctx, table.name).q,
        quoting.ident(table.name.name),
        filters,
    )
    shown = ", ".join(e.column or e.expression or "" for e in elements)
    pattern = f"({_format_text(shown)})=({', '.join('%s' for _ in keys)}) %s times"
    key = st.condition("named_by", quoting.literal(pattern), [*keys, COPIES])
    what = f"{table.name.display}: {{rows}} value(s) of ({shown}) occur more than once, which unique {name} refuses"
    view = st.Precheck(relation, "true", key, ", ".join(keys), _message(what), quoting.literal(HINT))
    out.stop_if(view, f"a value of ({shown}) occurs more than once in {table.name.display} (unique {name})")


def conflicts(ctx: Context, out: Steps, table: ir.Table, con: ir.Constraint) -> None:
    """Pairs of rows an exclusion constraint added by the migration would refuse (every comparison true, among the
    rows its WHERE keeps), named by their keys, each pair once."""
    elements = [e.key for e in con.exclusion]
    expressions = [e.expression for e in elements if e.expression]
    plain = [e.column for e in elements if e.column]
    if not (
        _unchanged(ctx, table, plain, renamed_ok=True)
        and _unchanged(
            ctx, table, frozenset().union(*map(sqlparse.column_names, [*expressions, con.where])), renamed_ok=False
        )
    ):
        return
    if not _calls_unchanged(ctx, con.where, *expressions):
        return
    items = [
        (
            quoting.ident(old_column(ctx, table.name, e.key.column)) if e.key.column else f"({e.key.expression})",
            f"schemagen_key{i}",
            e.operator,
        )
        for i, e in enumerate(con.exclusion, start=1)
    ]
    named, _order = row_key(ctx, table, before=True)
    relation = st.condition("conflicts", named, items, old_name(ctx, table.name).q, con.where)
    key = st.condition("conflict_named", "schemagen_row", "schemagen_other")
    what = f"{table.name.display}: {{rows}} pair(s) of rows conflict under exclusion constraint {con.name}"
    view = st.Precheck(relation, "true", key, "schemagen_row, schemagen_other", _message(what), quoting.literal(HINT))
    out.stop_if(view, f"rows of {table.name.display} conflict under exclusion constraint {con.name}")


def enum_values(ctx: Context, out: Steps, enum: Name, removed: list[str]) -> None:
    """Rows holding a value that the rebuilt enum no longer has."""
    if not removed:
        return
    literals = ", ".join(quoting.literal(ctx.names.value.get((enum, v), v)) for v in removed)
    for table in ctx.old.tables:
        kept = ctx.new_tables.get(table.name)
        for column in table.columns:
            after = kept.column(column.name) if kept else None
            if column.enum != enum or after is None or after.enum != enum:
                continue  # a column the migration drops takes its values with it
            name = quoting.ident(old_column(ctx, table.name, column.name))
            condition = st.condition("holds_label_in_array" if column.array_dims else "holds_label", name, literals)
            key, order = row_key(ctx, table, before=True)
            what = (
                f"{{rows}} row(s) of {table.name.display} hold {', '.join(removed)} in {column.name}, which "
                f"enum {enum.display} no longer has"
            )
            view = st.Precheck(
                old_name(ctx, table.name).q, condition, key, order, _message(what), quoting.literal(HINT)
            )
            out.stop_if(
                view,
                f"a row of {table.name.display} holds {', '.join(removed)} in {column.name} (removed from "
                f"enum {enum.display})",
            )
