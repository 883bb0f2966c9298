"""Schemas of the spec's own (`schemas:`), on a real PostgreSQL.

The from-scratch SQL gives the catalog the same schema written by hand gives
(pg_dump); drift finds a schema changed by hand and `--sql` repairs it; a
schema that still holds an object the spec does not know is not dropped, and
the migration that tries stops with nothing changed. The diff of a schema
with what it holds (create, then the down migration: drop) is the diff case
tests/diff_cases/create_schema_with_objects.
"""

from __future__ import annotations

from pathlib import Path

import pg
import psycopg
import pytest
from catalog_check import read_back
from diff_harness import schema_of
from schemagen import diff, ir
from schemagen.db import align, catalog, drift
from schemagen.sql import from_scratch

SPEC = """
module: app
migration: {version: 1, name: start}
external:
  roles: [authenticated]
schemas:
  private:
    comment: Helpers the API does not expose.
tables:
  account:
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      name: {type: text, not_null: true}
  private.audit_note:
    comment: Notes only staff read.
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      account_id: {type: uuid, not_null: true, references: account(id)}
      body: {type: text, not_null: true}
    indexes:
      audit_note_account: {columns: [account_id]}
functions:
  private.is_staff:
    returns: boolean
    language: sql
    volatility: stable
    security: definer
    search_path: []
    body: SELECT current_setting('app.staff', true) = 'on'
grants:
  - {privileges: [usage], schemas: [private], to: [authenticated]}
  - {privileges: [select], tables: [private.audit_note], to: [authenticated]}
  - {privileges: [execute], functions: [private.is_staff], to: [authenticated]}
"""

BY_HAND = """
CREATE SCHEMA private;
COMMENT ON SCHEMA private IS 'Helpers the API does not expose.';
CREATE TABLE account (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
CREATE TABLE private.audit_note (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES account (id),
    body text NOT NULL
);
COMMENT ON TABLE private.audit_note IS 'Notes only staff read.';
CREATE INDEX audit_note_account ON private.audit_note (account_id);
CREATE FUNCTION private.is_staff() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
    AS $$
SELECT current_setting('app.staff', true) = 'on'
$$;
GRANT USAGE ON SCHEMA private TO authenticated;
GRANT SELECT ON private.audit_note TO authenticated;
GRANT EXECUTE ON FUNCTION private.is_staff() TO authenticated;
"""


def schema(tmp_path: Path, text: str, name: str = "spec") -> ir.Schema:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "app.yaml").write_text(text)
    return schema_of(directory)[0]


def test_the_from_scratch_sql_gives_the_catalog_of_the_schema_written_by_hand(
    pg_admin_url: str, tmp_path: Path
) -> None:
    sql = from_scratch.migration_sql(schema(tmp_path, SPEC), ["app.yaml"])
    with pg.fresh_database(pg_admin_url) as built, pg.fresh_database(pg_admin_url) as by_hand:
        pg.apply_sql(built, sql)
        pg.apply_sql(by_hand, BY_HAND)
        pg.assert_same_schema(built, by_hand, label_a="schemagen", label_b="by hand")


def test_a_schema_declared_in_a_later_file_holds_a_table_of_an_earlier_one(pg_admin_url: str, tmp_path: Path) -> None:
    directory = tmp_path / "spec"
    directory.mkdir()
    (directory / "a_notes.yaml").write_text(
        "module: notes\ntables:\n  private.note:\n    columns:\n      id: {type: integer, primary_key: true}\n"
    )
    (directory / "b_base.yaml").write_text(
        "module: base\nmigration: {version: 1, name: start}\nschemas:\n  private: {}\n"
    )
    state = schema_of(directory)[0]
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(state, ["a_notes.yaml", "b_base.yaml"]))
        assert not read_back(url, state)[0].findings


def test_drift_finds_a_schema_changed_by_hand_and_sql_repairs_it(pg_admin_url: str, tmp_path: Path) -> None:
    state = schema(tmp_path, SPEC)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(state, ["app.yaml"]))
        report, _live, _found = read_back(url, state)
        assert not report.findings, [f.line for f in report.findings]
        pg.apply_sql(
            url,
            "COMMENT ON SCHEMA private IS 'changed'; REVOKE USAGE ON SCHEMA private FROM authenticated; "
            "CREATE SCHEMA IF NOT EXISTS private; GRANT CREATE ON SCHEMA private TO authenticated;",
        )
        lines = [f.line for f in read_back(url, state)[0].findings]
        assert (
            "schema private: comment is 'changed' in the database, 'Helpers the API does not expose.' in the migrations"
            in lines
        )
        assert any("USAGE on schema private" in line for line in lines), lines
        assert any("CREATE on schema private" in line for line in lines), lines
        repaired = repair_sql(url, state)
        pg.apply_sql_per_statement(url, repaired)
        assert not read_back(url, state)[0].findings, repaired


def test_drift_finds_a_missing_schema(pg_admin_url: str, tmp_path: Path) -> None:
    state = schema(tmp_path, SPEC.replace("  private:\n    comment", "  extra: {}\n  private:\n    comment"))
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(state, ["app.yaml"]))
        pg.apply_sql(url, "DROP SCHEMA extra")
        lines = [f.line for f in read_back(url, state)[0].findings]
        assert lines == ["schema extra: missing from the database (the migrations have schema extra)"]
        pg.apply_sql_per_statement(url, repair_sql(url, state))
        assert not read_back(url, state)[0].findings


def repair_sql(url: str, state: ir.Schema) -> str:
    scope = drift.spec_schemas(state)
    with pg.connect(url) as conn:
        found = catalog.read(conn, scope)
        meaning = align.Meaning(drift.ServerJudge(conn), found.search_path)
        report = drift.compare_with(found, drift.Target(1, "0001_start", state, "test"), scope, meaning, sql=True)
    assert report.sql is not None
    return report.sql


SMALL = """
module: app
migration: {version: 1, name: start}
external:
  roles: [authenticated]
schemas:
  private: {}
functions:
  private.is_staff:
    returns: boolean
    language: sql
    body: SELECT true
tables:
  account:
    columns:
      id: {type: integer, primary_key: true}
"""


def test_a_schema_holding_an_object_the_spec_does_not_know_is_not_dropped(pg_admin_url: str, tmp_path: Path) -> None:
    old = schema(tmp_path, SMALL, "old")
    new = schema(tmp_path, SMALL.split("schemas:")[0] + "tables:" + SMALL.split("tables:")[1], "new")
    migration = diff.migration(old, new, number=2, name="drop_private", previous="0001_start", sources=["app.yaml"])
    assert not migration.refusals
    assert "DROP SCHEMA private;" in migration.up and "CASCADE;" not in migration.up
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(old, ["app.yaml"]))
        pg.apply_sql(url, "CREATE TABLE private.made_by_hand (id integer); INSERT INTO private.made_by_hand VALUES (1)")
        with pytest.raises(psycopg.Error, match="depend"):
            pg.apply_sql_per_statement(url, migration.up)
        with pg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM private.made_by_hand").fetchone() == (1,)
            assert conn.execute("SELECT to_regprocedure('private.is_staff()') IS NOT NULL").fetchone() == (True,)
