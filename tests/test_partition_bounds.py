"""Range bounds are compared as PostgreSQL compares them for the key's type (issue 10, item 13).

Each case is two partitions; PostgreSQL itself says whether it accepts both
(CREATE TABLE ... PARTITION OF refuses an overlap), and schemagen must say the
same: E050 exactly when PostgreSQL refuses.
"""

from __future__ import annotations

from pathlib import Path

import pg
import psycopg
import pytest
from diff_harness import schema_of, write_spec
from schemagen import errors

CASES = [
    # type, first (from, to), second (from, to)
    # the same instant: adjacent
    (
        "timestamptz",
        ("2022-07-01 00:00:00+00", "2022-08-01 01:00:00+01"),
        ("2022-08-01 00:00:00+00", "2022-09-01 00:00:00+00"),
    ),
    # 00:30 UTC is past 00:00 UTC
    (
        "timestamptz",
        ("2022-07-01 00:00:00+00", "2022-08-01 00:30:00+00"),
        ("2022-08-01 01:00:00+01", "2022-09-01 00:00:00+00"),
    ),
    # the first ends at 05:00 UTC
    (
        "timestamptz",
        ("2022-07-01 00:00:00-05", "2022-08-01 00:00:00-05"),
        ("2022-08-01 00:00:00+00", "2022-09-01 00:00:00+00"),
    ),
    ("timestamptz", ("2022-07-01", "2022-08-01"), ("2022-08-01", "2022-09-01")),
    # offsets ignored: 01:00 > 00:30
    (
        "timestamp",
        ("2022-07-01 00:00:00", "2022-08-01 01:00:00+01"),
        ("2022-08-01 00:30:00+00", "2022-09-01 00:00:00"),
    ),
    ("date", ("2022-07-01", "2022-08-01 23:00:00"), ("2022-08-01", "2022-09-01")),  # a date keeps the day: adjacent
    ("integer", ("1", "100"), ("100", "200")),
    ("integer", ("1", "101"), ("100", "200")),
    ("numeric", ("0.5", "1.50"), ("1.5", "2")),
    ("numeric", ("0.5", "1.51"), ("1.5", "2")),
    ("text", ("a", "m"), ("m", "z")),
    ("text", ("a", "n"), ("m", "z")),
    # a zone after the time (review of issue 10, item 9: refused as "not a valid timestamptz value")
    (
        "timestamptz",
        ("2022-07-01 00:00:00 UTC", "2022-08-01 00:00:00 UTC"),
        ("2022-08-01 00:00:00+00", "2022-09-01 00:00:00Z"),
    ),
    (
        "timestamptz",
        ("2022-07-01 00:00:00 Europe/Paris", "2022-08-01 02:00:00 Europe/Paris"),
        ("2022-08-01 00:00:00+00", "2022-09-01 00:00:00+00"),
    ),
    (
        "timestamptz",
        ("2022-07-01 00:00:00 Europe/Paris", "2022-08-01 03:00:00 Europe/Paris"),
        ("2022-08-01 00:00:00+00", "2022-09-01 00:00:00+00"),
    ),
    (
        "timestamptz",
        ("2021-12-01 00:00:00 America/New_York", "2022-01-01 00:00:00 America/New_York"),
        ("2022-01-01 04:00:00+00", "2022-02-01 00:00:00+00"),
    ),
    (
        "timestamp",
        ("2022-07-01 00:00:00", "2022-08-01 01:00:00 Europe/Paris"),
        ("2022-08-01 00:30:00", "2022-09-01 00:00:00"),
    ),
]


def spec(kind: str, first: tuple[str, str], second: tuple[str, str]) -> dict[str, object]:
    return {
        "migration": {"version": 1, "name": "bounds"},
        "tables": {
            "event": {
                "columns": {"id": {"type": "integer", "not_null": True}, "k": {"type": kind, "not_null": True}},
                "partitioning": {
                    "key": ["k"],
                    "partitions": {
                        "event_a": {"from": first[0], "to": first[1]},
                        "event_b": {"from": second[0], "to": second[1]},
                    },
                },
            }
        },
    }


def schemagen_accepts(tmp: Path, kind: str, first: tuple[str, str], second: tuple[str, str]) -> bool:
    try:
        schema_of(write_spec(tmp, spec(kind, first, second)))
    except errors.SpecError as exc:
        assert {d.code for d in exc.diagnostics} == {errors.PARTITION}, exc
        assert any("overlaps" in d.message for d in exc.diagnostics), exc
        return False
    return True


def postgres_accepts(url: str, kind: str, first: tuple[str, str], second: tuple[str, str]) -> bool:
    with pg.connect(url) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute(f"CREATE TABLE event (id integer NOT NULL, k {kind} NOT NULL) PARTITION BY RANGE (k)")
        conn.execute(f"CREATE TABLE event_a PARTITION OF event FOR VALUES FROM ('{first[0]}') TO ('{first[1]}')")
        try:
            conn.execute(f"CREATE TABLE event_b PARTITION OF event FOR VALUES FROM ('{second[0]}') TO ('{second[1]}')")
        except psycopg.errors.InvalidObjectDefinition as exc:
            assert "would overlap" in str(exc)
            return False
        return True


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}:{c[1][1]}|{c[2][0]}")
def test_overlap_verdict_is_postgresql_s(case, pg_admin_url, tmp_path):
    kind, first, second = case
    with pg.fresh_database(pg_admin_url) as url:
        expected = postgres_accepts(url, kind, first, second)
    assert schemagen_accepts(tmp_path, kind, first, second) == expected


def test_bounds_with_and_without_an_offset_are_refused(tmp_path):
    """'2022-08-01' is read in the session's TimeZone: against a bound with an offset, the verdict would depend on
    it."""
    with pytest.raises(errors.SpecError) as caught:
        schema_of(
            write_spec(
                tmp_path,
                spec("timestamptz", ("2022-07-01", "2022-08-01"), ("2022-08-01 00:00:00+00", "2022-09-01 00:00:00+00")),
            )
        )
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == errors.PARTITION
    assert (
        'bound "2022-07-01" of k (timestamptz) has no UTC offset while "2022-08-01 00:00:00+00" has one'
        in diagnostic.message
    )


def test_a_time_zone_schemagen_does_not_know_is_refused_with_what_to_write(tmp_path):
    with pytest.raises(errors.SpecError) as caught:
        schema_of(
            write_spec(
                tmp_path,
                spec(
                    "timestamptz",
                    ("2022-07-01 00:00:00 Mars/Olympus", "2022-08-01 00:00:00Z"),
                    ("2022-08-01 00:00:00Z", "2022-09-01 00:00:00Z"),
                ),
            )
        )
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == (
        'partition bound "2022-07-01 00:00:00 Mars/Olympus" names a time zone schemagen does not know, '
        '"Mars/Olympus": write a UTC offset (e.g. +01) or a tz database name (e.g. Europe/Paris)'
    )
