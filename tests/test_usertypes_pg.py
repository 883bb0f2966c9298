"""Domains, composite types and range types on a real PostgreSQL (types5).

The from-scratch SQL of tests/usertype_cases/spec/ must give the catalog the same schema written by hand gives
(pg_dump); the database reads back as its state (drift finds nothing); rows read back validate in the row model
(ranges as psycopg's Range, multiranges as its Multirange, a composite value through register_composite).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import docs_build
import pg
import psycopg
import pytest
from catalog_check import assert_reads_back, read_back
from models_support import generate, import_file, write_models
from psycopg.rows import dict_row
from psycopg.types import TypeInfo
from psycopg.types.composite import CompositeInfo, register_composite
from psycopg.types.multirange import Multirange, MultirangeInfo, register_multirange
from psycopg.types.range import Range, RangeInfo, register_range
from schemagen import diff, ir, resolve
from schemagen.spec import loader
from schemagen.sql import from_scratch

CASE = Path(__file__).parent / "usertype_cases"


def _state() -> ir.Schema:
    return resolve.resolve(loader.load_dir(CASE / "spec"))


def test_the_catalog_equals_the_handwritten_schema(pg_admin_url: str) -> None:
    state = _state()
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, "CREATE SCHEMA extensions;\n" + from_scratch.migration_sql(state, ["types"]))
        pg.apply_sql(theirs, (CASE / "handwritten.sql").read_text())
        pg.assert_same_schema(ours, theirs, label_a="schemagen", label_b="handwritten.sql")
        assert_reads_back(ours, state, "usertype_cases")


def test_types_are_created_before_what_uses_them() -> None:
    sql = from_scratch.migration_sql(_state(), ["types"])
    assert sql.index("CREATE EXTENSION") < sql.index("CREATE DOMAIN public.email")
    assert sql.index("CREATE TYPE public.mood") < sql.index("CREATE DOMAIN public.happy_mood")
    assert sql.index("CREATE DOMAIN public.code") < sql.index("CREATE TYPE public.address")
    assert sql.index("CREATE TYPE public.address") < sql.index("CREATE TYPE public.shipment")
    assert sql.index("CREATE TYPE public.shipment") < sql.index("CREATE TABLE public.item")
    assert sql.index("CREATE TYPE public.address") < sql.index("CREATE DOMAIN public.street_address")


ROW = """
INSERT INTO item VALUES (
    1, 'Ann@Example.com', ARRAY['a@b.c']::email[], 5, 'AB-1', 12.50, 'happy', ARRAY['x', 'y'],
    ROW('Main St 1', '1000', ARRAY['c@d.e']::email[])::address, ARRAY[ROW('Side St 2', NULL, NULL)::address],
    ROW(ROW('Dock 3', '2000', NULL)::address, 1.5)::shipment, ROW('Office 4', NULL, NULL)::address,
    tstzrange('2026-01-01 00:00+00', '2026-02-01 00:00+00'), '{[2026-01-01,2026-01-05), [2026-02-01,2026-02-03)}',
    ARRAY[int4range(1, 10), int4range(20, NULL)], int8range(1, 2), numrange(1.5, 2.5),
    tsrange('2026-01-01 08:00', '2026-01-01 17:00'), daterange('2026-01-01', '2026-12-31'),
    floatrange(0.5, 1.5), '{[1,2), [3,4)}', price_band(10, 20), '{[0,5)}'
)
"""


def test_rows_read_back_validate_in_the_models(db_url: str, tmp_path: Path) -> None:
    models = import_file(write_models(CASE / "spec", tmp_path)["models/types.py"])
    pg.apply_sql(db_url, "CREATE SCHEMA extensions;\n" + from_scratch.migration_sql(_state(), ["types"]))
    with pg.connect(db_url, row_factory=dict_row) as conn:
        conn.execute(ROW)
        email = TypeInfo.fetch(conn, "email")  # arrays of a domain over a non-built-in type: as for citext[]
        assert email is not None
        email.register(conn)
        for name in ("address", "shipment"):
            info = CompositeInfo.fetch(conn, name)
            assert info is not None
            register_composite(info, conn)
        for name in ("floatrange", "price_band"):
            r = RangeInfo.fetch(conn, name)
            assert r is not None
            register_range(r, conn)
        for name in ("floatmultirange", "price_bands"):
            m = MultirangeInfo.fetch(conn, name)
            assert m is not None
            register_multirange(m, conn)
        row = conn.execute("SELECT * FROM item").fetchone()
    read = models.Item.model_validate(row)
    assert (read.contact, read.contacts, read.qty, read.sku, read.cost) == (
        "Ann@Example.com",
        ["a@b.c"],
        5,
        "AB-1",
        Decimal("12.50"),
    )
    assert read.mood == models.Mood.HAPPY and read.labels == ["x", "y"]
    assert read.home == models.Address(street="Main St 1", zip="1000", contacts=["c@d.e"])
    assert read.homes == [models.Address(street="Side St 2", zip=None, contacts=None)]
    assert read.parcel.to_address.street == "Dock 3" and read.parcel.weight == 1.5
    assert read.office == models.Address(street="Office 4", zip=None, contacts=None)
    utc = dt.UTC
    assert read.during == Range(dt.datetime(2026, 1, 1, tzinfo=utc), dt.datetime(2026, 2, 1, tzinfo=utc))
    assert isinstance(read.days, Multirange) and len(read.days) == 2
    assert read.counts == [Range(1, 10), Range(20, None)]
    assert read.weights == Range(0.5, 1.5) and read.band == Range(Decimal(10), Decimal(20))
    assert list(read.weight_sets) == [Range(1.0, 2.0), Range(3.0, 4.0)]
    assert list(read.bands) == [Range(Decimal(0), Decimal(5))]
    insert = models.ItemInsert(id=2, during=Range(None, dt.datetime(2026, 1, 1, tzinfo=utc)), home=read.home)
    assert insert.model_dump(exclude_unset=True)["during"].upper.year == 2026


def _migration(tmp: Path, old_text: str, new_text: str) -> tuple[ir.Schema, diff.Migration]:
    states = []
    for label, text in (("old", old_text), ("new", new_text)):
        (tmp / label).mkdir()
        (tmp / label / "shop.yaml").write_text("migration: {version: 1, name: shop}\n" + text)
        states.append(resolve.resolve(loader.load_dir(tmp / label)))
    return states[0], diff.migration(states[0], states[1], number=2, name=None, previous="0001_shop", sources=[])


SHOP = """
domains:
  sku: {type: text%s}
tables:
  item:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: sku}
"""


def test_a_new_domain_check_stops_on_the_rows_it_refuses_and_changes_nothing(db_url: str, tmp_path: Path) -> None:
    """The precheck names the rows of every column of the domain that the new CHECK refuses, before any change."""
    old, migration = _migration(tmp_path, SHOP % "", SHOP % ", check: \"VALUE ~ '^[A-Z]+$'\", not_null: true")
    assert "NOT VALID" in migration.up and "VALIDATE CONSTRAINT sku_check" in migration.up
    pg.apply_sql(db_url, from_scratch.migration_sql(old, ["shop"]))
    pg.apply_sql(db_url, "INSERT INTO item VALUES (1, 'ABC'), (2, 'abc'), (3, NULL)")
    with pytest.raises(psycopg.Error) as failed:
        pg.apply_sql_per_statement(db_url, migration.up)
    message = str(failed.value)
    assert "2 row(s)" not in message and "item.code break its new CHECK sku_check (first: id=2)" in message
    assert "item.code break its new NOT NULL (first: id=3)" in message
    with pg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'sku_check'").fetchone() == (0,)
    pg.apply_sql(db_url, "UPDATE item SET code = 'ABD' WHERE id IN (2, 3)")
    pg.apply_sql_per_statement(db_url, migration.up)
    pg.apply_sql_per_statement(db_url, migration.down)
    pg.apply_sql(db_url, "INSERT INTO item VALUES (4, NULL)")  # the down migration took them back


def test_a_domain_held_in_an_array_refuses_a_new_check_at_build(tmp_path: Path) -> None:
    """PostgreSQL cannot check values inside arrays or composite values for a new domain constraint."""
    array = SHOP.replace("code: {type: sku}", 'code: {type: "sku[]"}')
    _old, migration = _migration(tmp_path, array % "", array % ", check: VALUE <> ''")
    assert [r.code for r in migration.refusals] == ["E064"]
    assert "column item.code holds its values in an array" in migration.refusals[0].message


def test_the_docs_have_a_section_per_type_and_columns_link_to_it(tmp_path: Path) -> None:
    outputs = generate(CASE / "spec").outputs
    page = outputs["docs/types.md"]
    for heading in ("Domain email", "Composite type address", "Range type price_band"):
        assert f"### {heading} <a id=" in page
    assert "| contact | [public.email](#domain-public.email) |" in page
    assert "| homes | [public.address&#91;&#93;](#composite-public.address) |" in page or (
        "| homes | [public.address[]](#composite-public.address) |" in page
    )
    assert "| bands | [public.price_bands](#range-public.price_band) |" in page
    assert "Used by [item](#table-public.item).contact, [item](#table-public.item).contacts." in page
    docs = tmp_path / "out"
    for path, text in outputs.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    built = docs_build.mkdocs(docs_build.config_for(tmp_path, docs / "docs"), tmp_path / "site")
    assert built.returncode == 0, built.stdout + built.stderr


def test_drift_reports_a_hand_made_difference_of_each_kind(db_url: str) -> None:
    state = _state()
    pg.apply_sql(db_url, "CREATE SCHEMA extensions;\n" + from_scratch.migration_sql(state, ["types"]))
    pg.apply_sql(
        db_url,
        """
        ALTER DOMAIN quantity DROP CONSTRAINT quantity_small;
        ALTER DOMAIN code SET DEFAULT 'X';
        ALTER TYPE address ADD ATTRIBUTE country text;
        DROP TYPE price_band CASCADE;
        CREATE DOMAIN by_hand AS integer;
        """,
    )
    report, _live, _found = read_back(db_url, state)
    lines = {f.line for f in report.findings}
    assert "domain quantity: checks is quantity_positive: VALUE > 0 in the database, " in "".join(lines)
    assert "domain code: default is 'X'::character varying in the database, none in the migrations" in lines
    assert any(line.startswith("composite type address: attributes is street text, zip public.code") for line in lines)
    assert any(line.startswith("range type price_band: missing from the database") for line in lines)
    assert any(line.startswith("domain by_hand: not in the migrations") for line in lines)


def test_a_column_taking_a_domain_over_its_type_is_checked_first_and_needs_no_confirmation(
    db_url: str, tmp_path: Path
) -> None:
    old_text = SHOP.replace("code: {type: sku}", "code: {type: text}")
    old, migration = _migration(tmp_path, old_text % ", check: VALUE <> ''", SHOP % ", check: VALUE <> ''")
    assert not migration.refusals and "ALTER COLUMN code TYPE public.sku" in migration.up
    pg.apply_sql(db_url, from_scratch.migration_sql(old, ["shop"]))
    pg.apply_sql(db_url, "INSERT INTO item VALUES (1, 'A'), (2, '')")
    with pytest.raises(psycopg.Error, match=r"item.code break its CHECK sku_check \(first: id=2\)"):
        pg.apply_sql_per_statement(db_url, migration.up)
    pg.apply_sql(db_url, "UPDATE item SET code = 'B' WHERE id = 2")
    pg.apply_sql_per_statement(db_url, migration.up)
    pg.apply_sql_per_statement(db_url, migration.down)
