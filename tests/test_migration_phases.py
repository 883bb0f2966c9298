"""What a migration's phases do when a run fails, or is run again (review of issue 10, items 4, 6 and 8).

Each test builds a diff case's old schema with rows on a real PostgreSQL,
applies the generated migration statement by statement as psql runs a file,
and judges by the database: the error it raises, its catalog, its rows.
"""

from __future__ import annotations

from typing import Any

import pg
import psycopg
import pytest
from diff_harness import ROWS, Case, columns, edit, from_phase, full_sql, phases, query, specs, table
from schemagen import diff
from test_partition_moves import EVENTS, MOVES, migration_of, run_statements, split
from test_partition_moves import ROWS as MOVE_ROWS

INDEX = "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('public.{}')"


def migration(case: Case, tmp_path: Any) -> tuple[str, str, str]:
    """(old schema SQL, up, down) of a case."""
    old, new, sources = specs(case, tmp_path)
    m = diff.migration(old, new, number=2, name=case.name, previous="0001_shop", sources=sources)
    assert not m.refusals, m.refusals
    return full_sql(old), m.up, m.down


# -- item 4: an index the migration drops is dropped after the main transaction ----------

DROP_INDEX = Case(
    "drop_index_add_column",
    edit(
        lambda s: table(s, "item")["indexes"].pop("idx_item_active"),
        lambda s: columns(s, "item").update(color={"type": "text"}),
    ),
)
CHANGE_INDEX = Case(
    "change_index_add_column",
    edit(
        lambda s: table(s, "item")["indexes"].update(idx_item_active={"columns": ["account_id", "qty"]}),
        lambda s: columns(s, "item").update(color={"type": "text"}),
    ),
)


@pytest.mark.parametrize("case", [DROP_INDEX, CHANGE_INDEX], ids=str)
def test_a_main_transaction_that_fails_after_the_checks_keeps_every_index(pg_admin_url, tmp_path, case):
    """The checks pass, then the main transaction fails: the index it drops or rebuilds is still there, valid."""
    old_sql, up, _ = migration(case, tmp_path)
    main = phases(up)["main"]
    broken = up.replace(main, pg.inject_failure(main))
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS)
        before = pg.schema_dump(url)
        with pytest.raises(psycopg.errors.DivisionByZero):
            pg.apply_sql_per_statement(url, broken)
        assert query(url, INDEX.format("idx_item_active")) == [(True,)]
        assert pg.schema_dump(url) == before
        pg.apply_sql_per_statement(url, up)  # the same file applies once the cause is gone
        assert query(url, "SELECT count(*) FROM item") == [(3,)]


# -- item 6: autovacuum leaves the staging tables alone ----------------------------------

STAGED = """
SELECT c.relname, c.reloptions, t.reloptions FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
WHERE n.nspname = 'schemagen_staging' AND c.relkind = 'r' ORDER BY 1
"""
OFF = ["autovacuum_enabled=false"]


def test_autovacuum_leaves_the_staging_tables_alone_until_they_take_their_place(pg_admin_url, tmp_path):
    """A VACUUM or ANALYZE that autovacuum starts on a table the copy just filled holds a lock that CREATE INDEX
    (then a foreign key, then DROP SCHEMA) waits for, and gives way only after deadlock_timeout, 1 s: the
    migration's own lock_timeout (a full benchmark run failed so in 0025's down). The staging tables, and their
    TOAST tables, are created with autovacuum off; the partitions they become have it back."""
    case = MOVES[0]
    old, _new, m = migration_of(case, tmp_path)
    before_main, main = split(m.up)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, full_sql(old))
        pg.apply_sql(url, MOVE_ROWS)
        run_statements(url, before_main)
        staged = query(url, STAGED)
        assert {name for name, _, _ in staged} >= {"event_2026_02", "event_future"}, staged
        assert all(table == OFF and toast in (None, OFF) for _, table, toast in staged), staged
        run_statements(url, main)
        assert query(url, EVENTS) == [("event_2026_01", 1), ("event_2026_02", 1), ("event_future", 2)]
        moved = "SELECT relname FROM pg_class WHERE relname LIKE 'event%' AND relkind = 'r' AND reloptions IS NOT NULL"
        assert query(url, moved) == []


# -- item 8: a run of the whole file after the main transaction committed ------------------

ADD_COLUMN_AND_INDEX = Case(
    "add_color_and_its_index",
    edit(
        lambda s: columns(s, "item").update(color={"type": "text"}),
        lambda s: table(s, "item")["indexes"].update(idx_item_color={"columns": ["color"]}),
    ),
)


def test_running_the_whole_file_again_after_the_main_transaction_says_where_to_resume(pg_admin_url, tmp_path):
    """A phase after the main transaction stops; the whole file is run again instead of resuming at its marker.
    Before, its ALTER TABLE failed with `column "color" already exists`, far from what to do; now its first
    statement stops, changes nothing, and names the marker line to run from (and `schemagen migrate`)."""
    old_sql, up, _ = migration(ADD_COLUMN_AND_INDEX, tmp_path)
    after = phases(up)["after"]
    broken = up.replace(after, after + pg.INJECTED_FAILURE)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS)
        with pytest.raises(psycopg.errors.DivisionByZero):
            pg.apply_sql_per_statement(url, broken)  # the main transaction committed, the last phase stopped
        stopped = pg.schema_dump(url)
        with pytest.raises(psycopg.Error) as again:
            pg.apply_sql_per_statement(url, up)
        assert isinstance(again.value, psycopg.errors.RaiseException), again.value
        message = f"{again.value} {again.value.diag.message_hint}"
        assert "0002_add_color_and_its_index" in message and "column public.item.color exists" in message, message
        assert "-- schemagen:phase after no-transaction" in message and "schemagen migrate" in message, message
        assert pg.schema_dump(url) == stopped
        pg.apply_sql_per_statement(url, from_phase(up, "after"))  # what the message says to do
        assert query(url, INDEX.format("idx_item_color")) == [(True,)]
        assert query(url, "SELECT count(*) FROM item") == [(3,)]


def test_a_first_run_of_the_file_passes_the_guard(pg_admin_url, tmp_path):
    """The guard stops a run only once the main transaction has committed: up, then down, then up again apply."""
    old_sql, up, down = migration(ADD_COLUMN_AND_INDEX, tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS)
        for sql in (up, down, up):
            pg.apply_sql_per_statement(url, sql)
        assert query(url, INDEX.format("idx_item_color")) == [(True,)]
