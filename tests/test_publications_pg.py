"""Publications (issue 12, replication), judged on PostgreSQL.

The from-scratch SQL (with the stand-in of a publication made elsewhere, Supabase's `supabase_realtime`) gives
the catalog the same schema written by hand gives (pg_dump), `schemagen drift` reads the publications back and
sees a table removed by hand, lint C312 names the table PostgreSQL refuses to update once published, and each
table's docs say which publications carry it.
"""

from __future__ import annotations

from pathlib import Path

import markdown_doc
import pg
import psycopg
import pytest
from catalog_check import assert_reads_back, read_back
from click.testing import CliRunner
from schemagen import lint, pipeline, resolve
from schemagen.cli import main
from schemagen.spec import config, loader
from schemagen.sql import from_scratch
from schemagen.sql.standins import standin_sql

SPEC = """\
migration: {version: 1, name: chat}
external:
  publications: [supabase_realtime]
tables:
  messages:
    columns:
      id: {type: integer, primary_key: true}
      body: {type: text}
  rooms:
    columns:
      id: {type: integer, primary_key: true}
  log:
    columns:
      line: {type: text}
    replica_identity: full
publications:
  supabase_realtime: {tables: [messages, public.rooms]}
  audit: {tables: [messages, log], publish: [insert, delete], comment: What the audit service reads}
  empty: {}
"""

BY_HAND = """\
CREATE PUBLICATION supabase_realtime;
CREATE TABLE messages (id integer PRIMARY KEY, body text);
CREATE TABLE rooms (id integer PRIMARY KEY);
CREATE TABLE log (line text);
ALTER TABLE log REPLICA IDENTITY FULL;
ALTER PUBLICATION supabase_realtime ADD TABLE messages, rooms;
CREATE PUBLICATION audit FOR TABLE messages, log WITH (publish = 'insert, delete');
COMMENT ON PUBLICATION audit IS 'What the audit service reads';
CREATE PUBLICATION empty;
"""


def schema_of(tmp_path: Path, text: str = SPEC):
    spec = tmp_path / "spec"
    spec.mkdir(exist_ok=True)
    (spec / "chat.yaml").write_text(text, encoding="utf-8")
    return resolve.resolve(loader.load_dir(spec, tmp_path))


def test_the_catalog_is_the_one_of_the_same_publications_written_by_hand(pg_admin_url, tmp_path) -> None:
    schema = schema_of(tmp_path)
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, standin_sql(schema) + from_scratch.migration_sql(schema, ["chat.yaml"]))
        pg.apply_sql(theirs, BY_HAND)
        assert pg.schema_dump(ours) == pg.schema_dump(theirs)
        assert_reads_back(ours, schema, "publications")  # `schemagen drift` finds nothing


def test_drift_sees_a_table_taken_out_of_a_publication_and_one_made_by_hand(pg_admin_url, tmp_path) -> None:
    schema = schema_of(tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, standin_sql(schema) + from_scratch.migration_sql(schema, ["chat.yaml"]))
        pg.apply_sql(
            url,
            "ALTER PUBLICATION supabase_realtime DROP TABLE rooms; ALTER PUBLICATION audit SET (publish = 'insert');"
            "CREATE PUBLICATION stray FOR TABLE rooms",
        )
        report, _live, _found = read_back(url, schema)
        lines = sorted(f.line for f in report.findings)
    assert lines == [
        "publication audit: publish is insert in the database, insert, delete in the migrations",
        "publication stray: not in the migrations (the database has publication of rooms)",
        "publication supabase_realtime: tables is messages in the database, messages, rooms in the migrations",
    ]


def test_c312_names_the_table_postgresql_refuses_to_update_once_published(pg_admin_url, tmp_path) -> None:
    """The lint rule says what PostgreSQL does: a published table without a replica identity takes no UPDATE."""
    text = SPEC.replace("    replica_identity: full\n", "")
    schema = schema_of(tmp_path, text)
    found = [f for f in lint.lint(schema) if f.rule == "C312"]
    assert [(f.object, f.message) for f in found] == [
        (
            "public.log",
            (
                "publication audit publishes delete of log, which has no replica identity (no primary key, "
                "replica_identity: default)"
            ),
        )
    ]
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, standin_sql(schema) + from_scratch.migration_sql(schema, ["chat.yaml"]))
        pg.apply_sql(url, "INSERT INTO log VALUES ('a')")  # inserts need no replica identity
        with pg.connect(url) as conn, pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="replica"):
            conn.execute("DELETE FROM log")
        pg.apply_sql(url, "ALTER TABLE log REPLICA IDENTITY FULL")  # what replica_identity: full does
        pg.apply_sql(url, "DELETE FROM log")


def test_each_table_page_says_which_publications_carry_it(tmp_path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "chat.yaml").write_text(SPEC, encoding="utf-8")
    page = markdown_doc.parse(pipeline.generate(config.load(tmp_path)).outputs["docs/chat.md"])
    rows = page.section("Publications").tables[0].texts()
    assert [r[0].strip() for r in rows] == ["supabase_realtime", "audit", "empty"]
    assert rows[1][1:] == ["messages, log", "insert, delete", "What the audit service reads"]
    messages = page.section("Tables", "Table messages")
    assert any("Publications: supabase_realtime, audit" in line for line in messages.text), messages.text


FILTERED = """\
migration: {version: 1, name: chat}
tables:
  messages:
    columns:
      id: {type: integer, primary_key: true}
      body: {type: text}
      hidden: {type: boolean, not_null: true, default: "false"}
publications:
  visible:
    tables:
      - {table: messages, columns: [id, body], where: "NOT hidden"}
    publish: [insert]
  changes:
    tables:
      - {table: messages, where: "id > 100"}
"""

FILTERED_BY_HAND = """\
CREATE TABLE messages (id integer PRIMARY KEY, body text, hidden boolean NOT NULL DEFAULT false);
CREATE PUBLICATION visible FOR TABLE messages (id, body) WHERE (NOT hidden) WITH (publish = 'insert');
CREATE PUBLICATION changes FOR TABLE messages WHERE (id > 100);
"""


def test_column_lists_and_row_filters_as_by_hand_read_back_and_drift(pg_admin_url, tmp_path) -> None:
    schema = schema_of(tmp_path, FILTERED)
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        if pg.server_major(ours) < 15:
            pytest.skip("column lists and row filters need PostgreSQL 15")
        pg.apply_sql(ours, from_scratch.migration_sql(schema, ["chat.yaml"]))
        pg.apply_sql(theirs, FILTERED_BY_HAND)
        assert pg.schema_dump(ours) == pg.schema_dump(theirs)
        assert_reads_back(ours, schema, "publication filters")
        pg.apply_sql(ours, "ALTER PUBLICATION changes SET TABLE messages WHERE (id > 200)")
        report, _live, _found = read_back(ours, schema)
    assert [f.line for f in report.findings] == [
        (
            "publication changes: column lists and row filters is public.messages WHERE (id > 200) in the database, "
            "public.messages WHERE (id > 100) in the migrations"
        )
    ]


def test_c312_a_row_filter_outside_the_replica_identity_stops_updates(pg_admin_url, tmp_path) -> None:
    text = FILTERED.replace('where: "id > 100"', 'where: "NOT hidden"')
    schema = schema_of(tmp_path, text)
    assert [f.message for f in lint.lint(schema) if f.rule == "C312"] == [
        (
            "publication changes publishes update/delete of messages with a row filter on hidden, outside its replica "
            "identity"
        )
    ]
    with pg.fresh_database(pg_admin_url) as url:
        if pg.server_major(url) < 15:
            pytest.skip("row filters need PostgreSQL 15")
        pg.apply_sql(url, from_scratch.migration_sql(schema, ["chat.yaml"]))
        pg.apply_sql(url, "INSERT INTO messages (id, body) VALUES (1, 'a')")
        with pg.connect(url) as conn, pytest.raises(psycopg.errors.InvalidColumnReference, match="replica identity"):
            conn.execute("UPDATE messages SET body = 'b'")


def test_a_column_list_or_row_filter_needs_postgres_version_15(tmp_path, monkeypatch) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "chat.yaml").write_text(FILTERED, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.schemagen]\npostgres_version = 14\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1, result.output
    assert (
        "spec/chat.yaml:11:9: E064 a column list or row filter (table messages of publication visible) needs "
        "PostgreSQL 15; postgres_version (pyproject.toml [tool.schemagen]) is 14"
    ) in result.output
