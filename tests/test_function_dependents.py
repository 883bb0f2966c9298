"""Objects that call a function of the spec, created after it and dropped before it (review of issue 10, items 1 and 2).

An index expression, an index predicate, a trigger's WHEN, a DEFAULT, a CHECK
or a policy that calls a spec function needs the function to exist when it is
created, and holds it while it exists (PostgreSQL refuses to drop a function
an index uses). Each chain below is built by `schemagen build` from a spec
edited step by step, and every migration, up and down, is applied to a real
PostgreSQL statement by statement as psql runs a file: the judge is whether
PostgreSQL takes it and what its catalog then holds.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pg
import pytest
import yaml
from click.testing import CliRunner
from schemagen.cli import main

BASE: dict[str, Any] = {
    "module": "app",
    "migration": {"version": 1, "name": "app"},
    "tables": {
        "a": {
            "columns": {
                "id": {"type": "integer", "primary_key": True},
                "w": {"type": "text"},
            },
        },
    },
}
NORM = {"args": "s text", "returns": "text", "language": "sql", "volatility": "immutable", "body": "SELECT lower(s)"}
NORM_PLPGSQL = {
    "args": "s text",
    "returns": "text",
    "language": "plpgsql",
    "volatility": "immutable",
    "body": "BEGIN RETURN lower(s); END;\n",
}
INDEX_EXISTS = "SELECT to_regclass('public.{}') IS NOT NULL"
FUNCTION_EXISTS = "SELECT to_regprocedure('public.{}(text)') IS NOT NULL"


class Project:
    """A project directory whose spec is edited and built, migration after migration."""

    def __init__(self, root: Path):
        self.root = root
        (root / "pyproject.toml").write_text('[tool.schemagen]\nspec_dir = "spec"\nout_dir = "generated"\n')
        self.spec = copy.deepcopy(BASE)

    def build(self) -> tuple[str, str | None]:
        """Writes the spec, builds; returns the newest migration's up and down SQL."""
        (self.root / "spec").mkdir(exist_ok=True)
        (self.root / "spec" / "app.yaml").write_text(yaml.safe_dump(self.spec, sort_keys=False))
        result = CliRunner().invoke(main, ["build"])
        assert result.exit_code == 0, result.output
        migrations = sorted((self.root / "generated" / "migrations").glob("*.sql"))
        ups = [p for p in migrations if not p.name.endswith(".down.sql")]
        down = ups[-1].with_name(ups[-1].name.removesuffix(".sql") + ".down.sql")
        return ups[-1].read_text(), down.read_text() if down.exists() else None


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)


def holds(url: str, sql: str) -> bool:
    with pg.connect(url) as conn:
        return bool(conn.execute(sql).fetchone()[0])


def test_the_first_migration_creates_a_function_before_the_index_that_calls_it(pg_admin_url, project):
    project.spec["functions"] = {"norm": NORM}
    project.spec["tables"]["a"]["indexes"] = {"a_w": {"columns": ["norm(w)"]}}
    up, _ = project.build()
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql_per_statement(url, up)
        assert holds(url, INDEX_EXISTS.format("a_w"))


def test_a_trigger_when_condition_follows_the_function_it_calls(pg_admin_url, project):
    project.spec["functions"] = {
        "norm": NORM,
        "touch": {"returns": "trigger", "body": "BEGIN RETURN NEW; END;\n"},
    }
    project.spec["triggers"] = {
        "a_touch": {
            "table": "a",
            "timing": "before",
            "events": ["update"],
            "function": "touch",
            "when": "norm(NEW.w) IS DISTINCT FROM norm(OLD.w)",
        }
    }
    up, _ = project.build()
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql_per_statement(url, up)
        assert holds(url, "SELECT count(*) = 1 FROM pg_trigger WHERE tgname = 'a_touch'")


def test_a_later_migration_adds_a_table_its_index_and_the_plpgsql_function_it_calls(pg_admin_url, project):
    first, _ = project.build()
    project.spec["functions"] = {"norm3": NORM_PLPGSQL}
    project.spec["tables"]["b"] = {
        "columns": {"id": {"type": "integer", "primary_key": True}, "w": {"type": "text"}},
        "indexes": {"b_w": {"columns": ["norm3(w)"]}},
    }
    up, down = project.build()
    assert down is not None
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql_per_statement(url, first)
        pg.apply_sql_per_statement(url, up)
        assert holds(url, INDEX_EXISTS.format("b_w"))
        pg.apply_sql_per_statement(url, down)
        assert not holds(url, FUNCTION_EXISTS.format("norm3"))


def test_an_expression_index_and_its_function_come_and_go_together_up_and_down(pg_admin_url, project):
    """Added in one migration, removed in the next: every file applies, and each down undoes its up."""
    first, _ = project.build()
    project.spec["functions"] = {"norm2": NORM}
    project.spec["tables"]["a"]["indexes"] = {"a_w2": {"columns": ["norm2(w)"]}}
    add, add_down = project.build()
    del project.spec["functions"]
    del project.spec["tables"]["a"]["indexes"]
    remove, remove_down = project.build()
    assert add_down is not None and remove_down is not None
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql_per_statement(url, first)
        pg.apply_sql(url, "INSERT INTO a VALUES (1, 'X'), (2, 'y')")
        pg.apply_sql_per_statement(url, add)
        assert holds(url, INDEX_EXISTS.format("a_w2")) and holds(url, FUNCTION_EXISTS.format("norm2"))
        pg.apply_sql_per_statement(url, remove)  # was: cannot drop function norm2(text) because other objects ...
        assert not holds(url, INDEX_EXISTS.format("a_w2")) and not holds(url, FUNCTION_EXISTS.format("norm2"))
        pg.apply_sql_per_statement(url, remove_down)
        assert holds(url, INDEX_EXISTS.format("a_w2")) and holds(url, FUNCTION_EXISTS.format("norm2"))
        pg.apply_sql_per_statement(url, add_down)  # the down of adding both drops both
        assert not holds(url, INDEX_EXISTS.format("a_w2")) and not holds(url, FUNCTION_EXISTS.format("norm2"))
        assert holds(url, "SELECT count(*) = 2 FROM a")
