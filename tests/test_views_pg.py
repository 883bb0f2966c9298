"""Views and materialized views on a real PostgreSQL.

The from-scratch SQL gives the catalog of the same views written by hand
(pg_dump); a security_invoker view applies the row level security of the role
that queries it, judged as a non-owner role, where a view without it answers
with its owner's rights; drift finds a view changed by hand and `--sql`
repairs it; the diff replaces a view in place when its columns allow it, and
rebuilds a materialized view with its indexes, each applied then undone on a
database with rows. A view over a column whose type changes is the diff case
tests/diff_cases/view_over_retyped_column.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pg
import psycopg
import pytest
from catalog_check import assert_reads_back, read_back
from diff_harness import schema_of
from models_support import import_file, write_models
from psycopg.rows import dict_row
from pydantic import ValidationError
from schemagen import diff, ir
from schemagen.db import align, catalog, drift
from schemagen.sql import from_scratch

SPEC = """
module: shop
migration: {version: 1, name: start}
external:
  roles: [authenticated]
tables:
  orders:
    columns:
      id: {type: integer, primary_key: true}
      owner: {type: text, not_null: true}
      day: {type: date, not_null: true}
      amount: {type: "numeric(10, 2)", not_null: true}
    row_level_security: true
    policies:
      own_orders:
        command: select
        roles: [authenticated]
        using: owner = current_setting('request.jwt.claim.sub', true)
views:
  my_orders:
    query: SELECT id, owner, amount FROM orders
    security_invoker: true
    comment: Orders the querying user may see.
  all_orders:
    query: SELECT id, owner, amount FROM orders
  big_orders:
    query: SELECT * FROM orders WHERE amount > 100
    check_option: local
materialized_views:
  daily_sales:
    query: SELECT day, sum(amount)::numeric(12, 2) AS total, count(*) AS orders FROM orders GROUP BY day
    columns:
      total: {comment: Sum of the day's orders}
    indexes:
      daily_sales_day: {columns: [day], unique: true}
grants:
  - {privileges: [select], tables: [orders, my_orders, all_orders, daily_sales], to: [authenticated]}
"""

BY_HAND = """
CREATE TABLE orders (id integer PRIMARY KEY, owner text NOT NULL, day date NOT NULL, amount numeric(10, 2) NOT NULL);
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON orders FOR SELECT TO authenticated
    USING (owner = current_setting('request.jwt.claim.sub', true));
CREATE VIEW my_orders WITH (security_invoker = true) AS SELECT id, owner, amount FROM orders;
COMMENT ON VIEW my_orders IS 'Orders the querying user may see.';
CREATE VIEW all_orders AS SELECT id, owner, amount FROM orders;
CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100 WITH LOCAL CHECK OPTION;
CREATE MATERIALIZED VIEW daily_sales AS
    SELECT day, sum(amount)::numeric(12, 2) AS total, count(*) AS orders FROM orders GROUP BY day;
COMMENT ON COLUMN daily_sales.total IS 'Sum of the day''s orders';
CREATE UNIQUE INDEX daily_sales_day ON daily_sales (day);
GRANT SELECT ON orders, my_orders, all_orders, daily_sales TO authenticated;
"""

ROWS = """
INSERT INTO orders VALUES (1, 'ada', '2026-01-01', 50), (2, 'ada', '2026-01-01', 150), (3, 'bob', '2026-01-02', 500);
"""


def schema(tmp_path: Path, text: str, name: str = "spec") -> ir.Schema:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "shop.yaml").write_text(text)
    return schema_of(directory)[0]


def test_the_from_scratch_sql_gives_the_catalog_of_the_views_written_by_hand(pg_admin_url: str, tmp_path: Path) -> None:
    state = schema(tmp_path, SPEC)
    with pg.fresh_database(pg_admin_url) as built, pg.fresh_database(pg_admin_url) as by_hand:
        pg.apply_sql(built, from_scratch.migration_sql(state, ["shop.yaml"]))
        pg.apply_sql(by_hand, BY_HAND)
        pg.assert_same_schema(built, by_hand, label_a="schemagen", label_b="by hand")
        assert_reads_back(built, state, "views")


def test_a_security_invoker_view_applies_the_querying_roles_row_level_security(
    pg_admin_url: str, tmp_path: Path
) -> None:
    state = schema(tmp_path, SPEC)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(state, ["shop.yaml"]) + ROWS)
        with pg.as_user(url, "ada") as conn:  # role authenticated: neither owner nor superuser
            assert [r["id"] for r in conn.execute("SELECT id FROM orders ORDER BY id")] == [1, 2]
            assert [r["id"] for r in conn.execute("SELECT id FROM my_orders ORDER BY id")] == [1, 2]
            # without security_invoker the view reads as its owner, past the policy (lint S113 warns of it)
            assert [r["id"] for r in conn.execute("SELECT id FROM all_orders ORDER BY id")] == [1, 2, 3]
        with pg.as_user(url, "bob") as conn:
            assert [r["id"] for r in conn.execute("SELECT id FROM my_orders ORDER BY id")] == [3]


def test_the_check_option_refuses_a_row_the_view_would_not_show(pg_admin_url: str, tmp_path: Path) -> None:
    state = schema(tmp_path, SPEC)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(state, ["shop.yaml"]))
        with pg.connect(url) as conn:
            conn.execute("INSERT INTO big_orders VALUES (10, 'ada', '2026-01-03', 200)")
            try:
                conn.execute("INSERT INTO big_orders VALUES (11, 'ada', '2026-01-03', 20)")
                raise AssertionError("the check option let a row through")
            except psycopg.errors.WithCheckOptionViolation:
                pass


def repair_sql(url: str, state: ir.Schema) -> str:
    scope = drift.spec_schemas(state)
    with pg.connect(url) as conn:
        found = catalog.read(conn, scope)
        meaning = align.Meaning(drift.ServerJudge(conn), found.search_path)
        report = drift.compare_with(found, drift.Target(1, "0001_start", state, "test"), scope, meaning, sql=True)
    assert report.sql is not None
    return report.sql


def test_drift_finds_a_view_changed_by_hand_and_sql_repairs_it(pg_admin_url: str, tmp_path: Path) -> None:
    state = schema(tmp_path, SPEC)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(state, ["shop.yaml"]) + ROWS)
        pg.apply_sql(
            url,
            "CREATE OR REPLACE VIEW my_orders AS SELECT id, owner, amount FROM orders WHERE amount > 0; "
            "DROP INDEX daily_sales_day; COMMENT ON VIEW all_orders IS 'by hand'",
        )
        lines = [f.line for f in read_back(url, state)[0].findings]
        assert any(line.startswith("view my_orders: definition") for line in lines), lines
        assert any(line.startswith("view my_orders: security_invoker is false") for line in lines), lines
        assert any(line.startswith("view daily_sales: indexes is none") for line in lines), lines
        assert any(line.startswith("view all_orders: comment is 'by hand'") for line in lines), lines
        pg.apply_sql_per_statement(url, repair_sql(url, state))
        assert not read_back(url, state)[0].findings


def test_the_diff_replaces_a_view_in_place_and_rebuilds_a_materialized_one(pg_admin_url: str, tmp_path: Path) -> None:
    old = schema(tmp_path, SPEC, "old")
    text = SPEC.replace(
        "query: SELECT id, owner, amount FROM orders\n    security_invoker: true",
        "query: SELECT id, owner, amount, day FROM orders\n    security_invoker: true",
    ).replace(
        "count(*) AS orders FROM orders GROUP BY day",
        "count(*) AS orders, max(amount) AS biggest FROM orders GROUP BY day",
    )
    text = text.replace(
        "      total: {comment: Sum of the day's orders}",
        "      total: {comment: Sum of the day's orders}\n      biggest: {type: numeric}",
    )
    text = text.replace("  all_orders:\n    query: SELECT id, owner, amount FROM orders\n", "")
    text = text.replace(
        "tables: [orders, my_orders, all_orders, daily_sales]", "tables: [orders, my_orders, daily_sales]"
    )
    new = schema(tmp_path, text, "new")
    up = diff.migration(old, new, number=2, name="views", previous="0001_start", sources=["shop.yaml"])
    assert not up.refusals
    assert "CREATE OR REPLACE VIEW public.my_orders WITH (security_invoker = true) AS" in up.up
    assert "DROP MATERIALIZED VIEW public.daily_sales;" in up.up
    assert "DROP VIEW public.all_orders;" in up.up
    down = diff.migration(new, old, number=3, name="views_down", previous="0002_views", sources=["shop.yaml"])
    with pg.fresh_database(pg_admin_url) as url, pg.fresh_database(pg_admin_url) as fresh:
        pg.apply_sql(url, from_scratch.migration_sql(old, ["shop.yaml"]) + ROWS)
        pg.apply_sql_per_statement(url, up.up)
        pg.apply_sql(fresh, from_scratch.migration_sql(new, ["shop.yaml"]) + ROWS)
        pg.assert_same_schema(url, fresh, label_a="migrated", label_b="from scratch")
        assert_reads_back(url, new, "up")
        with pg.as_user(url, "ada") as conn:
            assert [r["day"].isoformat() for r in conn.execute("SELECT day FROM my_orders ORDER BY id")] == [
                "2026-01-01",
                "2026-01-01",
            ]
            rows = conn.execute("SELECT day, total, biggest FROM daily_sales ORDER BY day").fetchall()
            assert [(str(r["total"]), str(r["biggest"])) for r in rows] == [("200.00", "150.00"), ("500.00", "500.00")]
        with pg.connect(url) as conn:
            conn.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY daily_sales")
        pg.apply_sql_per_statement(url, down.up)
        assert_reads_back(url, old, "down")
        with pg.as_user(url, "ada") as conn:
            assert [r["id"] for r in conn.execute("SELECT id FROM all_orders ORDER BY id")] == [1, 2, 3]


def test_the_diff_changes_a_views_options_in_place(pg_admin_url: str, tmp_path: Path) -> None:
    old = schema(tmp_path, SPEC, "old")
    text = SPEC.replace("    security_invoker: true\n", "").replace("check_option: local", "check_option: cascaded")
    new = schema(tmp_path, text, "new")
    up = diff.migration(old, new, number=2, name="options", previous="0001_start", sources=["shop.yaml"])
    down = diff.migration(new, old, number=3, name="options_back", previous="0002_options", sources=["shop.yaml"])
    assert "DROP VIEW" not in up.up and "DROP VIEW" not in down.up
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(old, ["shop.yaml"]) + ROWS)
        pg.apply_sql_per_statement(url, up.up)
        assert_reads_back(url, new, "up")
        with pg.as_user(url, "ada") as conn:  # no longer security_invoker: the owner's rights
            assert [r["id"] for r in conn.execute("SELECT id FROM my_orders ORDER BY id")] == [1, 2, 3]
        pg.apply_sql_per_statement(url, down.up)
        assert_reads_back(url, old, "down")
        with pg.as_user(url, "ada") as conn:
            assert [r["id"] for r in conn.execute("SELECT id FROM my_orders ORDER BY id")] == [1, 2]


def test_each_view_has_a_read_only_row_model_that_reads_its_rows(pg_admin_url: str, tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "shop.yaml").write_text(SPEC)
    path = write_models(spec_dir, tmp_path / "out")["models/shop.py"]
    for cmd in (
        ["ruff", "check", "--isolated", str(path)],
        ["ruff", "format", "--isolated", "--check", str(path)],
        ["mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull, str(path)],
    ):
        done = subprocess.run([sys.executable, "-m", *cmd], check=False, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    models = import_file(path)
    state = schema_of(spec_dir)[0]
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(
            url, from_scratch.migration_sql(state, ["shop.yaml"]) + ROWS + "REFRESH MATERIALIZED VIEW daily_sales;"
        )
        with pg.connect(url, row_factory=dict_row) as conn:
            rows = [models.DailySales.model_validate(r) for r in conn.execute("SELECT * FROM daily_sales ORDER BY day")]
            mine = [models.MyOrders.model_validate(r) for r in conn.execute("SELECT * FROM my_orders ORDER BY id")]
    assert [(str(r.day), str(r.total), r.orders) for r in rows] == [
        ("2026-01-01", "200.00", 2),
        ("2026-01-02", "500.00", 1),
    ]
    assert [m.id for m in mine] == [1, 2, 3]
    with pytest.raises(ValidationError):
        mine[0].amount = None  # frozen: PostgreSQL computes a view's values


def test_a_materialized_views_index_reads_back_with_its_key_options(pg_admin_url: str, tmp_path: Path) -> None:
    """Operator class, collation, NULLS order and WITH (...) of a materialized view's index: drift read only the
    columns and ordering, so such an index was drift on the very database its migration built."""
    text = SPEC.replace(
        "      daily_sales_day: {columns: [day], unique: true}\n",
        "      daily_sales_day: {columns: [day], unique: true}\n"
        '      daily_sales_text: {columns: ["(orders::text) text_pattern_ops DESC NULLS LAST", '
        "'(orders::text) COLLATE \"C\"'], with: {fillfactor: 70}}\n",
    )
    state = schema(tmp_path, text)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(state, ["shop.yaml"]))
        assert_reads_back(url, state, "materialized view index")


COMMENTED = """
  commented:
    query: |
      SELECT id, owner FROM orders -- every order; the owner's too
  commented_checked:
    query: SELECT * FROM orders WHERE amount > 100  -- the big ones
    check_option: cascaded
  commented_daily_count:
    query: "SELECT day, count(*) AS orders FROM orders GROUP BY day -- per day"
"""


def test_a_query_ending_in_a_line_comment_keeps_its_terminator_and_check_option(
    pg_admin_url: str, tmp_path: Path
) -> None:
    """`-- ...` at the end of a query: the comment must not swallow the `;` after it (the next statement would run
    on as part of the view's query) nor WITH CHECK OPTION; from scratch, and in the diff that adds and replaces
    such views."""
    old = schema(tmp_path, SPEC, "old")
    text = SPEC.replace("materialized_views:\n", COMMENTED + "materialized_views:\n")
    text = text.replace(
        "GROUP BY day\n    columns:", "GROUP BY day -- one row a day\n    columns:"
    )  # the materialized view's query too
    new = schema(tmp_path, text, "new")
    changed = schema(tmp_path, text.replace("-- every order;", "WHERE amount > 0 -- every order;"), "changed")
    up = diff.migration(old, new, number=2, name="commented", previous="0001_start", sources=["shop.yaml"])
    again = diff.migration(new, changed, number=3, name="replaced", previous="0002_commented", sources=["shop.yaml"])
    assert "CREATE OR REPLACE VIEW public.commented AS" in again.up
    with pg.fresh_database(pg_admin_url) as url, pg.fresh_database(pg_admin_url) as migrated:
        pg.apply_sql_per_statement(url, from_scratch.migration_sql(new, ["shop.yaml"]) + ROWS)
        assert_reads_back(url, new, "from scratch")
        with pg.connect(url) as conn, pytest.raises(psycopg.errors.WithCheckOptionViolation):
            conn.execute("INSERT INTO commented_checked VALUES (11, 'ada', '2026-01-03', 20)")
        pg.apply_sql_per_statement(migrated, from_scratch.migration_sql(old, ["shop.yaml"]) + ROWS)
        pg.apply_sql_per_statement(migrated, up.up)
        pg.assert_same_schema(migrated, url, label_a="migrated", label_b="from scratch")
        pg.apply_sql_per_statement(migrated, again.up)
        assert_reads_back(migrated, changed, "replaced")
