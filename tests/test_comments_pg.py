"""Comments on every kind of object (issue 12): in the spec, COMMENT ON in the from-scratch SQL, read back by the
catalog reader, and a comment changed by hand is drift, for each kind.

The catalog the from-scratch SQL gives equals the one of the same schema written by hand (pg_dump, which
prints every COMMENT ON).
"""

from __future__ import annotations

from pathlib import Path

import pg
import pytest
from catalog_check import assert_reads_back, read_back
from schemagen import resolve
from schemagen.spec import loader
from schemagen.sql import from_scratch
from schemagen.sql.standins import standin_sql

SPEC = """\
migration: {version: 1, name: notes}
schemas:
  private: {comment: c-schema}
extensions:
  hstore: {comment: c-extension}
enums:
  mood: {values: [ok, bad], comment: c-enum}
sequences:
  ticket_seq: {comment: c-sequence}
tables:
  note:
    comment: c-table
    columns:
      id: {type: integer, primary_key: true}
      body: {type: text, comment: c-column}
      n: {type: integer, generated: "id * 2", comment: c-generated}
    constraints:
      - {name: note_body_check, check: "body <> ''", comment: c-constraint}
    indexes:
      note_body: {columns: [body], comment: c-index}
    row_level_security: true
    policies:
      note_read: {command: select, using: "true", comment: c-policy}
    triggers:
      note_touch: {timing: before, events: [update], function: touch, comment: c-trigger}
  log:
    columns:
      at: {type: date, not_null: true}
    partitioning:
      key: [at]
      partitions:
        log_2026: {from: "2026-01-01", to: "2027-01-01", comment: c-partition}
functions:
  touch:
    returns: trigger
    body: BEGIN RETURN NEW; END;
    comment: c-function
views:
  note_bodies:
    query: SELECT id, body FROM note
    comment: c-view
materialized_views:
  note_count:
    query: SELECT count(*) AS n FROM note
    comment: c-materialized-view
publications:
  notes: {tables: [note], comment: c-publication}
"""

BY_HAND = """\
CREATE SCHEMA private;
COMMENT ON SCHEMA private IS 'c-schema';
CREATE EXTENSION hstore;
COMMENT ON EXTENSION hstore IS 'c-extension';
CREATE TYPE mood AS ENUM ('ok', 'bad');
COMMENT ON TYPE mood IS 'c-enum';
CREATE SEQUENCE ticket_seq;
COMMENT ON SEQUENCE ticket_seq IS 'c-sequence';
CREATE TABLE note (
    id integer PRIMARY KEY,
    body text,
    n integer GENERATED ALWAYS AS (id * 2) STORED,
    CONSTRAINT note_body_check CHECK (body <> '')
);
COMMENT ON TABLE note IS 'c-table';
COMMENT ON COLUMN note.body IS 'c-column';
COMMENT ON COLUMN note.n IS 'c-generated';
COMMENT ON CONSTRAINT note_body_check ON note IS 'c-constraint';
CREATE INDEX note_body ON note (body);
COMMENT ON INDEX note_body IS 'c-index';
ALTER TABLE note ENABLE ROW LEVEL SECURITY;
CREATE POLICY note_read ON note FOR SELECT USING (true);
COMMENT ON POLICY note_read ON note IS 'c-policy';
CREATE TABLE log (at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE log_2026 PARTITION OF log FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
COMMENT ON TABLE log_2026 IS 'c-partition';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RETURN NEW; END;
$$;
COMMENT ON FUNCTION touch() IS 'c-function';
CREATE TRIGGER note_touch BEFORE UPDATE ON note FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON TRIGGER note_touch ON note IS 'c-trigger';
CREATE VIEW note_bodies AS SELECT id, body FROM note;
COMMENT ON VIEW note_bodies IS 'c-view';
CREATE MATERIALIZED VIEW note_count AS SELECT count(*) AS n FROM note;
COMMENT ON MATERIALIZED VIEW note_count IS 'c-materialized-view';
CREATE PUBLICATION notes FOR TABLE note;
COMMENT ON PUBLICATION notes IS 'c-publication';
"""

# Each kind's comment changed by hand, and the line drift reports it with.
CHANGED = [
    ("COMMENT ON SCHEMA private IS 'x'", "schema private: comment is"),
    ("COMMENT ON EXTENSION hstore IS 'x'", "extension hstore: comment is"),
    ("COMMENT ON TYPE mood IS 'x'", "enum mood: comment is"),
    ("COMMENT ON SEQUENCE ticket_seq IS 'x'", "sequence ticket_seq: comment is"),
    ("COMMENT ON TABLE note IS 'x'", "table note: comment is"),
    ("COMMENT ON COLUMN note.body IS 'x'", "column note.body: comment is"),
    ("COMMENT ON COLUMN note.n IS 'x'", "column note.n: comment is"),
    ("COMMENT ON CONSTRAINT note_body_check ON note IS 'x'", "constraint note_body_check on note: comment is"),
    ("COMMENT ON INDEX note_body IS 'x'", "index note_body on note: comment is"),
    ("COMMENT ON POLICY note_read ON note IS 'x'", "policy note_read on note: comment is"),
    ("COMMENT ON TABLE log_2026 IS 'x'", "partition log_2026"),
    ("COMMENT ON FUNCTION touch() IS 'x'", "function touch: comment is"),
    ("COMMENT ON TRIGGER note_touch ON note IS 'x'", "trigger note_touch on note: comment is"),
    ("COMMENT ON VIEW note_bodies IS 'x'", "view note_bodies: comment is"),
    ("COMMENT ON MATERIALIZED VIEW note_count IS 'x'", "view note_count: comment is"),
    ("COMMENT ON PUBLICATION notes IS 'x'", "publication notes: comment is"),
]


def schema_of(tmp_path: Path):
    spec = tmp_path / "spec"
    spec.mkdir(exist_ok=True)
    (spec / "notes.yaml").write_text(SPEC, encoding="utf-8")
    return resolve.resolve(loader.load_dir(spec, tmp_path))


def test_every_kind_is_commented_as_by_hand_and_read_back(pg_admin_url, tmp_path) -> None:
    schema = schema_of(tmp_path)
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, standin_sql(schema) + from_scratch.migration_sql(schema, ["notes.yaml"]))
        pg.apply_sql(theirs, BY_HAND)
        dump = pg.schema_dump(ours)
        assert dump == pg.schema_dump(theirs)
        assert dump.count("COMMENT ON") == len(CHANGED)
        assert_reads_back(ours, schema, "comments")


@pytest.mark.parametrize(("statement", "line"), CHANGED, ids=[c[1].split(":")[0] for c in CHANGED])
def test_a_comment_changed_by_hand_is_drift(pg_admin_url, tmp_path, statement, line) -> None:
    schema = schema_of(tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, standin_sql(schema) + from_scratch.migration_sql(schema, ["notes.yaml"]))
        pg.apply_sql(url, statement)
        report, _live, _found = read_back(url, schema)
    lines = [f.line for f in report.findings]
    assert len(lines) == 1 and lines[0].startswith(line), lines
