"""Exclusion constraints (issue 12) on a real PostgreSQL: what the constraint refuses, the name PostgreSQL gives an
unnamed one, and the migration that adds one to a table holding conflicting rows (it stops before any change, naming
the rows). The catalog of the from-scratch SQL against hand-written SQL, and the diff (add, change, rename, drop,
down), are diff cases: tests/diff_cases/*exclusion_constraint*/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pg
import psycopg
import pytest
import yaml
from diff_harness import ACCOUNT_A, CASES_DIR, ROWS, full_sql, load, query, specs
from schemagen import diff, resolve
from schemagen.spec import loader

BOOKING = """
migration: {version: 1, name: book}
extensions: {btree_gist: {}}
tables:
  booking:
    columns:
      id: {type: bigint, primary_key: true}
      room: {type: integer, not_null: true}
      starts_at: {type: timestamptz, not_null: true}
      ends_at: {type: timestamptz, not_null: true}
      cancelled: {type: boolean, not_null: true, default: false}
      label: {type: text}
    constraints:
      - name: no_double_booking
        exclude: [room WITH =, "tstzrange(starts_at, ends_at) WITH &&"]
        using: gist
        where: NOT cancelled
      - {exclude: ["lower(label) WITH =", room WITH =], using: gist, include: [id]}
      - {exclude: ["(room + 0) WITH =", "(label::varchar) WITH ="], using: gist}
"""


def schema_of(tmp_path: Path, text: str) -> Any:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "book.yaml").write_text(text)
    return resolve.resolve(loader.load_dir(tmp_path / "spec", tmp_path))


def test_the_constraint_refuses_overlapping_bookings_of_a_room(db_url: str, tmp_path: Path) -> None:
    pg.apply_sql(db_url, full_sql(schema_of(tmp_path, BOOKING)))
    insert = "INSERT INTO booking (id, room, starts_at, ends_at, cancelled, label) VALUES "
    pg.apply_sql(db_url, insert + "(1, 7, '2026-01-01 10:00+00', '2026-01-01 12:00+00', false, 'a')")
    pg.apply_sql(db_url, insert + "(2, 8, '2026-01-01 10:00+00', '2026-01-01 12:00+00', false, 'b')")  # another room
    pg.apply_sql(db_url, insert + "(3, 7, '2026-01-01 12:00+00', '2026-01-01 13:00+00', false, 'c')")  # right after
    pg.apply_sql(db_url, insert + "(4, 7, '2026-01-01 11:00+00', '2026-01-01 12:00+00', true, 'd')")  # cancelled
    with pytest.raises(psycopg.errors.ExclusionViolation, match="no_double_booking"):
        pg.apply_sql(db_url, insert + "(5, 7, '2026-01-01 11:30+00', '2026-01-01 12:30+00', false, 'e')")
    with pytest.raises(psycopg.errors.ExclusionViolation, match="booking_lower_room_id_excl"):
        pg.apply_sql(db_url, insert + "(6, 7, '2026-02-01 10:00+00', '2026-02-01 11:00+00', false, 'A')")


def test_an_unnamed_constraint_gets_the_name_postgresql_gives_it(db_url: str, tmp_path: Path) -> None:
    schema = schema_of(tmp_path, BOOKING)
    (table,) = schema.tables
    ours = sorted(c.name for c in table.constraints if c.kind == "exclude")
    pg.apply_sql(
        db_url,
        """CREATE EXTENSION btree_gist;
        CREATE TABLE booking (id bigint PRIMARY KEY, room integer NOT NULL, starts_at timestamptz NOT NULL,
            ends_at timestamptz NOT NULL, cancelled boolean NOT NULL DEFAULT false, label text,
            CONSTRAINT no_double_booking EXCLUDE USING gist (room WITH =, tstzrange(starts_at, ends_at) WITH &&)
                WHERE (NOT cancelled),
            EXCLUDE USING gist (lower(label) WITH =, room WITH =) INCLUDE (id),
            EXCLUDE USING gist ((room + 0) WITH =, (label::varchar) WITH =))""",
    )
    assert ours == [r[0] for r in query(db_url, "SELECT conname FROM pg_constraint WHERE contype = 'x' ORDER BY 1")]


def test_adding_one_over_conflicting_rows_stops_before_any_change_naming_them(pg_admin_url: str, tmp_path: Path):
    case = load(CASES_DIR / "add_exclusion_constraint")
    old, new, sources = specs(case, tmp_path)
    m = diff.migration(old, new, number=2, name=case.name, previous="0001_shop", sources=sources)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, full_sql(old))
        pg.apply_sql(url, ROWS)
        # Ada's desk (qty 1 .. 2) now overlaps her lamp (qty 3 .. 4) once its quantity is 3 too
        pg.apply_sql(url, "UPDATE item SET qty = 3, status = 'active' WHERE label = 'desk'")
        before = pg.schema_dump(url), query(url, "SELECT * FROM item ORDER BY id")
        with pytest.raises(psycopg.Error) as stopped:
            pg.apply_sql_per_statement(url, m.up)
        assert (pg.schema_dump(url), query(url, "SELECT * FROM item ORDER BY id")) == before
        text = str(stopped.value)
        assert "1 pair(s) of rows conflict under exclusion constraint item_no_overlapping_qty" in text, text
        assert "(first: id=1 and id=2)" in text, text
        assert "item_label_qty_excl" not in text  # lamp and desk keep different labels
        assert ACCOUNT_A not in text
        # the rows fixed, the same file applies
        pg.apply_sql(url, "UPDATE item SET qty = 5 WHERE label = 'desk'")
        pg.apply_sql_per_statement(url, m.up)
        assert query(url, "SELECT count(*) FROM pg_constraint WHERE contype = 'x'") == [(2,)]


def test_a_state_without_exclusion_fields_loads(tmp_path: Path) -> None:
    from schemagen.chain import state

    data = yaml.safe_load((Path(__file__).parent / "states/format3/migrations/0001_shop.state.json").read_text())
    schema = state.decode(data)
    assert all(c.exclusion == () and c.method is None for t in schema.tables for c in t.constraints)
