"""The models' CHECK translation judged by PostgreSQL: for each CHECK and each row, the model accepts exactly the
rows PostgreSQL accepts.

One table per CHECK (all with the same nullable columns), built on a real server; rows come from hypothesis
(pinned in the test extras; derandomized, so every run tries the same rows), with the values where a
translation goes wrong most often: NULLs, bounds, zero, extremes. Each CHECK here is of the kind the models
translate (README: comparisons, + - *, AND / OR / NOT, IS NULL, BETWEEN, IN on numbers; equality on text,
enums and booleans; ordering of dates and timestamps), so a model that leaves one to the database fails too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pg
import psycopg
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from models_support import import_file, insert, write_models
from pydantic import ValidationError
from schemagen.sql import from_scratch
from schemagen.sql.standins import standin_sql

CHECKS = [
    "a > 0",
    "a >= b",
    "a + b <= 10",
    "a * 2 - b BETWEEN -5 AND 5",
    "a NOT BETWEEN 1 AND 5",
    "a IN (1, 2, 3)",
    "a NOT IN (1, 2, 3)",
    "-a < b",
    "NOT (a < 0) AND b <> 0",
    "a IS NULL OR b IS NOT NULL",
    "NOT (a IS NULL)",
    "a > 0 OR b > 0",
    "a = 1 AND (b = 2 OR b IS NULL)",
    "r >= 0.5 AND r <> 0.75",
    "r * 2 < a",
    "r BETWEEN -1.5 AND 1.5",
    "t = 'x' OR t IS NULL",
    "t <> ''",
    "f OR NOT f",
    "f",
    "NOT f",
    "f = true",
    "e IN ('open', 'closed')",
    "e <> 'closed'",
    "d <= d2",
    "d < d2 OR d2 IS NULL",
    "ts < ts2",
    "ts >= ts2 AND a > 0",
]
# Where an intermediate result leaves integer's range (-2**31 * 2), PostgreSQL refuses the row with an error even where
# the CHECK would be NULL, and the models do not follow overflow: not judged on the extreme values (a known gap).
ARITHMETIC = {"a + b <= 10", "a * 2 - b BETWEEN -5 AND 5", "-a < b", "r * 2 < a"}
EXTREME = {-(2**31), 2**31 - 1}
# Left to the database, with the reason, by design: a date or time against a text constant (PostgreSQL reads it in
# the session's time zone and DateStyle); test_models.py checks that the models name them.
COLUMNS = {
    "id": {"type": "integer", "primary_key": True},
    "a": {"type": "integer"},
    "b": {"type": "integer"},
    "r": {"type": "numeric(5, 2)"},
    "t": {"type": "text"},
    "f": {"type": "boolean"},
    "e": {"type": "state"},
    "d": {"type": "date"},
    "d2": {"type": "date"},
    "ts": {"type": "timestamptz"},
    "ts2": {"type": "timestamptz"},
}
UTC = dt.UTC


def spec() -> dict[str, Any]:
    return {
        "module": "checks",
        "migration": {"version": 1, "name": "checks"},
        "enums": {"state": {"values": ["draft", "open", "closed"]}},
        "tables": {
            f"c{i:02d}": {"columns": COLUMNS, "constraints": [{"name": f"c{i:02d}_check", "check": check}]}
            for i, check in enumerate(CHECKS)
        },
    }


def nullable(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), values)


DATES = nullable(st.sampled_from([dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 1, 2)]))
TIMES = nullable(
    st.sampled_from(
        [
            dt.datetime(2026, 6, 1, tzinfo=UTC),
            dt.datetime(2026, 5, 31, 23, 59, 59, 999999, tzinfo=UTC),
            dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),  # the same instant as the first
            dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=-1))),  # an hour after it
        ]
    )
)
ROWS = st.fixed_dictionaries(
    {
        "a": nullable(st.one_of(st.integers(-6, 12), st.sampled_from([-(2**31), 2**31 - 1]))),
        "b": nullable(st.one_of(st.integers(-6, 12), st.sampled_from([-(2**31), 2**31 - 1]))),
        "r": nullable(
            st.one_of(
                st.sampled_from([Decimal(x) for x in ("0.49", "0.50", "0.51", "0.75", "-1.50", "1.50", "1.51", "0")]),
                st.decimals(min_value=Decimal("-999.99"), max_value=Decimal("999.99"), places=2),
            )
        ),
        "t": nullable(st.sampled_from(["", "x", "X", "x ", "y", "é"])),
        "f": nullable(st.booleans()),
        "e": nullable(st.sampled_from(["draft", "open", "closed"])),
        "d": DATES,
        "d2": DATES,
        "ts": TIMES,
        "ts2": TIMES,
    }
)


def test_each_translated_check_accepts_exactly_the_rows_postgresql_accepts(db_url: str, tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "checks.yaml").write_text(yaml.safe_dump(spec(), sort_keys=False), encoding="utf-8")
    models = import_file(write_models(spec_dir, tmp_path / "out")["models/checks.py"])
    from diff_harness import schema_of

    schema, sources = schema_of(spec_dir)
    pg.apply_sql(db_url, standin_sql(schema) + from_scratch.migration_sql(schema, sources))
    tables = [(f"c{i:02d}", check, getattr(models, f"C{i:02d}Insert")) for i, check in enumerate(CHECKS)]
    disagreements: list[tuple[str, dict[str, Any], bool, bool]] = []

    with pg.connect(db_url, row_factory=psycopg.rows.dict_row) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        ids = iter(range(1, 10**9))

        @settings(max_examples=250, deadline=None, derandomize=True, database=None)
        @given(row=ROWS)
        def agree(row: dict[str, Any]) -> None:
            for table, check, model in tables:
                if check in ARITHMETIC and {row["a"], row["b"]} & EXTREME:
                    continue
                try:
                    model(id=1, **row)
                    ours = True
                except ValidationError:
                    ours = False
                try:
                    with conn.transaction(force_rollback=True):
                        insert(conn, table, {"id": next(ids), **row}, set())
                    theirs = True
                except (psycopg.errors.CheckViolation, psycopg.errors.NumericValueOutOfRange):
                    theirs = False
                if ours != theirs:
                    disagreements.append((check, row, ours, theirs))
                    raise AssertionError(f"CHECK ({check}) on {row}: model {ours}, PostgreSQL {theirs}")

        agree()
    assert disagreements == []


def test_the_insert_model_refuses_none_for_a_not_null_json_column_as_postgresql_does(
    db_url: str, tmp_path: Path
) -> None:
    """JsonValue takes None (JSON's null) by itself, and psycopg sends None as NULL: a required NOT NULL json column
    took None in the Insert model (its Update model refused it), and the database refused the row."""
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    columns = {
        "id": {"type": "integer", "primary_key": True},
        "body": {"type": "jsonb", "not_null": True},
        "extra": {"type": "json"},
    }
    doc = {"module": "docs", "migration": {"version": 1, "name": "docs"}, "tables": {"doc": {"columns": columns}}}
    (spec_dir / "docs.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    models = import_file(write_models(spec_dir, tmp_path / "out")["models/docs.py"])
    from diff_harness import schema_of

    schema, sources = schema_of(spec_dir)
    pg.apply_sql(db_url, standin_sql(schema) + from_scratch.migration_sql(schema, sources))
    with pg.connect(db_url, row_factory=psycopg.rows.dict_row) as conn:
        for i, row in enumerate([{"body": None}, {"body": {"a": [1, None]}, "extra": None}, {"body": []}], 1):
            try:
                data = models.DocInsert(id=i, **row).model_dump()
                ours = True
            except ValidationError:
                data, ours = {"id": i, **row}, False
            try:
                with conn.transaction(force_rollback=True):
                    insert(conn, "doc", data, {"body", "extra"})
                theirs = True
            except psycopg.errors.NotNullViolation:
                theirs = False
            assert ours == theirs, (row, ours, theirs)
