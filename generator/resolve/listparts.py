"""List and hash partitions (`partitioning: {by: list | hash}`): their values, moduli and remainders, checked as
PostgreSQL checks them when the partition is created, at build time and at their place in the spec.

A list partition's values are read by the key column's type (pg/bounds.py: `'01'` and `1` are one integer) and
written as quoted literals (`null` is NULL); two partitions holding one value overlap. A hash partition's modulus and
remainder: the remainder below the modulus, every modulus a factor of the next larger one (PostgreSQL's rule), and
two partitions overlap when one's remainder, taken modulo the other's smaller modulus, is the other's remainder. A
hash-partitioned table has no DEFAULT partition.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import errors, ir
from ..ir import Name
from ..pg import bounds, quoting
from ..spec import model
from .registry import Claim
from .report import Report, Where, ident

NULL = "NULL"


def partitions(
    table: Name,
    p: model.Partitioning,
    key: tuple[str, ...],
    columns: Mapping[str, ir.Column],
    report: Report,
    where: Where,
) -> tuple[tuple[ir.Partition, ...], tuple[Claim, ...], tuple[Name, ...]]:
    at = where.at
    if p.interval is not None or p.start is not None or p.default:
        report.error(
            at("partitioning", "by"),
            errors.PARTITION,
            f"time partitions (interval, start, default) are range partitions; {table.display} is partitioned "
            f"by {p.by}",
        )
    if p.by == "list" and len(key) != 1:
        report.error(at("partitioning", "key"), errors.PARTITION, "a list partitioning has exactly one key column")
        return (), (), ()
    column = columns.get(key[0])
    kind = bounds.kind_of(column.base if column else "")
    parts: list[ir.Partition] = []
    claims: list[Claim] = []
    names: list[Name] = []
    seen: dict[object, str] = {}  # a list value (typed) -> the partition that holds it
    hashes: list[tuple[int, int, str]] = []
    default: str | None = None
    for pname, part in p.partitions.items():
        pw = at("partitioning", "partitions", pname)
        pn = Name(table.schema, pname)
        names.append(pn)
        report.origin(("partition", pn), pw, part.lint)
        ident(report, pname, pw, "partition name")
        claims += [Claim("relation", pn, pw, "partition"), Claim("type", pn, pw, "partition")]
        for field in ("from", "to"):
            if getattr(part, "from_" if field == "from" else field) is not None:
                report.error(
                    pw.at(field),
                    errors.PARTITION,
                    f'partition "{pname}" of a {p.by} partitioning has no "{field}" (range partitions have)',
                    key=True,
                )
        if part.default:
            if p.by == "hash":
                report.error(
                    pw.at("default"), errors.PARTITION, "a hash-partitioned table has no DEFAULT partition", key=True
                )
            elif default is not None:
                report.error(
                    pw.at("default"),
                    errors.PARTITION,
                    f'partition "{pname}" is a second default partition of {table.display} (the first is '
                    f'"{default}"): a table has at most one',
                    key=True,
                )
            elif part.values is not None:
                report.error(
                    pw.at("values"), errors.PARTITION, f'the default partition "{pname}" has no values', key=True
                )
            else:
                default = pname
                parts.append(ir.Partition(pn, "", "", part.comment, is_default=True))
            continue
        if p.by == "list":
            listed = _values(pname, part, kind, key[0], seen, report, pw)
            if listed:
                parts.append(ir.Partition(pn, "", "", part.comment, values=listed))
        else:
            modulus = _hash(pname, part, hashes, report, pw)
            if modulus is not None:
                parts.append(ir.Partition(pn, "", "", part.comment, modulus=modulus[0], remainder=modulus[1]))
    return tuple(parts), tuple(claims), tuple(names)


def _values(
    pname: str, part: model.Partition, kind: str, key: str, seen: dict[object, str], report: Report, where: Where
) -> tuple[str, ...]:
    if part.modulus is not None or part.remainder is not None:
        report.error(where, errors.PARTITION, f'partition "{pname}" of a list partitioning has no modulus', key=True)
    if part.values is None:
        report.error(where, errors.PARTITION, f'list partition "{pname}" needs `values` (or `default: true`)', key=True)
        return ()
    literals: list[str] = []
    for i, text in enumerate(part.values):
        vw = where.at("values", i)
        if text is None:
            typed: object = None
        else:
            try:
                b = bounds.value(text, kind)
            except bounds.BadBound as exc:
                report.error(
                    vw, errors.PARTITION, f'partition value "{text}" {exc.why or f"is not a valid {kind} value"}'
                )
                continue
            if b.rank != 1:
                report.error(vw, errors.PARTITION, f'partition value "{text}" is not a value of {key}')
                continue
            typed = bounds.key(b)
        other = seen.get(typed)
        if other is not None:
            shown = "NULL" if text is None else text
            again = "twice" if other == pname else f'in partition "{other}" too'
            report.error(
                vw, errors.PARTITION, f'partition "{pname}" lists {key} = {shown} {again}: a value has one partition'
            )
            continue
        seen[typed] = pname
        literals.append(NULL if text is None else quoting.literal(text.strip()))
    return tuple(literals) if len(literals) == len(part.values) else ()


def _hash(
    pname: str, part: model.Partition, seen: list[tuple[int, int, str]], report: Report, where: Where
) -> tuple[int, int] | None:
    if part.values is not None:
        report.error(
            where.at("values"), errors.PARTITION, f'partition "{pname}" of a hash partitioning has no values', key=True
        )
        return None
    if part.modulus is None or part.remainder is None:
        report.error(where, errors.PARTITION, f'hash partition "{pname}" needs `modulus` and `remainder`', key=True)
        return None
    m, r = part.modulus, part.remainder
    if r >= m:
        report.error(where.at("remainder"), errors.PARTITION, f"remainder {r} must be below the modulus {m}")
        return None
    for m2, r2, other in seen:
        small, big = sorted((m, m2))
        if big % small:
            report.error(
                where.at("modulus"),
                errors.PARTITION,
                f'modulus {m} of partition "{pname}" and modulus {m2} of partition "{other}": every modulus must be '
                "a factor of the next larger one (PostgreSQL's rule)",
            )
            return None
        if (r if m == big else r2) % small == (r2 if m == big else r):
            report.error(
                where,
                errors.PARTITION,
                f'partition "{pname}" (modulus {m}, remainder {r}) overlaps partition "{other}" (modulus {m2}, '
                f"remainder {r2})",
                key=True,
            )
            return None
    seen.append((m, r, pname))
    return m, r


def check_labels(
    table: Name,
    p: model.Partitioning,
    key: ir.Column | None,
    enums: Mapping[Name, ir.Enum],
    report: Report,
    where: Where,
) -> None:
    """Each value of a list partitioning on an enum column is one of its labels (PostgreSQL refuses the partition
    otherwise)."""
    enum = enums.get(key.enum) if key is not None and key.enum is not None and p.by == "list" else None
    if enum is None:
        return
    for pname, part in p.partitions.items():
        for i, value in enumerate(part.values or ()):
            if value is not None and value.strip() not in enum.values:
                report.error(
                    where.at("partitioning", "partitions", pname, "values", i),
                    errors.PARTITION,
                    f'partition value "{value}" is not a label of enum {enum.name.display} ({", ".join(enum.values)})',
                )
