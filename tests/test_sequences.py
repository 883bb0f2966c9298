"""Sequences on a real PostgreSQL: `sequences:`, nextval defaults and the serial shorthands.

The from-scratch SQL of tests/sequence_cases/spec/ must give the catalog that the same schema written by hand
(tests/sequence_cases/handwritten.sql, with `serial` columns) gives, compared through pg_dump; the database it
builds reads back as its state (drift finds nothing); rows take their numbers from the sequences.
"""

from __future__ import annotations

from pathlib import Path

import pg
from catalog_check import assert_reads_back
from models_support import generate, import_file, write_models
from psycopg.rows import dict_row
from schemagen import ir, resolve
from schemagen.spec import loader
from schemagen.sql import from_scratch

CASE = Path(__file__).parent / "sequence_cases"


def _state() -> ir.Schema:
    return resolve.resolve(loader.load_dir(CASE / "spec"))


def test_serial_expands_as_postgresql_expands_it() -> None:
    state = _state()
    orders = next(t for t in state.tables if t.name.name == "orders")
    id_column = orders.column("id")
    assert id_column is not None
    assert (id_column.sql_type, id_column.not_null) == ("integer", True)
    assert id_column.default == "nextval('public.orders_id_seq'::regclass)"
    made = {s.name.name: s for s in state.sequences}
    assert made["orders_line_seq"].data_type == "smallint"
    assert (made["events_id_seq"].owner, made["events_id_seq"].owner_column) == (ir.Name("public", "events"), "id")
    assert made["countdown"].start == -1 and made["countdown"].min_value == -(2**31)


def test_the_catalog_equals_the_handwritten_schema(pg_admin_url: str) -> None:
    state = _state()
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, from_scratch.migration_sql(state, ["shop"]))
        pg.apply_sql(theirs, (CASE / "handwritten.sql").read_text())
        pg.assert_same_schema(ours, theirs, label_a="schemagen", label_b="handwritten.sql")
        assert_reads_back(ours, state, "sequence_cases")


def test_rows_take_their_numbers_from_the_sequences(db_url: str) -> None:
    pg.apply_sql(db_url, from_scratch.migration_sql(_state(), ["shop"]))
    with pg.connect(db_url) as conn:
        rows = conn.execute("INSERT INTO orders DEFAULT VALUES RETURNING id, number, line, ticket").fetchall()
        rows += conn.execute("INSERT INTO orders DEFAULT VALUES RETURNING id, number, line, ticket").fetchall()
        assert rows == [(1, 1000, 1, 10), (2, 1001, 2, 15)]
        assert conn.execute("SELECT nextval('countdown'), nextval('countdown')").fetchone() == (-1, -2)
        conn.execute("DROP TABLE orders")  # OWNED BY: the owned sequences go with their columns
        left = conn.execute("SELECT relname FROM pg_class WHERE relkind = 'S' ORDER BY relname").fetchall()
        assert left == [("countdown",), ("events_id_seq",), ("ticket",)]


def test_models_leave_serial_columns_to_the_database(db_url: str, tmp_path: Path) -> None:
    """A serial column (and one with a nextval default) is optional on insert; the rows read back validate."""
    models = import_file(write_models(CASE / "spec", tmp_path)["models/shop.py"])
    pg.apply_sql(db_url, from_scratch.migration_sql(_state(), ["shop"]))
    insert = models.OrdersInsert()  # nothing given: every column has its sequence
    assert insert.model_dump(exclude_unset=True) == {}
    with pg.connect(db_url, row_factory=dict_row) as conn:
        row = conn.execute("INSERT INTO orders DEFAULT VALUES RETURNING *").fetchone()
    assert models.Orders.model_validate(row).number == 1000


def test_the_docs_list_the_sequences_of_each_module() -> None:
    page = generate(CASE / "spec").outputs["docs/shop.md"]
    section = page.split("## Sequences", 1)[1].split("\n## ", 1)[0]
    assert '<a id="sequence-public.order_number_seq"' in section
    assert "[orders](#table-public.orders).id (serial)" in section
    assert "ALTER SEQUENCE public.order_number_seq OWNED BY public.orders.number;" in section
