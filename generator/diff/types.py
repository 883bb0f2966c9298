"""Column type changes: which keep every value (widen), which rewrite the table, and which values a narrower type
loses."""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..pg import datatypes, quoting
from . import statements as st

NUMBERS = frozenset({"int2", "int4", "int8", "numeric", "float4", "float8"})
PRECISE_TIME = frozenset({"timestamp", "timestamptz", "time", "timetz"})
ELEMENT = "schemagen_element"


def widens(old: ir.Column, new: ir.Column) -> bool:
    """True when every value of the old type fits the new one unchanged."""
    if old.array_dims != new.array_dims:
        return False
    if old.base != new.base:
        if new.base not in datatypes.WIDER.get(old.base, frozenset()):
            return (old.base, new.base) == ("text", "varchar") and not new.mods  # varchar without a length is text
        if new.mods and old.base in datatypes.INTEGER_RANGE:  # numeric(p, s) holds an integer of p - s digits
            p, s = new.mods[0], new.mods[1] if len(new.mods) > 1 else 0
            return p - s >= len(str(datatypes.INTEGER_RANGE[old.base][1]))
        return not new.mods
    if old.base == "enum":
        return old.enum == new.enum
    if not new.mods:
        return True
    if not old.mods:
        return False
    if old.base == "numeric":
        p0, s0 = old.mods[0], old.mods[1] if len(old.mods) > 1 else 0
        p1, s1 = new.mods[0], new.mods[1] if len(new.mods) > 1 else 0
        return s1 >= s0 and p1 - s1 >= p0 - s0
    return new.mods[0] >= old.mods[0]


def rewrites(old: ir.Column, new: ir.Column) -> bool:
    """Whether PostgreSQL rewrites the table (and its indexes) for this change."""
    same_seconds = old.base == new.base and old.base in datatypes.SECONDS_PRECISION
    if (old.base, new.base) not in datatypes.NO_REWRITE and not same_seconds or old.array_dims != new.array_dims:
        return True
    if old.base == "numeric":  # same scale, more precision: no rewrite
        return not (widens(old, new) and (not new.mods or (old.mods[1:] or (0,)) == (new.mods[1:] or (0,))))
    return not widens(old, new)


def implicit(old: ir.Column, new: ir.Column) -> bool:
    """Whether PostgreSQL converts the values without a USING clause (an assignment cast exists).

    For varchar(n) and char(n) that matters: the assignment cast fails on a value
    too long, an explicit cast (`USING c::varchar(5)`) cuts it without a word.
    """
    pair = (old.base, new.base)
    return (
        new.base in datatypes.WIDER.get(old.base, frozenset())
        or pair in datatypes.NO_REWRITE
        or pair in datatypes.ASSIGNMENT_TO_LENGTH
    )


@dataclass(frozen=True)
class Loss:
    """The values of a column that a narrower type cannot hold unchanged."""

    condition: str  # SQL, true for such a value of the column (or of one of its elements)
    silent: bool  # PostgreSQL would change such a value without an error (cut, round)


def loss(old: ir.Column, new: ir.Column, column: str, labels: tuple[str, ...] = ()) -> Loss | None:
    """Which values of `column` (SQL) would not survive the change unchanged; None when all do, or for no narrowing.

    Narrowing here means the same kind of value in less room: shorter text,
    fewer digits, a smaller integer, a coarser time, an enum of fewer labels
    (`labels`). Conversions to another kind (text to integer, timestamp to date)
    and floating point (approximate by nature) are the confirmed intent, and
    PostgreSQL refuses what does not parse.
    """
    if old.array_dims != new.array_dims or widens(old, new):
        return None
    found = _scalar_loss(old, new, ELEMENT if old.array_dims else column, labels)
    if found is None or not old.array_dims:
        return found
    return Loss(st.condition("any_element", column, ELEMENT, found.condition), found.silent)


def _scalar_loss(old: ir.Column, new: ir.Column, v: str, labels: tuple[str, ...]) -> Loss | None:
    if new.base in ("varchar", "bpchar") and (new.mods or new.base == "bpchar"):
        return Loss(st.condition("too_long", v, new.mods[0] if new.mods else 1), silent=True)
    if new.base == "numeric" and new.mods and old.base in NUMBERS:
        precision, scale = new.mods[0], new.mods[1] if len(new.mods) > 1 else 0
        fewer_decimals = old.base in ("float4", "float8") or (
            old.base == "numeric" and (not old.mods or (old.mods[1:] or (0,))[0] > scale)
        )
        return Loss(st.condition("numeric_loss", v, scale, 10 ** (precision - scale)), silent=fewer_decimals)
    if new.base in datatypes.INTEGER_RANGE and old.base in NUMBERS:
        low, high = datatypes.INTEGER_RANGE[new.base]
        if old.base in datatypes.INTEGER_RANGE:
            return Loss(st.condition("out_of_range", v, low, high), silent=False)
        return Loss(st.condition("not_whole_or_out_of_range", v, low, high), silent=True)
    if new.base == old.base and new.base in PRECISE_TIME and new.mods and (not old.mods or old.mods[0] > new.mods[0]):
        return Loss(st.condition("coarser", v, new.sql_type.removesuffix("[]" * new.array_dims)), silent=True)
    if (
        new.enum is not None
        and labels
        and (old.base in ("text", "varchar", "bpchar") or old.enum not in (None, new.enum))
    ):
        return Loss(st.condition("not_a_label", v, ", ".join(quoting.literal(label) for label in labels)), silent=False)
    return None
