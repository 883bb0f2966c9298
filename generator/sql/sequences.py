"""The views of sequences for the templates (sequence.sql.j2, sequence_owner.sql.j2, diff/alter_sequence.sql.j2).

A sequence's IR holds every option as PostgreSQL stores it; CREATE SEQUENCE writes only those that differ from
what PostgreSQL would choose (the migration reads like the spec), ALTER SEQUENCE only those that change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .. import ir
from ..pg import datatypes, quoting

_KEYS = {"smallint": "int2", "integer": "int4", "bigint": "int8"}


@dataclass(frozen=True)
class Options:
    """Options of CREATE / ALTER SEQUENCE; None: not written."""

    data_type: str | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    start: int | None = None
    cache: int | None = None
    cycle: bool | None = None


def defaults(data_type: str, increment: int) -> tuple[int, int]:
    """PostgreSQL's MINVALUE and MAXVALUE for a sequence of `data_type` stepping by `increment`."""
    lo, hi = datatypes.INTEGER_RANGE[_KEYS[data_type]]
    return (1, hi) if increment > 0 else (lo, -1)


def created(s: ir.Sequence) -> Options:
    """What CREATE SEQUENCE must say: the options PostgreSQL would not choose by itself."""
    least, greatest = defaults(s.data_type, s.increment)
    minimum = None if s.min_value == least else s.min_value
    maximum = None if s.max_value == greatest else s.max_value
    first = s.min_value if s.increment > 0 else s.max_value
    return Options(
        None if s.data_type == "bigint" else s.data_type,
        None if s.increment == 1 else s.increment,
        minimum,
        maximum,
        None if s.start == first else s.start,
        None if s.cache == 1 else s.cache,
        True if s.cycle else None,
    )


def altered(old: ir.Sequence, new: ir.Sequence) -> Options:
    """What ALTER SEQUENCE must say to make `old` into `new` (its current value stays: no RESTART).

    MINVALUE and MAXVALUE are written whenever the type changes too: PostgreSQL would otherwise keep a bound
    the new type cannot hold."""
    retyped = old.data_type != new.data_type
    return Options(
        new.data_type if retyped else None,
        new.increment if new.increment != old.increment else None,
        new.min_value if retyped or new.min_value != old.min_value else None,
        new.max_value if retyped or new.max_value != old.max_value else None,
        new.start if new.start != old.start else None,
        new.cache if new.cache != old.cache else None,
        new.cycle if new.cycle != old.cycle else None,
    )


@dataclass(frozen=True)
class SequenceView:
    sequence: ir.Sequence

    @property
    def name(self) -> str:
        return self.sequence.name.q

    @property
    def options(self) -> Options:
        return created(self.sequence)


@dataclass(frozen=True)
class OwnerView:
    """ALTER SEQUENCE ... OWNED BY table.column (NONE when `column` is None)."""

    name: str
    table: str | None
    column: str | None
    template: ClassVar[str] = "sequence_owner"

    @classmethod
    def of(cls, s: ir.Sequence) -> OwnerView:
        table = s.owner.q if s.owner is not None else None
        return cls(s.name.q, table, None if s.owner_column is None else quoting.ident(s.owner_column))


@dataclass(frozen=True)
class AlterSequence:
    name: str
    options: Options
    template: ClassVar[str] = "diff/alter_sequence"
