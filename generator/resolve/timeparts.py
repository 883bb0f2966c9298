"""Declared time partitioning (`partitioning: {interval: 1 month, start: ..., premake: 4, retain: 24 months}`): the
rule checked and resolved, and the table's maintenance function made from it.

The rule is data (ir.TimePartitions); the periods are pg/periods.py's. The
function, `<schema>.maintain_<table>_partitions(now timestamptz DEFAULT now())`,
is an ordinary spec function of the IR (its body from
templates/sql/partitions/maintain_body.sql.j2), so migrations create, replace
and drop it, drift compares it and the docs list it as any other.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .. import errors, ir
from ..ir import Name, names
from ..pg import bounds, periods, quoting
from ..spec import model
from ..templating import environment
from .registry import Registry
from .report import Report, Where

LOCK_TIMEOUT = "1s"  # each statement of the maintenance waits at most this long for the table
RETURNS = "TABLE(action text, partition_name text, detail text)"
ARGS = "now timestamptz DEFAULT now()"
_NAME_FORMAT = {"day": "YYYY_MM_DD", "week": "YYYY_MM_DD", "month": "YYYY_MM", "quarter": 'YYYY"_q"Q', "year": "YYYY"}
_NAME_PATTERN = {
    "day": r"\d{4}_\d{2}_\d{2}",
    "week": r"\d{4}_\d{2}_\d{2}",
    "month": r"\d{4}_\d{2}",
    "quarter": r"\d{4}_q[1-4]",
    "year": r"\d{4}",
}


def rule(
    table: Name, p: model.Partitioning, key: tuple[str, ...], key_type: str | None, report: Report, where: Where
) -> ir.TimePartitions | None:
    """The time partitioning the spec declares, or None (with E050 at each mistake)."""
    at = where.at
    if p.interval is None:
        for field in ("start", "retain", "schedule"):
            if getattr(p, field) is not None:
                report.error(
                    at("partitioning", field),
                    errors.PARTITION,
                    f'"{field}" belongs to time partitioning, which "interval" declares (e.g. interval: 1 month)',
                    key=True,
                )
        return None
    ok = True
    try:
        unit = periods.unit_of(p.interval)
    except periods.BadPeriod as exc:
        report.error(at("partitioning", "interval"), errors.PARTITION, str(exc))
        return None
    if len(key) != 1 or key_type not in periods.KEY_TYPES:
        report.error(
            at("partitioning", "key"),
            errors.PARTITION,
            f"time partitioning needs one key column of type date, timestamp or timestamptz "
            f"(here: {', '.join(key)}{f', {key_type}' if len(key) == 1 and key_type else ''})",
        )
        ok = False
    start = _start(p.start, unit, report, at("partitioning", "start") if p.start is not None else at("partitioning"))
    retain = None
    if p.retain is not None:
        try:
            retain = periods.count_of(p.retain, unit)
        except periods.BadPeriod as exc:
            report.error(at("partitioning", "retain"), errors.PARTITION, str(exc))
            ok = False
    try:
        periods.zone(p.timezone)
    except KeyError:
        report.error(
            at("partitioning", "timezone"),
            errors.PARTITION,
            f'"{p.timezone}" is not a time zone of the tz database (e.g. UTC, Europe/Paris)',
        )
        ok = False
    function = Name(table.schema, f"maintain_{table.name}_partitions")
    for what, length in (
        (f'the maintenance function\'s name "{function.name}"', len(function.name.encode())),
        (f'the partitions\' names "{periods.name(table.name, dt.date(2026, 1, 1), unit)}"', 0),
    ):
        length = length or len(table.name.encode()) + periods.SUFFIX_LENGTH[unit]
        if length > names.MAX_IDENT_BYTES:
            report.error(
                at("partitioning", "interval"),
                errors.PARTITION,
                f"{what} would be {length} bytes, over PostgreSQL's {names.MAX_IDENT_BYTES}: shorten the table's name",
            )
            ok = False
    if not ok or start is None:
        return None
    return ir.TimePartitions(
        interval=unit,
        start=start.isoformat(),
        premake=p.premake,
        retain=retain,
        retired=p.retired,
        timezone=p.timezone,
        function=function,
        schedule=p.schedule,
    )


def _start(text: str | None, unit: str, report: Report, where: Where) -> dt.date | None:
    if text is None:
        report.error(where, errors.PARTITION, 'time partitioning needs "start": the first period\'s first day')
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        report.error(where, errors.PARTITION, f'"start" is a date (YYYY-MM-DD), not "{text}"')
        return None
    if periods.floor(day, unit) != day:
        first = periods.floor(day, unit)
        report.error(
            where,
            errors.PARTITION,
            f'"start" {day.isoformat()} is not the first day of a {unit}'
            + (" (weeks start on Monday)" if unit == "week" else "")
            + f": write {first.isoformat()} or {periods.shift(first, unit, 1).isoformat()}",
        )
        return None
    return day


def overlaps(t: ir.Table, report: Report, where: Where) -> None:
    """E050 for an explicit range partition that is not one of the rule's own and reaches past its start: the
    maintenance function could not make the period it covers."""
    rule_ = t.time_partitions
    if rule_ is None:
        return
    key = t.column(t.partition_key[0])
    if key is None:
        return
    key_type = key.base
    start = periods.bound_value(rule_.first_day, key_type, rule_.timezone)
    written = {p.name.name: where.at("partitioning", "partitions", p.name.name) for p in t.partitions}
    for p in t.partitions:
        if p.is_default or t.owns(p) or p.upper == "MAXVALUE":
            if p.upper == "MAXVALUE":
                report.error(
                    written[p.name.name],
                    errors.PARTITION,
                    f'partition "{p.name.name}" runs to MAXVALUE: the periods the maintenance function makes '
                    f"from {rule_.start} on would overlap it",
                    key=True,
                )
            continue
        text = p.upper[1:-1].replace("''", "'") if p.upper.startswith("'") else p.upper
        try:
            upper = periods_bound(text, key_type)
        except ValueError:
            continue
        if upper > start:
            first = periods.name(t.name.name, rule_.first_day, rule_.interval)
            report.error(
                written[p.name.name],
                errors.PARTITION,
                f'partition "{p.name.name}" reaches past {rule_.start}, where the periods the maintenance function '
                f"makes begin, and is not one of them (named {first} "
                "and so on, with their bounds): end it at the start, or let the function make it",
                key=True,
            )


def periods_bound(text: str, key_type: str) -> dt.date | dt.datetime:
    b = bounds.value(text, key_type)
    if b.rank != 1:
        raise ValueError(text)
    value: dt.date | dt.datetime = b.value
    return value


def function(t: ir.Table) -> ir.Function:
    """The table's maintenance function."""
    rule_ = t.time_partitions
    assert rule_ is not None
    key = t.column(t.partition_key[0])
    assert key is not None
    default = next((p for p in t.partitions if p.is_default), None)
    view = MaintainView(t, rule_, key.base, default)
    body = environment().get_template("sql/partitions/maintain_body.sql.j2").render(rule=view)
    return ir.Function(
        name=rule_.function,
        module=t.module,
        args=ARGS,
        arg_types=("timestamp with time zone",),
        returns=RETURNS,
        language="plpgsql",
        body=body,
        search_path=("pg_catalog",),
        comment=f"Makes the partitions of {t.name.display} ahead and retires the old ones (schemagen time "
        "partitioning); safe to run at any time, from a scheduler.",
    )


@dataclass(frozen=True)
class MaintainView:
    """What the maintenance function's template reads: names quoted and literals written here."""

    table: ir.Table
    rule: ir.TimePartitions
    key_type: str
    default_partition: ir.Partition | None

    @property
    def parent_literal(self) -> str:
        return quoting.literal(self.table.name.q)

    @property
    def timezone(self) -> str:
        return quoting.literal(self.rule.timezone)

    @property
    def unit(self) -> str:
        return quoting.literal(self.rule.interval)

    @property
    def one(self) -> str:
        return quoting.literal(f"1 {self.rule.interval}")

    @property
    def premake(self) -> int:
        return self.rule.premake

    @property
    def retain(self) -> int | None:
        return self.rule.retain

    @property
    def retires(self) -> bool:
        """Whether old partitions are retired at all (retain: 0 keeps the current period only)."""
        return self.rule.retain is not None

    @property
    def drop(self) -> bool:
        return self.rule.retired == "drop"

    @property
    def start(self) -> str:
        return quoting.literal(self.rule.start)

    @property
    def first_start(self) -> str:
        if self.rule.retain is None:
            return f"{self.start}::date"
        return f"(current_start - {self.rule.retain} * interval {self.one})::date"

    @property
    def lock_key(self) -> str:
        return quoting.literal(f"schemagen maintain {self.table.name.q}")

    @property
    def lock_timeout(self) -> str:
        return quoting.literal(LOCK_TIMEOUT)

    @property
    def schema(self) -> str:
        return quoting.literal(self.table.name.schema)

    @property
    def table_name(self) -> str:
        return quoting.literal(self.table.name.display)

    @property
    def prefix(self) -> str:
        return quoting.literal(self.table.name.name + "_")

    @property
    def name_format(self) -> str:
        return quoting.literal(_NAME_FORMAT[self.rule.interval])

    @property
    def name_pattern(self) -> str:
        return quoting.literal("^" + re.escape(self.table.name.name + "_") + _NAME_PATTERN[self.rule.interval] + "$")

    @property
    def period_of_name(self) -> str:
        """The first day of the period a partition's name says (the name matches name_pattern)."""
        tail = f"substr(c.relname, {len(self.table.name.name) + 2})"
        if self.rule.interval == "quarter":
            day = f"make_date(left({tail}, 4)::int, right({tail}, 1)::int * 3 - 2, 1)"
        else:
            day = f"to_date({tail}, {quoting.literal(_NAME_FORMAT[self.rule.interval])})"
        return f"CASE WHEN c.relname ~ {self.name_pattern} THEN {day} END"

    def bound_of(self, variable: str) -> str:
        """The text of the bound at the start of the local date in `variable`, for the key's type."""
        if self.key_type == "date":
            return f"{variable}::text"
        if self.key_type == "timestamp":
            return f"{variable}::timestamp::text"
        return f"({variable}::timestamp AT TIME ZONE {self.timezone})::text"

    @property
    def key(self) -> str:
        return quoting.ident(self.table.partition_key[0])

    @property
    def key_pct(self) -> str:
        return self.key.replace("%", "%%")

    @property
    def default(self) -> str | None:
        return self.default_partition.name.q if self.default_partition else None

    @property
    def default_pct(self) -> str:
        return self.default.replace("%", "%%") if self.default else ""

    @property
    def function_name(self) -> str:
        return self.rule.function.display.replace("'", "''").replace("%", "")


def functions(tables: dict[Name, ir.Table], known: Registry, report: Report) -> list[ir.Function]:
    """The maintenance function of each time-partitioned table, with the table's other checks: no spec function
    of that name, and no foreign key to the table (PostgreSQL refuses to detach a partition whose rows another
    table refers to, and the rows the function moves out of the DEFAULT partition are deleted from it)."""
    made = []
    for t in tables.values():
        if t.time_partitions is None:
            continue
        where = known.tables[t.name].where
        fn = t.time_partitions.function
        if known.overloads(fn):
            report.error(
                known.functions[known.overloads(fn)[0]].where,
                errors.DUPLICATE_NAME,
                f"function {fn.display} is the maintenance function of {t.name.display}'s time partitioning: "
                "choose another name",
                key=True,
            )
            continue
        for other in tables.values():
            for fk in other.foreign_keys:
                if fk.ref_table == t.name:
                    report.error(
                        where.at("partitioning", "interval"),
                        errors.PARTITION,
                        f'foreign key "{fk.name}" of {other.name.display} refers to {t.name.display}, whose time '
                        "partitions are retired and filled from the DEFAULT partition by its maintenance function: "
                        "PostgreSQL refuses to detach a partition whose rows are referred to; list the partitions "
                        "instead",
                    )
        maintenance = function(t)
        report.origin(("function", maintenance.key), where.at("partitioning", "interval"), None)
        made.append(maintenance)
    return made
