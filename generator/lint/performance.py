"""Performance rules: per-row calls in policies, foreign keys without an index, redundant indexes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from .. import ir
from ..spec.origins import Key
from . import sqlfacts
from .context import Context
from .findings import INFO, WARNING, Finding
from .registry import rule


@rule(
    "P201",
    "auth-function-per-row",
    WARNING,
    why="A policy that calls auth.uid(), auth.jwt() or current_setting() directly makes PostgreSQL call it for "
    "every row it checks; wrapped as `(select auth.uid())` it runs once per statement (splinter 0003).",
    hint="wrap each call in a sub-select: `(select auth.uid())`",
)
def per_row_calls(ctx: Context) -> Iterator[Finding]:
    for t in ctx.with_policies:  # storage policies too
        for p in t.policies:
            calls = [
                (clause, call)
                for clause, text in (("using", p.using), ("check", p.check))
                if text is not None
                for call in sqlfacts.per_row_calls(text)
            ]
            if not calls:
                continue
            names = sorted({name for _, (name, _offset) in calls})
            clauses = " and ".join(dict.fromkeys("USING" if clause == "using" else "WITH CHECK" for clause, _ in calls))
            clause, (_name, first) = calls[0]
            yield ctx.finding(
                "P201",
                ("policy", t.name, p.name),
                f"{t.name}.{p.name}",
                f"policy calls {', '.join(names)} once per row in {clauses}",
                at=(f"policy_{clause}", t.name, p.name),
                offset=first,
                hint="wrap each call in a sub-select: "
                + ", ".join(
                    f"`(select {n.replace('()', '(...)') if n.startswith('current_setting') else n})`" for n in names
                ),
            )


@rule(
    "P202",
    "unindexed-foreign-key",
    WARNING,
    why="Deleting or re-keying a referenced row makes PostgreSQL look up the referencing rows; with no index "
    "leading with the foreign key's columns that is a scan of the whole table, and with ON DELETE CASCADE "
    "/ SET NULL every such delete pays it (splinter 0001).",
    hint="add an index whose leading columns are the foreign key's columns",
)
def unindexed_foreign_keys(ctx: Context) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        for fk in t.foreign_keys:
            if _covered(t, fk.columns):
                continue
            assert fk.ref_table is not None
            cols = ", ".join(fk.columns)
            action = (fk.on_delete or "no action").upper()
            writes = action in ("CASCADE", "SET NULL", "SET DEFAULT")
            effect = (
                f"ON DELETE {action} makes every delete from {fk.ref_table} scan {t.name} and write to it"
                if writes
                else f"every delete from {fk.ref_table} scans {t.name} to check for references"
            )
            yield ctx.finding(
                "P202",
                ("constraint", t.name, fk.name),
                f"{t.name}.{fk.name}",
                f"foreign key ({cols}) to {fk.ref_table}({', '.join(fk.ref_columns)}) has no index leading "
                f"with its columns; {effect}",
                severity=WARNING if writes else INFO,
            )


def _covered(t: ir.Table, columns: tuple[str, ...]) -> bool:
    wanted = set(columns)
    candidates: list[tuple[str | None, ...]] = [c.columns for c in t.constraints if c.kind in ("primary_key", "unique")]
    for ix in t.indexes:
        if ix.method not in ("btree", "hash"):
            continue
        if ix.where is not None:  # usable only when the lookup's `col = $1` implies the predicate
            implied = sqlfacts.not_null_columns(ix.where)
            if implied is None or not implied <= wanted:
                continue
        candidates.append(tuple(e.column for e in ix.elements))
    return any(set(c[: len(columns)]) == wanted for c in candidates)


@dataclass(frozen=True)
class _Index:
    """An index, or the index behind a PRIMARY KEY / UNIQUE constraint, as far as redundancy goes."""

    key: Key
    obj: str
    label: str
    keep: tuple[int, int]  # lower is kept: constraints, then unique indexes, then spec order
    method: str
    elements: tuple[tuple[str, bool, bool], ...]  # (column or canonical expression, descending, nulls first)
    where: str | None
    include: tuple[str, ...]
    unique: bool
    plain: bool  # every element is a column, none an expression

    @property
    def signature(self) -> tuple[object, ...]:
        elements = self.elements
        if self.method == "btree":  # a B-tree scans backwards as well: (a DESC) is (a)
            flipped = tuple((e, not d, not n) for e, d, n in elements)
            elements = min(elements, flipped)
        return (self.method, elements, self.where, self.include)

    @property
    def plain_columns(self) -> tuple[str, ...] | None:
        return tuple(e for e, _d, _n in self.elements) if self.plain else None

    @property
    def columns_sql(self) -> str:
        nulls = {(False, True): " NULLS FIRST", (True, False): " NULLS LAST"}
        return ", ".join(e + (" DESC" if d else "") + nulls.get((d, n), "") for e, d, n in self.elements)


def _key_options(e: ir.IndexElement) -> str:
    """A key's collation and operator class: (b text_pattern_ops) is another index than (b)."""
    collation = f" COLLATE {e.collation}" if e.collation else ""
    params = f" ({', '.join(f'{n}={v}' for n, v in e.opclass_params)})" if e.opclass_params else ""
    return collation + (f" {e.opclass}" if e.opclass else "") + params


def _indexes(ctx: Context, t: ir.Table) -> list[_Index]:
    cached = ctx.memo.get(("indexes", t.name))
    if cached is not None:
        return cast("list[_Index]", cached)  # memo holds what this function stored under its key
    result = []
    for i, c in enumerate(t.constraints):
        if c.kind in ("primary_key", "unique"):
            what = "PRIMARY KEY" if c.kind == "primary_key" else "UNIQUE constraint"
            elements = tuple((col, False, False) for col in c.columns)
            result.append(
                _Index(
                    ("constraint", t.name, c.name),
                    f"{t.name}.{c.name}",
                    f"the index of {what} {c.name}",
                    (0, i),
                    "btree",
                    elements,
                    None,
                    (),
                    True,
                    True,
                )
            )
    for i, ix in enumerate(t.indexes):
        elements = tuple(
            (
                (e.column if e.column is not None else f"({sqlfacts.canonical(e.expression or '')})") + _key_options(e),
                e.descending,
                e.nulls == "first" if e.nulls else e.descending,
            )
            for e in ix.elements
        )
        where = sqlfacts.canonical(ix.where) if ix.where is not None else None
        result.append(
            _Index(
                ("index", ix.name),
                str(ix.name),
                f"index {ix.name.name}",
                (1 if ix.unique else 2, i),
                ix.method,
                elements,
                where,
                ix.include,
                ix.unique,
                all(e.column is not None and not _key_options(e) for e in ix.elements),
            )
        )
    ctx.memo[("indexes", t.name)] = result
    return result


@rule(
    "P203",
    "duplicate-index",
    WARNING,
    why="An index with the same columns, method and predicate as another index, or as the index behind a "
    "primary key or UNIQUE constraint, in the same order or all reversed (a B-tree reads both ways), "
    "serves no query the other does not, yet every write maintains both (splinter 0009).",
    hint="drop the duplicate index",
)
def duplicate_indexes(ctx: Context) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        groups: dict[tuple[object, ...], list[_Index]] = {}
        for ix in _indexes(ctx, t):
            groups.setdefault(ix.signature, []).append(ix)
        for same in groups.values():
            kept, *extra = sorted(same, key=lambda x: x.keep)
            for ix in extra:
                yield ctx.finding("P203", ix.key, ix.obj, f"({ix.columns_sql}) duplicates {kept.label}")


@rule(
    "P204",
    "partial-index-under-unique",
    WARNING,
    why="A partial index on the same columns as a full unique index holds a subset of that index's rows: the "
    "unique index already finds every row the partial one could, and writes maintain both.",
    hint="drop the partial index (the unique index serves the same lookups)",
)
def partial_under_unique(ctx: Context) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        indexes = _indexes(ctx, t)
        full_unique = [u for u in indexes if u.unique and u.where is None and u.plain_columns is not None]
        for ix in indexes:
            if ix.where is None or ix.include or ix.plain_columns is None:
                continue
            for u in full_unique:
                if set(u.plain_columns or ()) == set(ix.plain_columns):
                    yield ctx.finding(
                        "P204",
                        ix.key,
                        ix.obj,
                        f"partial index ({ix.columns_sql}) WHERE {ix.where} holds a subset of the rows of "
                        f"{u.label}, on the same columns",
                    )
                    break
