"""LANGUAGE sql functions in the from-scratch migration (issue 10, item 12).

PostgreSQL checks a SQL function's body when the function is created
(check_function_bodies), so the function must follow the tables and functions
its body names, and a table whose DEFAULT calls it must follow the function.
A table whose DEFAULT calls a function that reads that very table is a cycle:
that function alone is created with the check off (as pg_dump does), before
the table. Judged on PostgreSQL: the migration applies, the defaults fill rows,
and every function runs.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pg
import psycopg
import pytest
import yaml
from schemagen import resolve
from schemagen.spec import loader
from schemagen.sql import from_scratch

SPEC: dict[str, Any] = {
    "migration": {"version": 1, "name": "functions"},
    "tables": {
        # its default calls a function that reads a table written further down
        "shelf": {
            "columns": {
                "id": {"type": "integer", "primary_key": True},
                "labels": {"type": "integer", "default": "label_count()"},
            }
        },
        # its default calls a function that reads this table: a cycle
        "ticket": {
            "columns": {
                "id": {"type": "integer", "primary_key": True},
                "n": {"type": "integer", "not_null": True, "default": "next_ticket()"},
            }
        },
        "label": {"columns": {"id": {"type": "integer", "primary_key": True}}},
    },
    "functions": {
        "next_ticket": {"returns": "integer", "language": "sql", "body": "SELECT coalesce(max(n), 0) + 1 FROM ticket"},
        "label_count": {"returns": "integer", "language": "sql", "body": "SELECT count(*)::integer FROM label"},
        # calls a function written after it
        "tickets_for": {
            "args": "p integer",
            "returns": "integer",
            "language": "sql",
            "body": "SELECT count(*)::integer FROM ticket WHERE n <= double_it(p)",
        },
        "double_it": {
            "args": "p integer",
            "returns": "integer",
            "language": "sql",
            "volatility": "immutable",
            "body": "SELECT p * 2",
        },
        "touch": {"returns": "trigger", "body": "BEGIN RETURN NEW; END;\n"},
    },
}
# Every function of SPEC, called: (call, result once the rows below are in).
CALLS = {
    "next_ticket": ("next_ticket()", 4),
    "label_count": ("label_count()", 1),
    "tickets_for": ("tickets_for(1)", 2),
    "double_it": ("double_it(4)", 8),
}


def full_sql(tmp_path: Path, spec: dict[str, Any]) -> str:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir(exist_ok=True)
    (spec_dir / "functions.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    files = loader.load_dir(spec_dir)
    return from_scratch.migration_sql(resolve.resolve(files), [f.source for f in files])


def test_the_migration_applies_and_every_function_runs(pg_admin_url, tmp_path):
    sql = full_sql(tmp_path, SPEC)
    with pg.fresh_database(pg_admin_url) as url, pg.connect(url) as conn:
        conn.execute(sql)
        assert [r[0] for r in conn.execute("INSERT INTO ticket (id) VALUES (1), (2), (3) RETURNING n")] == [1, 2, 3]
        conn.execute("INSERT INTO label VALUES (7)")
        assert conn.execute("INSERT INTO shelf (id) VALUES (1) RETURNING labels").fetchone() == (1,)
        sql_functions = {name for name, f in SPEC["functions"].items() if f.get("language") == "sql"}
        assert set(CALLS) == sql_functions
        for call, expected in CALLS.values():
            assert conn.execute(f"SELECT {call}").fetchone() == (expected,), call


def test_only_the_function_on_a_cycle_is_created_unchecked(tmp_path):
    sql = full_sql(tmp_path, SPEC)
    assert sql.count("SET LOCAL check_function_bodies = off;") == 1
    unchecked = sql.index("SET LOCAL check_function_bodies = off;")
    assert sql.index("CREATE FUNCTION public.next_ticket()") > unchecked > sql.rindex("BEGIN;")
    assert sql.index("SET LOCAL check_function_bodies = on;") < sql.index("CREATE TABLE public.ticket")
    assert (
        sql.index("CREATE TABLE public.label")
        < sql.index("CREATE FUNCTION public.label_count()")
        < sql.index("CREATE TABLE public.shelf")
    )
    assert sql.index("CREATE FUNCTION public.double_it(") < sql.index("CREATE FUNCTION public.tickets_for(")


def test_a_body_off_the_cycle_is_still_checked_when_created(pg_admin_url, tmp_path):
    """The check stays on for every other function: a misspelt table fails the migration, in its transaction."""
    spec = copy.deepcopy(SPEC)
    spec["functions"]["label_count"]["body"] = "SELECT count(*)::integer FROM labels"
    with pg.fresh_database(pg_admin_url) as url, pg.connect(url) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable, match='relation "labels" does not exist'):
            conn.execute(full_sql(tmp_path, spec))
        conn.execute("ROLLBACK")  # the script's own transaction, aborted
        assert conn.execute(
            "SELECT count(*) FROM pg_class WHERE relname IN ('shelf', 'ticket', 'label')"
        ).fetchone() == (0,)
