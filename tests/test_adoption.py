"""Adopting a table (issue 14): moved from `external:` into `tables:` with `adopted: true`, the next migration
takes it over without creating it, on a real PostgreSQL that has it."""

from __future__ import annotations

from pathlib import Path

import import_harness
import pg
import psycopg
import pytest
from click.testing import CliRunner
from schemagen.cli import main

BEFORE = """
migration: {version: 1, name: init}
external:
  tables:
    legacy: {columns: {id: {type: integer, primary_key: true}}}
tables:
  item:
    columns:
      id: {type: integer, primary_key: true}
      legacy_id: {type: integer, references: legacy(id)}
"""

AFTER = """
migration: {version: 1, name: init}
tables:
  legacy:
    ADOPTED
    columns:
      id: {type: integer, primary_key: true}
      note: {type: text}
  item:
    columns:
      id: {type: integer, primary_key: true}
      legacy_id: {type: integer, references: legacy(id)}
"""

EARLIER_MIGRATION = "CREATE TABLE legacy (id integer PRIMARY KEY, note text);"


def _up(out: Path, version: int) -> Path:
    return next(p for p in (out / "migrations").glob(f"{version:04d}_*.sql") if not p.name.endswith(".down.sql"))


def _chain(tmp_path: Path, adopted: bool) -> tuple[Path, Path]:
    spec, out = tmp_path / "spec", tmp_path / "generated"
    spec.mkdir()
    (spec / "app.yaml").write_text(BEFORE)
    import_harness.build(spec, out)
    (spec / "app.yaml").write_text(AFTER.replace("ADOPTED", "adopted: true" if adopted else ""))
    import_harness.build(spec, out)
    return spec, out


def test_adopted_table_is_taken_over_not_created(db_url, tmp_path):
    _spec, out = _chain(tmp_path, adopted=True)
    up = _up(out, 2).read_text()
    assert "CREATE TABLE" not in up and "adopted" in up
    pg.apply_sql(db_url, EARLIER_MIGRATION)
    import_harness.apply_migrations(db_url, out)  # 0001, then 0002 on a database that has the table
    down = next((out / "migrations").glob("0002_*.down.sql")).read_text()
    assert "DROP TABLE" not in down  # taking it back releases the table, never drops it
    drift = CliRunner().invoke(main, ["drift", "--database-url", db_url, "--out", str(out), "--against", "newest"])
    assert drift.exit_code == 0, drift.output + drift.stderr


def test_moving_a_table_without_adopted_creates_it_and_fails_where_it_exists(db_url, tmp_path):
    """What adopted is for: the plain move writes CREATE TABLE, which a database that has the table refuses
    (the behaviour the issue reports, kept as it is without the flag)."""
    _spec, out = _chain(tmp_path, adopted=False)
    assert "CREATE TABLE public.legacy" in _up(out, 2).read_text()
    pg.apply_sql(db_url, EARLIER_MIGRATION)
    with pytest.raises(psycopg.Error, match="legacy"):
        import_harness.apply_migrations(db_url, out)


def test_adopted_table_missing_stops_the_migration_with_nothing_changed(db_url, tmp_path):
    _spec, out = _chain(tmp_path, adopted=True)
    first, second = _up(out, 1), _up(out, 2)
    pg.apply_sql(db_url, EARLIER_MIGRATION)
    pg.apply_sql_per_statement(db_url, first.read_text())
    pg.apply_sql(db_url, "DROP TABLE item; DROP TABLE legacy;")
    with pytest.raises(psycopg.errors.RaiseException, match="adopted"):
        pg.apply_sql_per_statement(db_url, second.read_text())
