"""Range-partition bounds compared as PostgreSQL compares them, for the partition key's type.

PostgreSQL reads a bound with the key type's input function, so the same text
means different values for different types: the UTC offset of
'2022-08-01 01:00:00+01' makes it the instant 00:00 UTC for timestamptz, is
ignored for timestamp, and a date keeps only the day. Text is compared in
code point order, PostgreSQL's order under the "C" collation (another
collation orders some strings differently: schemagen cannot know the
database's, and says so in the README).

A timestamptz bound written without an offset is read in the session's
TimeZone when the partition is created: against a bound with an offset, which
one is lower depends on where the migration runs, so `value` marks it and
resolve refuses the mix. A zone written after the time (`UTC`, `Europe/Paris`)
fixes the instant as an offset does (a timestamp ignores it, as PostgreSQL does);
the tz database (Python's zoneinfo) gives its offset on that date.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# The comparable kind of each key type; any other type is compared as text.
KINDS = {
    "int2": "integer",
    "int4": "integer",
    "int8": "integer",
    "numeric": "numeric",
    "float4": "numeric",
    "float8": "numeric",
    "date": "date",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    "text": "text",
    "varchar": "text",
    "bpchar": "text",
}
LOWEST, HIGHEST = 0, 2  # ranks of MINVALUE / -infinity and MAXVALUE / infinity around every value (rank 1)


@dataclass(frozen=True, order=True)
class Bound:
    """One bound, ordered as PostgreSQL orders the key's values."""

    rank: int
    value: Any = 0
    local: bool = False  # a timestamptz read in the session's TimeZone (no offset written)


class BadBound(ValueError):
    """Text that the key type's input function would refuse (or whose zone schemagen does not know: `why`)."""

    def __init__(self, text: str, why: str = ""):
        super().__init__(text)
        self.why = why


_ZONE = re.compile(r"\s+(?P<zone>[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*)\s*$")


def kind_of(base: str) -> str:
    return KINDS.get(base, "text")


def value(text: str, kind: str) -> Bound:
    """The bound `text` (as written in the spec, unquoted) for a key of `kind`."""
    word = text.strip()
    upper = word.upper()
    if upper == "MINVALUE":
        return Bound(LOWEST)
    if upper == "MAXVALUE":
        return Bound(HIGHEST)
    try:
        return _typed(word, kind)
    except BadBound:
        raise
    except (ValueError, InvalidOperation) as exc:
        raise BadBound(word) from exc


def _typed(word: str, kind: str) -> Bound:
    if kind == "integer":
        return Bound(1, int(word))
    if kind == "numeric":
        number = Decimal(word)
        if number.is_nan():
            raise ValueError(word)
        return Bound(
            1 if number.is_finite() else (HIGHEST if number > 0 else LOWEST), number if number.is_finite() else 0
        )
    if kind in ("date", "timestamp", "timestamptz"):
        infinite = {"infinity": HIGHEST, "+infinity": HIGHEST, "-infinity": LOWEST}.get(word.lower())
        if infinite is not None:
            return Bound(infinite)
        zone = _ZONE.search(word)
        moment = dt.datetime.fromisoformat(word[: zone.start()] if zone else word)
        if zone is not None:
            if moment.tzinfo is not None:
                raise ValueError(word)  # an offset and a zone
            moment = moment.replace(tzinfo=_zone(zone["zone"], word))
        if kind == "date":
            return Bound(1, moment.date())
        if kind == "timestamp" or moment.tzinfo is None:
            return Bound(1, moment.replace(tzinfo=None), local=kind == "timestamptz")
        return Bound(1, moment.astimezone(dt.UTC).replace(tzinfo=None))
    return Bound(1, word)


def _zone(name: str, word: str) -> dt.tzinfo:
    if name.upper() in ("UTC", "GMT", "Z"):
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise BadBound(
            word,
            f'names a time zone schemagen does not know, "{name}": write a UTC offset (e.g. +01) or a tz '
            "database name (e.g. Europe/Paris)",
        ) from None


def comparable(a: Bound, b: Bound) -> bool:
    """False when the order of `a` and `b` depends on the session's TimeZone (one has an offset, the other not)."""
    return a.rank != 1 or b.rank != 1 or a.local == b.local


def key(b: Bound) -> tuple[int, Any]:
    """The sort key of a bound (`local` set aside: see `comparable`)."""
    return (b.rank, b.value)
