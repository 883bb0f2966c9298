"""Spec edits become migrations that are equivalent, reversible and keep the rows (see diff_harness).

Each case is a directory of data under tests/diff_cases/ (diff_harness.load says what it holds); one
parametrized test runs them all.
"""

from __future__ import annotations

import pg
import psycopg
import pytest
from diff_harness import (
    ROWS,
    Case,
    assert_dump,
    cases,
    columns,
    full_sql,
    query,
    reference_dump,
    rename_column,
    run,
    specs,
    table,
)
from schemagen import diff

CASES = cases()


def test_only_what_calls_a_recreated_function_is_recreated(tmp_path):
    """`my_item_count(` is not a call of item_count: its policy stays."""
    case = next(c for c in CASES if c.name == "recreated_function_called_with_a_space_before_its_parenthesis")
    old, new, sources = specs(case, tmp_path)
    up = diff.migration(old, new, number=2, name=case.name, previous="0001_shop", sources=sources).up
    assert "DROP POLICY account_busy" in up
    assert "account_mine" not in up


NOTE_NOT_NULL = Case(
    "set_not_null_over_nulls_without_default", lambda s: columns(s, "item")["note"].update(not_null=True)
)


def test_not_null_over_nulls_without_default_stops_before_changing_anything(pg_admin_url, tmp_path):
    old, new, sources = specs(NOTE_NOT_NULL, tmp_path)
    up = diff.migration(old, new, number=2, name=NOTE_NOT_NULL.name, previous="0001_shop", sources=sources).up
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, full_sql(old))
        pg.apply_sql(url, ROWS)
        before = pg.schema_dump(url), query(url, "SELECT * FROM item ORDER BY id")
        with pytest.raises(psycopg.errors.RaiseException, match="item.note holds NULLs and has no default"):
            pg.apply_sql_per_statement(url, up)
        assert (pg.schema_dump(url), query(url, "SELECT * FROM item ORDER BY id")) == before
        pg.apply_sql(url, "UPDATE item SET note = 'filled' WHERE note IS NULL")
        pg.apply_sql_per_statement(url, up)  # once the NULLs are gone, the same migration runs
        assert query(url, "SELECT count(*) FROM item WHERE note = 'filled'") == [(1,)]


def test_not_null_migration_runs_again_after_stopping_in_its_last_transaction(pg_admin_url, tmp_path):
    """A run that committed the main transaction and stopped in the last one left the NOT VALID check behind."""
    old, new, sources = specs(NOTE_NOT_NULL, tmp_path)
    up = diff.migration(old, new, number=2, name=NOTE_NOT_NULL.name, previous="0001_shop", sources=sources).up
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, full_sql(old))
        pg.apply_sql(url, ROWS.replace("120.00, NULL", "120.00, 'second'"))
        pg.apply_sql(url, "ALTER TABLE item ADD CONSTRAINT item_note_not_null_check CHECK (note IS NOT NULL) NOT VALID")
        pg.apply_sql_per_statement(url, up)
        assert_dump(pg.schema_dump(url), reference_dump(pg_admin_url, full_sql(new)), "old + stopped run + up")


def _indexed_label(spec):
    table(spec, "item")["indexes"]["idx_item_label"] = {"columns": ["account_id", "label"]}


def _rename_label(spec):
    rename_column(spec, "item", "label", "title")
    table(spec, "item")["indexes"]["idx_item_label"] = {"columns": ["account_id", "title"]}


RENAME_INDEXED = Case("rename_an_indexed_column", _rename_label, old=_indexed_label)


def test_renaming_an_indexed_column_keeps_the_index(pg_admin_url, tmp_path):
    """PostgreSQL renames the column inside its indexes: the index is the same object (same oid) afterwards, not
    dropped and built again over every row."""
    old, new, sources = specs(RENAME_INDEXED, tmp_path)
    up = diff.migration(old, new, number=2, name=RENAME_INDEXED.name, previous="0001_shop", sources=sources).up
    index = "SELECT 'idx_item_label'::regclass::oid, pg_get_indexdef('idx_item_label'::regclass)"
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, full_sql(old))
        pg.apply_sql(url, ROWS)
        [(oid, _)] = query(url, index)
        pg.apply_sql_per_statement(url, up)
        assert query(url, index) == [
            (oid, "CREATE INDEX idx_item_label ON public.item USING btree (account_id, title)")
        ]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_migration_equals_new_schema_and_reverts(case, pg_admin_url, tmp_path):
    run(case, pg_admin_url, tmp_path)


def test_there_are_enough_cases():
    assert len({c.name for c in CASES}) == len(CASES) >= 70
    assert len([c for c in CASES if c.by_hand]) >= 20  # judged against SQL written by hand too
