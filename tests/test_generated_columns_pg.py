"""Generated columns and column collations (issue 12), judged on PostgreSQL.

The from-scratch SQL gives the catalog the same schema written by hand gives (pg_dump), the catalog reader
(`schemagen drift`) reads each back, PostgreSQL computes the values and refuses a value written to them, the
models leave them out of Insert and Update; a VIRTUAL column needs PostgreSQL 18 (postgres_version).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import markdown_doc
import pg
import psycopg
import pytest
from catalog_check import assert_reads_back, read_back
from click.testing import CliRunner
from models_support import import_file, write_models
from schemagen import pipeline, resolve
from schemagen.cli import main
from schemagen.models import modules
from schemagen.spec import config, loader
from schemagen.sql import from_scratch

SPEC = """\
migration: {version: 1, name: shop}
tables:
  line:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text, not_null: true}
      price: {type: "numeric(12,2)", not_null: true}
      qty: {type: integer, not_null: true, default: "1"}
      total: {type: "numeric(12,2)", generated: "price * qty", comment: The line's total}
      code: {type: text, collation: "C"}
      tags: {type: "varchar(20)[]", collation: "POSIX"}
      slug: {type: text, collation: "C", generated: "lower(name)", not_null: true}
    indexes:
      line_total: {columns: [total]}
"""

BY_HAND = """\
CREATE TABLE line (
    id integer PRIMARY KEY,
    name text NOT NULL,
    price numeric(12,2) NOT NULL,
    qty integer NOT NULL DEFAULT 1,
    total numeric(12,2) GENERATED ALWAYS AS (price * qty) STORED,
    code text COLLATE "C",
    tags varchar(20)[] COLLATE "POSIX",
    slug text COLLATE "C" NOT NULL GENERATED ALWAYS AS (lower(name)) STORED
);
COMMENT ON COLUMN line.total IS 'The line''s total';
CREATE INDEX line_total ON line (total);
"""

VIRTUAL = """\
migration: {version: 1, name: shop}
tables:
  person:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text}
      label: {type: text, generated: {expression: "upper(name)", virtual: true}}
"""


def schema_of(tmp_path: Path, text: str = SPEC):
    spec = tmp_path / "spec"
    spec.mkdir(exist_ok=True)
    (spec / "shop.yaml").write_text(text, encoding="utf-8")
    return resolve.resolve(loader.load_dir(spec, tmp_path))


def test_the_catalog_is_the_one_of_the_same_columns_written_by_hand(pg_admin_url, tmp_path) -> None:
    schema = schema_of(tmp_path)
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, from_scratch.migration_sql(schema, ["shop.yaml"]))
        pg.apply_sql(theirs, BY_HAND)
        assert pg.schema_dump(ours) == pg.schema_dump(theirs)
        assert_reads_back(ours, schema, "generated columns")  # `schemagen drift` finds nothing


def test_postgresql_computes_the_values_and_refuses_one_written(pg_admin_url, tmp_path) -> None:
    schema = schema_of(tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(schema, ["shop.yaml"]))
        with pg.connect(url) as conn:
            conn.execute(
                "INSERT INTO line (id, name, price, qty, code) VALUES (1, 'Big Box', 2.50, 4, 'b'), (2, 'a', 1, 1, 'B')"
            )
            assert conn.execute("SELECT total, slug FROM line WHERE id = 1").fetchone() == (10, "big box")
            # COLLATE "C": upper case sorts before lower case, as the bytes do
            assert conn.execute("SELECT code FROM line ORDER BY code").fetchall() == [("B",), ("b",)]
        with pg.connect(url) as conn, pytest.raises(psycopg.errors.GeneratedAlways):
            conn.execute("INSERT INTO line (id, name, price, total) VALUES (3, 'x', 1, 99)")


def test_drift_sees_a_changed_expression_and_collation(pg_admin_url, tmp_path) -> None:
    schema = schema_of(tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, from_scratch.migration_sql(schema, ["shop.yaml"]))
        pg.apply_sql(
            url,
            "ALTER TABLE line DROP COLUMN total CASCADE; "
            "ALTER TABLE line ADD COLUMN total numeric(12,2) GENERATED ALWAYS AS (price * qty + 1) STORED; "
            "CREATE INDEX line_total ON line (total); COMMENT ON COLUMN line.total IS 'The line''s total'; "
            'ALTER TABLE line ALTER COLUMN code TYPE text COLLATE "POSIX"',
        )
        report, _live, _found = read_back(url, schema)
        lines = [f.line for f in report.findings]
        assert any(line.startswith("column line.total: generated is GENERATED ALWAYS AS (") for line in lines), lines
        assert any(line.startswith('column line.code: collation is COLLATE "POSIX"') for line in lines), lines


def test_the_models_leave_generated_columns_out_of_insert_and_update(tmp_path) -> None:
    schema = schema_of(tmp_path)
    text = modules.render(schema).outputs["models/shop.py"]
    row, insert = text.split("class LineInsert", 1)
    insert, update = insert.split("class LineUpdate", 1)
    assert "total:" in row and "slug:" in row
    assert "total" not in insert and "slug" not in insert
    assert "total" not in update and "slug" not in update
    assert "code:" in insert


def test_a_virtual_column_on_postgresql_18(pg_admin_url, tmp_path) -> None:
    schema = schema_of(tmp_path, VIRTUAL)
    with pg.fresh_database(pg_admin_url) as url:
        if pg.server_major(url) < 18:
            pytest.skip("VIRTUAL generated columns need PostgreSQL 18")
        pg.apply_sql(url, from_scratch.migration_sql(schema, ["shop.yaml"]))
        with pg.connect(url) as conn:
            conn.execute("INSERT INTO person (id, name) VALUES (1, 'ada')")
            assert conn.execute("SELECT label FROM person").fetchone() == ("ADA",)
            assert conn.execute(
                "SELECT attgenerated FROM pg_attribute WHERE attrelid = 'person'::regclass AND attname = 'label'"
            ).fetchone() == ("v",)
        assert_reads_back(url, schema, "virtual column")


@pytest.mark.parametrize(("setting", "refused"), [("postgres_version = 17", True), ("postgres_version = 18", False)])
def test_a_virtual_column_needs_postgres_version_18(tmp_path, monkeypatch, setting, refused) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "shop.yaml").write_text(VIRTUAL, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(f"[tool.schemagen]\n{setting}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    if refused:
        assert result.exit_code == 1, result.output
        assert (
            "spec/shop.yaml:7:27: E064 a VIRTUAL generated column (person.label) needs PostgreSQL 18; "
            "postgres_version (pyproject.toml [tool.schemagen]) is 17"
        ) in result.output
        assert not (tmp_path / "generated").exists()
    else:
        assert result.exit_code == 0, result.output
        assert (
            "GENERATED ALWAYS AS (upper(name)) VIRTUAL"
            in (tmp_path / "generated" / "migrations" / "0001_shop.sql").read_text()
        )


def test_the_docs_say_how_each_column_is_generated_and_collated(tmp_path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "shop.yaml").write_text(SPEC, encoding="utf-8")
    page = markdown_doc.parse(pipeline.generate(config.load(tmp_path)).outputs["docs/shop.md"])
    columns = page.section("Tables", "Table line").tables[0]
    rows = {row[0]: row for row in columns.texts()}
    assert rows["total"][4] == "Generated from price * qty (stored; read-only)\nThe line's total"
    assert rows["slug"][4] == "Generated from lower(name) (stored; read-only)\nCollation C"
    assert rows["code"][4] == "Collation C"


CHECKED = """\
migration: {version: 1, name: shop}
tables:
  line:
    columns:
      id: {type: integer, primary_key: true}
      price: {type: "numeric(12,2)", not_null: true}
      qty: {type: integer, not_null: true, check: qty > 0}
      total: {type: "numeric(12,2)", generated: "price * qty", check: "total >= 0"}
    constraints:
      - {check: "total < 1000 AND qty < 100"}
"""


def test_a_check_reading_a_generated_column_is_left_to_the_database(tmp_path) -> None:
    """The Insert and Update models have no field for a generated column: a CHECK reading one is not validated there
    (its validator named a field the model lacks: mypy refused the module, and it failed at run time)."""
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "shop.yaml").write_text(CHECKED, encoding="utf-8")
    path = write_models(spec, tmp_path / "out")["models/shop.py"]
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    module = import_file(path)
    assert module.LineInsert(id=1, price=2, qty=3).qty == 3
    with pytest.raises(ValueError, match="line_qty_check"):
        module.LineInsert(id=1, price=2, qty=0)  # the CHECK over written columns is still validated
    assert "because it reads a column PostgreSQL computes" in path.read_text()
