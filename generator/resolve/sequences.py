"""Sequences: those of `sequences:`, with their options as PostgreSQL stores them and their OWNED BY, and the
sequences that DEFAULT nextval('...') names, which must be known ones.

The sequences of serial columns are made with their table (tables.py: `serial_sequence`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from .. import errors, ir
from ..ir import Name, names
from ..pg import datatypes, quoting, sqlparse
from ..spec import model
from ..spec.loader import LoadedFile
from .registry import Claim, Entry, Registry
from .report import Report, Where, qualified

# The type of a sequence's values: its spelling -> pg.datatypes' key.
TYPES = {"smallint": "int2", "integer": "int4", "bigint": "int8"}


def collect(files: list[LoadedFile], report: Report) -> tuple[dict[Name, Entry[model.Sequence]], list[Claim]]:
    """Every entry of `sequences:`, by name, and the names they take."""
    found: dict[Name, Entry[model.Sequence]] = {}
    claims: list[Claim] = []
    for f in files:
        at = Where(f.pos, ()).at
        for key, spec in f.spec.sequences.items():
            where = at("sequences", key)
            name = qualified(report, key, where, "sequence")
            claims.append(Claim("relation", name, where, "sequence"))
            found.setdefault(name, Entry(spec, where, f.module))
            report.origin(("sequence", name), where)
    holder = next((f for f in files if f.spec.sequences), None)
    if holder is not None:  # where a refusal about a sequence no longer in the spec goes
        report.origin(("section", "sequences"), Where(holder.pos, ("sequences",)))
    return found, claims


def sequence(name: Name, entry: Entry[model.Sequence], registry: Registry, report: Report) -> ir.Sequence | None:
    """The sequence with every option PostgreSQL would store, or None (reported)."""
    s, where = entry.spec, entry.where
    if name.schema not in registry.schemas:
        report.error(where, errors.UNKNOWN_SCHEMA, f'unknown schema "{name.schema}"', key=True)
        return None
    lo, hi = datatypes.INTEGER_RANGE[TYPES[s.as_]]
    if s.increment == 0:
        report.error(where.at("increment"), errors.SPEC_INVALID, "INCREMENT must not be zero")
        return None
    up = s.increment > 0
    least = s.min if s.min is not None else (1 if up else lo)
    greatest = s.max if s.max is not None else (hi if up else -1)
    start = s.start if s.start is not None else (least if up else greatest)
    ok = True
    for key, value in (("min", least), ("max", greatest)):
        if not lo <= value <= hi:
            report.error(where.at(key), errors.SPEC_INVALID, f"{key} {value} is out of range for type {s.as_}")
            ok = False
    if ok and least >= greatest:
        report.error(where.at("min"), errors.SPEC_INVALID, f"min ({least}) must be less than max ({greatest})")
        ok = False
    if ok and not least <= start <= greatest:
        report.error(
            where.at("start"),
            errors.SPEC_INVALID,
            f"start ({start}) must lie between min ({least}) and max ({greatest})",
        )
        ok = False
    owner = _owner(name, s.owned_by, registry, report, where.at("owned_by")) if s.owned_by is not None else None
    if not ok or (s.owned_by is not None and owner is None):
        return None
    return ir.Sequence(
        name,
        entry.module,
        s.as_,
        start,
        s.increment,
        least,
        greatest,
        s.cache,
        s.cycle,
        owner[0] if owner else None,
        owner[1] if owner else None,
        s.comment,
    )


def _owner(name: Name, text: str, registry: Registry, report: Report, where: Where) -> tuple[Name, str] | None:
    """The column `table.column` (`schema.table.column`) a sequence is OWNED BY; None when it is wrong (reported)."""
    table_text, _, column = text.rpartition(".")
    if not table_text:
        report.error(where, errors.SPEC_INVALID, f'owned_by "{text}" must be `table.column`')
        return None
    table = names.split(table_text)
    entry = registry.tables.get(table)
    if entry is None:
        report.error(where, errors.UNKNOWN_TABLE, f'unknown table "{table_text}" in owned_by')
        return None
    if column not in entry.spec.columns:
        report.error(where, errors.UNKNOWN_COLUMN, f'unknown column "{column}" in table {table.display}')
        return None
    if table.schema != name.schema:
        report.error(
            where,
            errors.SPEC_INVALID,
            f"sequence {name.display} must be in the schema of the table it is owned by ({table.schema})",
        )
        return None
    return table, column


def serial_sequence(table: Name, column: str, integer: str, module: str) -> ir.Sequence:
    """The sequence PostgreSQL makes for a serial column: `<table>_<column>_seq`, of the column's type,
    OWNED BY it."""
    name = Name(table.schema, names.make_object_name(table.name, column, "seq"))
    sql = datatypes.BASE_TYPES[integer].sql
    _lo, hi = datatypes.INTEGER_RANGE[integer]
    return ir.Sequence(name, module, sql, 1, 1, 1, hi, owner=table, owner_column=column, serial=True)


def nextval(seq: Name) -> str:
    """A serial column's default, as PostgreSQL prints it with an empty search_path."""
    return f"nextval({quoting.literal(seq.q)}::regclass)"


def check_uses(uses: Iterable[tuple[str, Where]], known: Collection[Name], report: Report) -> None:
    """Each sequence a DEFAULT names in nextval('...') must be one the spec makes (an unqualified name is
    looked up in public, as the default search_path does)."""
    for text, where in uses:
        for ref in sqlparse.sequence_refs(text):
            if Name(ref.schema or "public", ref.name) not in known:
                report.error_in_fragment(
                    where,
                    ref.offset,
                    errors.UNKNOWN_TABLE,
                    f'unknown sequence "{ref.name if ref.schema is None else ref.schema + "." + ref.name}" '
                    "(declare it under `sequences:`, or use a serial column)",
                )


def all_sequences(
    declared: Mapping[Name, ir.Sequence | None], serials: Iterable[ir.Sequence]
) -> tuple[ir.Sequence, ...]:
    return tuple(s for s in declared.values() if s is not None) + tuple(serials)
