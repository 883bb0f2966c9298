"""The periods of declared time partitioning: where each one starts and ends, and the partition's name.

One rule for every output: resolve checks the spec against it, the diff and
`drift` recognise the partitions that the maintenance function made (the
pattern's own), and the tests compare the function's work with it. The
function itself (templates/sql/partitions/maintain_body.sql.j2) computes the
same periods in SQL with `date_trunc`, whose weeks start on Monday as here.

A period is a calendar range of local dates, [lower, upper): a day, a week
(from Monday), a month, a quarter (January, April, July, October) or a year.
A date key's bounds are those dates; a timestamp key's their midnights; a
timestamptz key's the midnights in the pattern's time zone.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

UNITS = ("day", "week", "month", "quarter", "year")
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
DAYS_IN = {"day": 1, "week": 7}
KEY_TYPES = ("date", "timestamp", "timestamptz")

_INTERVAL = re.compile(r"^\s*(?:(?P<count>\d+)\s+)?(?P<unit>[a-z]+?)s?\s*$")


class BadPeriod(ValueError):
    """Text that is not a period (the message says what is expected)."""


def unit_of(text: str) -> str:
    """The unit of an interval written `1 month` (or `month`); only one unit at a time."""
    m = _INTERVAL.match(text.lower())
    if m is None or m["unit"] not in UNITS:
        raise BadPeriod(f'"{text}" is not an interval: write 1 day, 1 week, 1 month, 1 quarter or 1 year')
    if m["count"] not in (None, "1"):
        raise BadPeriod(
            f'"{text}" spans {m["count"]} {m["unit"]}s: a partition spans one {m["unit"]} '
            f"(write 1 {m['unit']}, or a longer unit)"
        )
    return m["unit"]


def count_of(text: str, unit: str) -> int:
    """How many periods of `unit` a length written `24 months` (or `2 years`) is; it must be a whole number."""
    m = _INTERVAL.match(text.lower())
    if m is None or m["unit"] not in UNITS:
        raise BadPeriod(f'"{text}" is not a length of time: write e.g. 24 months, 2 years, 90 days')
    count, given = int(m["count"] or 1), m["unit"]
    if given in MONTHS_IN and unit in MONTHS_IN and (count * MONTHS_IN[given]) % MONTHS_IN[unit] == 0:
        return count * MONTHS_IN[given] // MONTHS_IN[unit]
    if given in DAYS_IN and unit in DAYS_IN and (count * DAYS_IN[given]) % DAYS_IN[unit] == 0:
        return count * DAYS_IN[given] // DAYS_IN[unit]
    raise BadPeriod(f'"{text}" is not a whole number of {unit}s: write it in {unit}s')


def floor(day: dt.date, unit: str) -> dt.date:
    """The first day of the period of `unit` that holds `day`."""
    if unit == "day":
        return day
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, 1, 1)


def shift(day: dt.date, unit: str, n: int) -> dt.date:
    """The first day of the period `n` periods after the one that starts on `day` (n may be negative)."""
    if unit in DAYS_IN:
        return day + dt.timedelta(days=n * DAYS_IN[unit])
    month = day.year * 12 + day.month - 1 + n * MONTHS_IN[unit]
    return dt.date(month // 12, month % 12 + 1, 1)


def suffix(day: dt.date, unit: str) -> str:
    """The partition name's suffix for the period that starts on `day`: 2026_03, 2026_q1, 2026_03_02, 2026."""
    if unit == "year":
        return f"{day.year:04d}"
    if unit == "quarter":
        return f"{day.year:04d}_q{(day.month - 1) // 3 + 1}"
    if unit == "month":
        return f"{day.year:04d}_{day.month:02d}"
    return f"{day.year:04d}_{day.month:02d}_{day.day:02d}"


SUFFIX_LENGTH = {"year": 5, "quarter": 8, "month": 8, "week": 11, "day": 11}  # "_" and the suffix


def name(table: str, day: dt.date, unit: str) -> str:
    return f"{table}_{suffix(day, unit)}"


def window(now: dt.date, unit: str, start: dt.date, premake: int, retain: int | None) -> list[dt.date]:
    """The first days of the periods whose partitions exist after maintenance on local date `now`: from `retain`
    periods before the current one (never before `start`) to `premake` periods after it."""
    current = floor(now, unit)
    first = start if retain is None else max(start, shift(current, unit, -retain))
    last = shift(current, unit, premake)
    days = []
    day = first
    while day <= last:
        days.append(day)
        day = shift(day, unit, 1)
    return days


def bound_value(day: dt.date, kind: str, timezone: str) -> dt.date | dt.datetime:
    """The bound at the start of `day` for a key of `kind`, as pg/bounds.py reads one (a timestamptz's in UTC)."""
    if kind == "date":
        return day
    midnight = dt.datetime(day.year, day.month, day.day)
    if kind == "timestamp":
        return midnight
    return midnight.replace(tzinfo=zone(timezone)).astimezone(dt.UTC).replace(tzinfo=None)


def zone(timezone: str) -> dt.tzinfo:
    """The tz database zone (KeyError for a name it does not know)."""
    if timezone.upper() in ("UTC", "GMT"):
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise KeyError(timezone) from None


def period_of(table: str, partition: str, unit: str, start: dt.date) -> dt.date | None:
    """The first day of the period whose partition is named `partition`, if the pattern names one so."""
    prefix = table + "_"
    if not partition.startswith(prefix):
        return None
    rest = partition[len(prefix) :]
    try:
        if unit == "year":
            day = dt.date(int(rest), 1, 1) if re.fullmatch(r"\d{4}", rest) else None
        elif unit == "quarter":
            m = re.fullmatch(r"(\d{4})_q([1-4])", rest)
            day = dt.date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1) if m else None
        elif unit == "month":
            m = re.fullmatch(r"(\d{4})_(\d{2})", rest)
            day = dt.date(int(m[1]), int(m[2]), 1) if m else None
        else:
            m = re.fullmatch(r"(\d{4})_(\d{2})_(\d{2})", rest)
            day = dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None
    if day is None or day < start or floor(day, unit) != day:
        return None
    return day
