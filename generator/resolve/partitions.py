"""A table's partitioning: its key, and its range partitions' bounds ordered as PostgreSQL orders them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from .. import errors, ir
from ..ir import Name
from ..pg import bounds, quoting
from ..spec import model
from . import listparts, timeparts
from .registry import Claim
from .report import Report, Where, ident


@dataclass(frozen=True)
class Layout:
    by: str | None = None  # "RANGE", ...
    key: tuple[str, ...] = ()
    partitions: tuple[ir.Partition, ...] = ()
    claims: tuple[Claim, ...] = ()  # the names the partitions take
    names: tuple[Name, ...] = ()  # every partition written, resolved or not (a grant may name one)
    time_partitions: ir.TimePartitions | None = None  # declared time partitioning (timeparts.py)


def partitioning(
    name: Name,
    t: model.Table,
    columns: list[ir.Column],
    constraints: list[ir.Constraint],
    report: Report,
    where: Where,
) -> Layout:
    at = where.at
    p = t.partitioning
    if p is None:
        return Layout()
    by_name = {c.name: c for c in columns}
    key = tuple(p.key)
    for i, col in enumerate(key):
        if col not in t.columns:
            report.error(
                at("partitioning", "key", i),
                errors.PARTITION,
                f'partition key column "{col}" is not a column of {name.display}',
            )
            return Layout()
    for con in constraints:
        if con.kind in ("primary_key", "unique") and not set(key) <= set(con.columns):
            report.error(
                at("partitioning", "key"),
                errors.PARTITION,
                f'{con.kind.replace("_", " ")} "{con.name}" must include the partition key '
                f"({', '.join(key)}): PostgreSQL enforces uniqueness per partition",
            )
    if p.by != "range":  # K3 list and hash partitioning (listparts.py)
        report.origin(("partitioning", name), at("partitioning"), t.lint, where)
        listed = listparts.partitions(name, p, key, by_name, report, where)
        return Layout(p.by.upper(), key, *listed)
    if len(key) != 1 and p.partitions:
        report.error(
            at("partitioning", "key"),
            errors.PARTITION,
            "partitions with a multi-column range key are not supported yet",
        )
        return Layout(p.by.upper(), key)
    key_col = by_name.get(key[0])
    kind = bounds.kind_of(key_col.base if key_col else "")
    parts: list[ir.Partition] = []
    claims: list[Claim] = []
    written_names: list[Name] = []
    ranges: list[tuple[bounds.Bound, bounds.Bound, str, Where]] = []
    written: list[tuple[bounds.Bound, str]] = []  # every bound so far, with its text
    default: str | None = None
    report.origin(("partitioning", name), at("partitioning"), t.lint, where)
    for pname, part in p.partitions.items():
        pw = at("partitioning", "partitions", pname)
        pn = Name(name.schema, pname)
        written_names.append(pn)
        report.origin(("partition", pn), pw, part.lint)
        ident(report, pname, pw, "partition name")
        claims += (Claim("relation", pn, pw, "partition"), Claim("type", pn, pw, "partition"))
        if part.default:
            if _default_partition(name, pname, part, default, report, pw):
                parts.append(ir.Partition(pn, "", "", part.comment, is_default=True))
            default = default or pname
            continue
        assert part.from_ is not None and part.to is not None  # spec.Partition requires them of a range partition
        lo = _bound(part.from_, kind, report, pw.at("from"))
        hi = _bound(part.to, kind, report, pw.at("to"))
        if lo is None or hi is None:
            continue
        if not _same_zone(written, (lo, part.from_), (hi, part.to), column=key[0], report=report, where=pw):
            continue
        if bounds.key(lo) >= bounds.key(hi):
            report.error(
                pw,
                errors.PARTITION,
                f'partition "{pname}" is empty: "from" ({part.from_}) must be below "to" ({part.to})',
                key=True,
            )
            continue
        ranges.append((lo, hi, pname, pw))
        parts.append(ir.Partition(pn, _bound_sql(part.from_), _bound_sql(part.to), part.comment))
    ranges.sort(key=lambda r: bounds.key(r[0]))
    for (_lo1, hi1, n1, _w1), (lo2, _hi2, n2, w2) in itertools.pairwise(ranges):
        if bounds.key(lo2) < bounds.key(hi1):
            report.error(w2, errors.PARTITION, f'partition "{n2}" overlaps partition "{n1}"', key=True)
    rule = timeparts.rule(name, p, key, key_col.base if key_col else None, report, where)
    if rule is not None and p.default and default is None:
        pn = Name(name.schema, f"{name.name}_default")
        parts.append(ir.Partition(pn, "", "", is_default=True))
        claims += (Claim("relation", pn, at("partitioning", "default"), "partition"),)
        claims += (Claim("type", pn, at("partitioning", "default"), "partition"),)
        report.origin(("partition", pn), at("partitioning", "default"))
    return Layout(p.by.upper(), key, tuple(parts), tuple(claims), tuple(written_names), rule)


def _default_partition(
    table: Name, pname: str, part: model.Partition, first: str | None, report: Report, where: Where
) -> bool:
    """Checks a `default: true` partition; True when it is the table's one and only, and has no bounds."""
    ok = True
    for key, value in (("from", part.from_), ("to", part.to)):
        if value is not None:
            report.error(
                where.at(key),
                errors.PARTITION,
                f'partition "{pname}" is the default partition: it takes the rows outside every range '
                f'and has no "{key}"',
                key=True,
            )
            ok = False
    if first is not None:
        report.error(
            where.at("default"),
            errors.PARTITION,
            f'partition "{pname}" is a second default partition of {table.display} (the first is '
            f'"{first}"): a table has at most one',
            key=True,
        )
        ok = False
    return ok


def _bound(text: str, kind: str, report: Report, where: Where) -> bounds.Bound | None:
    try:
        return bounds.value(text, kind)
    except bounds.BadBound as exc:
        report.error(where, errors.PARTITION, f'partition bound "{text}" {exc.why or f"is not a valid {kind} value"}')
        return None


def _same_zone(
    seen: list[tuple[bounds.Bound, str]], *new: tuple[bounds.Bound, str], column: str, report: Report, where: Where
) -> bool:
    """False (and E050) when timestamptz bounds mix text with and without a UTC offset: their order would depend on
    the session's TimeZone."""
    for b, text in new:
        other = next((t for o, t in seen if not bounds.comparable(o, b)), None)
        if other is not None:
            with_offset, without = (other, text) if b.local else (text, other)
            report.error(
                where,
                errors.PARTITION,
                f'partition bound "{without}" of {column} (timestamptz) has no UTC offset while '
                f'"{with_offset}" has one: PostgreSQL reads the first in the session\'s TimeZone, so '
                "whether they overlap depends on where the migration runs; write every bound with an "
                'offset (e.g. "2026-01-01 00:00:00+00"), or none',
                key=True,
            )
            return False
        seen.append((b, text))
    return True


def _bound_sql(text: str) -> str:
    upper = text.strip().upper()
    return upper if upper in ("MINVALUE", "MAXVALUE") else quoting.literal(text.strip())
