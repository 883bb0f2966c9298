"""What the lint rules claim, shown on a real PostgreSQL with the rule cases' own generated SQL.

Each rule case in tests/lint_cases/ is a valid spec: its migration applies
(except C302's, which PostgreSQL must refuse, as that rule says). A few claims
of the rules' `why` are then acted out as a non-owner role, where RLS applies.
"""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

import pg
import psycopg
import pytest
from schemagen import resolve
from schemagen.lint import Options, lint
from schemagen.lint.sqlfacts import BUILTIN_VOLATILITY, ONE_ARGUMENT_VOLATILITY
from schemagen.spec import loader
from schemagen.sql import from_scratch
from schemagen.sql.standins import standin_sql

CASES_DIR = Path(__file__).parent / "lint_cases"
CASES = sorted(p for p in CASES_DIR.glob("*.yaml") if not p.name.startswith("_"))


def case_schema(case: Path, tmp_path: Path):
    spec = tmp_path / "spec"
    spec.mkdir(exist_ok=True)
    shutil.copy(CASES_DIR / "_base.yaml", spec / "0_base.yaml")
    shutil.copy(case, spec / case.name)
    files = loader.load_dir(spec, tmp_path)
    return resolve.resolve_with_origins(files), [f.source for f in files]


def apply_case(db_url: str, name: str, tmp_path: Path) -> None:
    case = next(p for p in CASES if p.stem.startswith(name))
    (schema, _origins), sources = case_schema(case, tmp_path)
    pg.apply_sql(db_url, standin_sql(schema) + from_scratch.migration_sql(schema, sources))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_every_case_is_a_schema_postgresql_accepts(case: Path, db_url: str, tmp_path: Path) -> None:
    (schema, _), sources = case_schema(case, tmp_path)
    sql = standin_sql(schema) + from_scratch.migration_sql(schema, sources)
    if case.stem.startswith("C302"):
        with pytest.raises(psycopg.errors.InvalidObjectDefinition, match="must be marked IMMUTABLE"):
            pg.apply_sql(db_url, sql)
    else:
        pg.apply_sql(db_url, sql)


def test_builtin_volatility_table_matches_the_catalog(pg_admin_url: str) -> None:
    with pg.connect(pg_admin_url) as conn:
        rows = conn.execute(
            "SELECT proname, pronargs, provolatile FROM pg_proc WHERE pronamespace = "
            "'pg_catalog'::regnamespace AND proname = ANY(%s)",
            (list(BUILTIN_VOLATILITY) + list(ONE_ARGUMENT_VOLATILITY),),
        ).fetchall()
    levels = {"i": "immutable", "s": "stable", "v": "volatile"}
    rank = ["immutable", "stable", "volatile"]
    for name, volatility in BUILTIN_VOLATILITY.items():
        forms = [levels[v] for n, _args, v in rows if n == name]
        assert forms, f"{name} is not a built-in function"
        assert "immutable" not in forms, f"some form of {name} is immutable"
        assert max(forms, key=rank.index) == volatility, name
    for name, volatility in ONE_ARGUMENT_VOLATILITY.items():
        assert {levels[v] for n, args, v in rows if n == name and args == 1} == {volatility}


def test_s103_policies_do_nothing_without_rls(db_url: str, tmp_path: Path) -> None:
    apply_case(db_url, "S103", tmp_path)
    with pg.connect(db_url) as conn:
        for table in ("notes", "notes_rls"):
            conn.execute(f"INSERT INTO {table} (id, owner) VALUES (%s, %s)", (uuid.uuid4(), uuid.uuid4()))
    with pg.as_user(db_url, uuid.uuid4()) as conn:
        assert conn.execute("SELECT count(*) AS n FROM notes").fetchone()["n"] == 1  # someone else's row
        assert conn.execute("SELECT count(*) AS n FROM notes_rls").fetchone()["n"] == 0


def test_s108_a_partition_granted_directly_skips_the_parents_policies(db_url: str, tmp_path: Path) -> None:
    apply_case(db_url, "S108", tmp_path)
    with pg.connect(db_url) as conn:
        conn.execute("INSERT INTO events (id, owner, at) VALUES (%s, %s, '2026-06-01')", (uuid.uuid4(), uuid.uuid4()))
    with pg.as_user(db_url, uuid.uuid4()) as conn:
        assert conn.execute("SELECT count(*) AS n FROM events").fetchone()["n"] == 0
        assert conn.execute("SELECT count(*) AS n FROM events_2026").fetchone()["n"] == 1


def test_c305_no_range_partition_can_follow_a_maxvalue_one(db_url: str, tmp_path: Path) -> None:
    apply_case(db_url, "C305", tmp_path)
    with (
        pg.connect(db_url) as conn,
        pytest.raises(psycopg.errors.InvalidObjectDefinition, match='would overlap partition "events_later"'),
    ):
        conn.execute("CREATE TABLE events_2028 PARTITION OF events FOR VALUES FROM ('2028-01-01') TO ('2029-01-01')")


def test_c309_a_trigger_function_needs_no_execute_and_cannot_be_called(db_url: str, tmp_path: Path) -> None:
    apply_case(db_url, "C309", tmp_path)
    with pg.connect(db_url) as conn:
        conn.execute("REVOKE EXECUTE ON FUNCTION touch() FROM PUBLIC, authenticated")
        conn.execute("GRANT SELECT, UPDATE ON notes TO authenticated")
        conn.execute("INSERT INTO notes (id) VALUES (%s)", (uuid.uuid4(),))
        with pytest.raises(
            psycopg.errors.FeatureNotSupported, match="trigger functions can only be called as triggers"
        ):
            conn.execute("SELECT touch()")
    with pg.as_user(db_url, None) as conn:
        assert conn.execute("SELECT has_function_privilege('touch()', 'EXECUTE') AS x").fetchone()["x"] is False
        conn.execute("UPDATE notes SET updated_at = NULL")
        assert conn.execute("SELECT updated_at FROM notes").fetchone()["updated_at"] is not None  # the trigger ran


def test_c301_a_row_that_passed_a_check_with_now_stops_passing(db_url: str, tmp_path: Path) -> None:
    apply_case(db_url, "C301", tmp_path)
    with pg.connect(db_url) as conn:
        conn.execute(
            "INSERT INTO offers (id, starts_on, expires_at) VALUES (%s, current_date, now() + interval "
            "'300 milliseconds')",
            (uuid.uuid4(),),
        )
        time.sleep(0.4)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE offers SET price = 1")
        conn.execute("CREATE TABLE restored (LIKE offers INCLUDING CONSTRAINTS)")
        with pytest.raises(psycopg.errors.CheckViolation):  # what loading a dump of it does
            conn.execute("INSERT INTO restored SELECT * FROM offers")


PER_ROW_SPEC = """
module: case
tables:
  per_row:
    columns:
      id: {type: uuid, primary_key: true}
      owner: {type: uuid}
    row_level_security: true
    policies:
      per_row_select: {command: select, using: owner = auth.uid()}
  once:
    columns:
      id: {type: uuid, primary_key: true}
      owner: {type: uuid}
    row_level_security: true
    policies:
      once_select: {command: select, using: owner = (select auth.uid())}
grants:
  - {privileges: [select], tables: [per_row, once], to: [authenticated]}
"""


def test_p201_only_the_wrapped_call_becomes_an_initplan(db_url: str, tmp_path: Path) -> None:
    case = tmp_path / "P201_plans.yaml"
    case.write_text(PER_ROW_SPEC)
    (schema, origins), sources = case_schema(case, tmp_path)
    assert {f.object for f in lint(schema, origins, Options()) if f.rule == "P201"} == {"public.per_row.per_row_select"}
    pg.apply_sql(db_url, standin_sql(schema) + from_scratch.migration_sql(schema, sources))
    with pg.as_user(db_url, None) as conn:
        plans = {
            t: "\n".join(r["QUERY PLAN"] for r in conn.execute(f"EXPLAIN (COSTS OFF) SELECT * FROM {t}"))
            for t in ("per_row", "once")
        }
    # The stand-in auth.uid() is inlined: per row, its body is evaluated in the filter itself.
    assert "InitPlan" not in plans["per_row"] and "current_setting" in plans["per_row"]
    assert "InitPlan" in plans["once"]
