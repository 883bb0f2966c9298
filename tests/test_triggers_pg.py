"""Triggers as real schemas write them (issues 12 and 19), judged on PostgreSQL.

The same name on several tables (pagila's `last_updated`), declared with each
table; `UPDATE OF` columns; a statement trigger with a transition table and
arguments; PostgreSQL's own trigger functions (`tsvector_update_trigger`,
`suppress_redundant_updates_trigger`) called without being declared. The
from-scratch SQL gives the catalog the same schema written by hand gives
(pg_get_triggerdef and pg_dump), the triggers behave as PostgreSQL's do, and
the catalog reader (`schemagen drift`) reads each back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pg
from catalog_check import assert_reads_back
from schemagen import resolve
from schemagen.chain import state
from schemagen.spec import loader
from schemagen.sql import from_scratch

SPEC = """\
migration: {version: 1, name: films}
tables:
  film:
    columns:
      id: {type: integer, primary_key: true}
      title: {type: text, not_null: true}
      description: {type: text}
      rating: {type: integer}
      fulltext: {type: tsvector}
      last_update: {type: timestamptz, not_null: true, default: "'2000-01-01'"}
    triggers:
      last_updated: {timing: before, events: [update], update_of: [title, rating], function: touch, sets: [last_update]}
      film_fulltext:
        timing: before
        events: [insert, update]
        function: tsvector_update_trigger
        args: [fulltext, pg_catalog.english, title, description]
      film_added:
        timing: after
        events: [insert]
        for_each: statement
        referencing: {new_table: inserted}
        function: audit
        args: [films, "it's \\\\ new"]
      skip_noop: {timing: before, events: [update], function: pg_catalog.suppress_redundant_updates_trigger}
  actor:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text}
      last_update: {type: timestamptz, not_null: true, default: "'2000-01-01'"}
    triggers:
      actor_removed:
        timing: after
        events: [delete]
        for_each: statement
        referencing: {old_table: removed}
        function: audit
        args: [actors]
  audit_log:
    columns:
      what: {type: text, not_null: true}
      note: {type: text, not_null: true}
      n: {type: integer, not_null: true}
functions:
  touch:
    returns: trigger
    body: BEGIN NEW.last_update := now(); RETURN NEW; END;
  audit:
    returns: trigger
    body: |
      BEGIN
          IF TG_OP = 'INSERT' THEN
              INSERT INTO audit_log SELECT TG_ARGV[0], coalesce(TG_ARGV[1], ''), count(*) FROM inserted;
          ELSE
              INSERT INTO audit_log SELECT TG_ARGV[0], coalesce(TG_ARGV[1], ''), count(*) FROM removed;
          END IF;
          RETURN NULL;
      END;
triggers:
  last_updated: {table: actor, timing: before, events: [update], function: touch, sets: [last_update]}
"""

BY_HAND = """\
CREATE TABLE film (
    id integer PRIMARY KEY, title text NOT NULL, description text, rating integer, fulltext tsvector,
    last_update timestamptz NOT NULL DEFAULT '2000-01-01'
);
CREATE TABLE actor (id integer PRIMARY KEY, name text, last_update timestamptz NOT NULL DEFAULT '2000-01-01');
CREATE TABLE audit_log (what text NOT NULL, note text NOT NULL, n integer NOT NULL);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.last_update := now(); RETURN NEW; END;
$$;
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO audit_log SELECT TG_ARGV[0], coalesce(TG_ARGV[1], ''), count(*) FROM inserted;
    ELSE
        INSERT INTO audit_log SELECT TG_ARGV[0], coalesce(TG_ARGV[1], ''), count(*) FROM removed;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER last_updated BEFORE UPDATE OF title, rating ON film FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER film_fulltext BEFORE INSERT OR UPDATE ON film
    FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(fulltext, 'pg_catalog.english', title, description);
CREATE TRIGGER film_added AFTER INSERT ON film REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION audit('films', 'it''s \\ new');
CREATE TRIGGER skip_noop BEFORE UPDATE ON film FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE TRIGGER actor_removed AFTER DELETE ON actor REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION audit('actors');
CREATE TRIGGER last_updated BEFORE UPDATE ON actor FOR EACH ROW EXECUTE FUNCTION touch();
"""

TRIGGERS = """
SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal ORDER BY 1, 2
"""


def schema_of(tmp_path: Path, text: str = SPEC):
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "films.yaml").write_text(text, encoding="utf-8")
    return resolve.resolve(loader.load_dir(spec, tmp_path))


def test_the_catalog_is_the_one_of_the_same_triggers_written_by_hand(pg_admin_url, tmp_path) -> None:
    schema = schema_of(tmp_path)
    assert {(t.table.name, t.name) for t in schema.triggers} >= {("film", "last_updated"), ("actor", "last_updated")}
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, from_scratch.migration_sql(schema, ["films.yaml"]))
        pg.apply_sql(theirs, BY_HAND)
        with pg.connect(ours) as a, pg.connect(theirs) as b:
            assert a.execute(TRIGGERS).fetchall() == b.execute(TRIGGERS).fetchall()
        assert pg.schema_dump(ours) == pg.schema_dump(theirs)
        assert_reads_back(ours, schema, "triggers")  # `schemagen drift` finds nothing


def test_the_triggers_behave_as_declared(pg_admin_url, tmp_path) -> None:
    schema = schema_of(tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(schema, ["films.yaml"]))
        with pg.connect(url) as conn:
            conn.execute(
                "INSERT INTO film (id, title, description) VALUES (1, 'Alien', 'A crew meets a creature'), "
                "(2, 'Heat', 'A heist in Los Angeles')"
            )
            conn.execute("INSERT INTO actor (id, name) VALUES (1, 'Ripley'), (2, 'Hanna'), (3, 'Dallas')")
            # UPDATE OF title, rating: an update of another column does not fire it.
            conn.execute("UPDATE film SET description = 'Space horror' WHERE id = 1")
            rows = conn.execute("SELECT id, last_update = '2000-01-01' FROM film ORDER BY id").fetchall()
            assert rows == [(1, True), (2, True)]
            conn.execute("UPDATE film SET rating = 5 WHERE id = 2")
            assert conn.execute("SELECT last_update > '2000-01-01' FROM film WHERE id = 2").fetchone() == (True,)
            # tsvector_update_trigger with its arguments: the columns named, the configuration given.
            assert conn.execute("SELECT id FROM film WHERE fulltext @@ to_tsquery('english', 'horror')").fetchall() == [
                (1,)
            ]
            # the statement triggers see their transition tables, and get their arguments as written.
            conn.execute("DELETE FROM actor WHERE id > 1")
            assert conn.execute("SELECT what, note, n FROM audit_log ORDER BY what").fetchall() == [
                ("actors", "", 2),
                ("films", "it's \\ new", 2),
            ]
            # suppress_redundant_updates_trigger (fired last: triggers fire in name order): an update that changes
            # nothing writes no row version; UPDATE OF title, rating kept last_updated from changing last_update.
            assert conn.execute(
                "WITH u AS (UPDATE film SET description = description RETURNING 1) SELECT count(*) FROM u"
            ).fetchone() == (0,)


def test_a_format_2_state_reads_its_triggers_as_they_were(tmp_path) -> None:
    """A state written before transition tables, UPDATE OF and arguments were known: its triggers have none."""
    schema = schema_of(tmp_path)
    data = json.loads(state.text(schema))
    for trigger in data["triggers"]:
        for field in ("update_of", "old_table", "new_table", "args"):
            del trigger[field]
    data["format"] = 2
    old = state.decode(data)
    assert all(t.update_of == () and t.args == () and t.old_table is t.new_table is None for t in old.triggers)
    assert [(t.table, t.name) for t in old.triggers] == [(t.table, t.name) for t in schema.triggers]


CONFIG_PER_ROW = """\
migration: {version: 1, name: docs}
tables:
  doc:
    columns:
      id: {type: integer, primary_key: true}
      config: {type: regconfig, not_null: true, default: "'pg_catalog.simple'"}
      title: {type: text}
      fts: {type: tsvector, python_type: str}
    triggers:
      fts_by_row_config:
        {timing: before, events: [insert, update], function: tsvector_update_trigger_column, args: [fts, config, title]}
"""


def test_tsvector_update_trigger_column_takes_a_regconfig_column(pg_admin_url, tmp_path) -> None:
    """The configuration column of tsvector_update_trigger_column is a regconfig column (PostgreSQL raises "column
    is not of regconfig type" when a text one fires it): the type is known, and the trigger fires with each row's."""
    schema = schema_of(tmp_path, CONFIG_PER_ROW)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(schema, ["films.yaml"]))
        with pg.connect(url) as conn:
            conn.execute(
                "INSERT INTO doc (id, config, title) "
                "VALUES (1, 'pg_catalog.english', 'Running'), (2, DEFAULT, 'Running')"
            )
            assert conn.execute("SELECT id, fts::text FROM doc ORDER BY id").fetchall() == [
                (1, "'run':1"),
                (2, "'running':1"),
            ]
        assert_reads_back(url, schema, "regconfig")  # `schemagen drift` reads the column's type back
