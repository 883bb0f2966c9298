"""`[tool.schemagen] postgres_version`: a feature newer than the oldest PostgreSQL the migrations must run on is
refused at its place; NULLS NOT DISTINCT (15) judged on PostgreSQL, its duplicate NULLs found before any change."""

from __future__ import annotations

from pathlib import Path

import pg
import psycopg
import pytest
import yaml
from click.testing import CliRunner
from schemagen import diff, errors, resolve
from schemagen.cli import main
from schemagen.spec import loader
from schemagen.sql import from_scratch

SPEC = {
    "migration": {"version": 1, "name": "demo"},
    "tables": {
        "account": {
            "columns": {"id": {"type": "integer", "primary_key": True}, "email": {"type": "text"}},
            "constraints": [{"name": "account_email_key", "unique": ["email"], "nulls_not_distinct": True}],
        }
    },
}


def _project(tmp_path: Path, setting: str) -> Path:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "demo.yaml").write_text(yaml.safe_dump(SPEC, sort_keys=False), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(f"[tool.schemagen]\n{setting}\n", encoding="utf-8")
    return tmp_path


def _build(root: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(root)
    return CliRunner().invoke(main, ["build"])


@pytest.mark.parametrize(
    ("setting", "code", "expected"),
    [
        (
            "",
            1,
            "spec/demo.yaml:13:7: E064 NULLS NOT DISTINCT (constraint account_email_key on account) needs PostgreSQL",
        ),
        ("postgres_version = 14", 1, "E064 NULLS NOT DISTINCT"),
        ("postgres_version = 15", 0, ""),
        ("postgres_version = 13", 1, "pyproject.toml:2:1: E070 [tool.schemagen] postgres_version must be a PostgreSQL"),
    ],
)
def test_a_feature_newer_than_postgres_version_is_refused_at_its_place(
    tmp_path, monkeypatch, setting, code, expected
) -> None:
    result = _build(_project(tmp_path, setting), monkeypatch)
    assert result.exit_code == code, result.output
    assert expected in result.output
    assert (tmp_path / "generated").exists() == (code == 0)


def _schema(tmp_path: Path, spec: dict, name: str):
    d = tmp_path / name
    d.mkdir()
    (d / "demo.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return resolve.resolve(loader.load_dir(d))


def test_duplicate_nulls_stop_the_migration_before_it_changes_anything(tmp_path, db_url) -> None:
    """NULLS NOT DISTINCT counts NULLs as equal: the precheck counts them too (it skipped NULLs before)."""
    old_spec = {**SPEC, "tables": {"account": {"columns": SPEC["tables"]["account"]["columns"]}}}
    old, new = _schema(tmp_path, old_spec, "old"), _schema(tmp_path, SPEC, "new")
    pg.apply_sql(db_url, from_scratch.migration_sql(old, ["spec"]))
    pg.apply_sql(db_url, "INSERT INTO account (id, email) VALUES (1, NULL), (2, NULL), (3, 'a@b')")
    before = pg.schema_dump(db_url)
    migration = diff.migration(old, new, number=2, name="unique", previous="0001_demo", sources=["demo.yaml"])
    with pytest.raises(psycopg.Error, match="occur more than once"):
        pg.apply_sql_per_statement(db_url, migration.up)
    assert pg.schema_dump(db_url) == before
    with pg.connect(db_url) as conn:
        conn.execute("DELETE FROM account WHERE id = 2")
    pg.apply_sql_per_statement(db_url, migration.up)
    with pg.connect(db_url) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO account (id, email) VALUES (4, NULL)")
    assert errors.UNSUPPORTED_CHANGE == "E064"
