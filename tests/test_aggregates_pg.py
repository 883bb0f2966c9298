"""Aggregates (aggs6) on a real PostgreSQL: called by a role that neither owns them nor is a superuser, read back by
drift (a change by hand is found), shown on the docs page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import markdown_doc
import pg
import psycopg
import yaml
from catalog_check import read_back
from click.testing import CliRunner
from schemagen import resolve
from schemagen.cli import main
from schemagen.spec import loader
from schemagen.sql import from_scratch

SPEC: dict[str, Any] = {
    "migration": {"version": 1, "name": "sums"},
    "external": {"roles": ["reader"]},
    "tables": {
        "sale": {
            "columns": {"id": {"type": "integer", "primary_key": True}, "amount": {"type": "numeric", "not_null": True}}
        }
    },
    "functions": {
        "growth_step(numeric, numeric)": {
            "returns": "numeric",
            "language": "sql",
            "volatility": "immutable",
            "strict": True,
            "body": "SELECT $1 * (1 + $2 / 100)",
        },
    },
    "aggregates": {
        "compound(numeric)": {"sfunc": "growth_step", "stype": "numeric", "initcond": "100", "comment": "Compounds."},
        "product(numeric)": {"sfunc": "numeric_mul", "stype": "numeric", "initcond": "1", "parallel": "safe"},
    },
    "grants": [{"privileges": ["select"], "tables": ["sale"], "to": ["reader"]}],
}


def schema_and_sql(tmp_path: Path) -> tuple[Any, str]:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir(exist_ok=True)
    (spec_dir / "sums.yaml").write_text(yaml.safe_dump(SPEC, sort_keys=False), encoding="utf-8")
    files = loader.load_dir(spec_dir)
    schema = resolve.resolve(files)
    return schema, from_scratch.migration_sql(schema, [f.source for f in files])


def test_an_aggregate_computes_for_a_role_that_does_not_own_it(pg_admin_url: str, tmp_path: Path) -> None:
    """PUBLIC may execute an aggregate (PostgreSQL's default): a plain role gets the compound growth and product."""
    schema, sql = schema_and_sql(tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, "DO $$ BEGIN CREATE ROLE reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN END $$")
        pg.apply_sql(url, sql)
        pg.apply_sql(url, "INSERT INTO sale VALUES (1, 10), (2, 20), (3, 5)")
        with pg.connect(url) as conn:
            conn.execute("SET ROLE reader")
            row = conn.execute(
                "SELECT compound(amount ORDER BY id)::numeric(12,4), product(amount) FROM sale"
            ).fetchone()
            assert row is not None
            assert (str(row[0]), str(row[1])) == ("138.6000", "1000")  # 100 * 1.1 * 1.2 * 1.05
            assert conn.execute("SELECT compound(amount) FROM sale WHERE false").fetchone() == (100,)
        report, _, _ = read_back(url, schema)
        assert not report.findings, report.findings


def test_drift_finds_an_aggregate_changed_by_hand(pg_admin_url: str, tmp_path: Path) -> None:
    schema, sql = schema_and_sql(tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, "DO $$ BEGIN CREATE ROLE reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN END $$")
        pg.apply_sql(url, sql)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP AGGREGATE product(numeric)")
            conn.execute("CREATE AGGREGATE product(numeric) (SFUNC = numeric_mul, STYPE = numeric, INITCOND = '2')")
            conn.execute("CREATE AGGREGATE stray(integer) (SFUNC = int4pl, STYPE = integer)")
        report, _, _ = read_back(url, schema)
        found = {(f.kind, f.object, f.aspect) for f in report.findings}
        assert found == {
            ("aggregate", "product(numeric)", "initcond"),
            ("aggregate", "product(numeric)", "parallel"),
            ("aggregate", "stray(integer)", "exists"),
        }, report.findings


def test_the_docs_page_shows_the_aggregates(tmp_path: Path) -> None:
    schema_and_sql(tmp_path)
    result = CliRunner().invoke(main, ["build", "--spec", str(tmp_path / "spec"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    page = markdown_doc.parse((tmp_path / "out" / "docs" / "sums.md").read_text(encoding="utf-8"))
    text = "\n".join(b.text for b in page.section("Aggregates").code)
    assert "CREATE AGGREGATE public.compound(numeric)" in text
    assert "COMMENT ON AGGREGATE public.compound(numeric) IS 'Compounds.';" in text
