"""Reserved words and mixed case as names (tests/diff_cases/reserved_words/base.yaml), on PostgreSQL.

The diff case compares schemagen's SQL for this spec, and a migration of it, with SQL written by
hand (pg_dump of both). Here the schema works: its models write rows that the database takes, its
trigger, function, policy and foreign keys' ON DELETE / ON UPDATE actions do what the spec says.
"""

from __future__ import annotations

from pathlib import Path

import pg
import psycopg
import pytest
from diff_harness import CASES_DIR, full_sql, schema_of
from models_support import import_file, write_models

SPEC = CASES_DIR / "reserved_words" / "base.yaml"


@pytest.fixture
def reserved(db_url: str, tmp_path: Path):
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "reserved.yaml").write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    schema, _sources = schema_of(spec)
    pg.apply_sql(db_url, full_sql(schema))
    models = import_file(write_models(spec, tmp_path / "out")["models/reserved.py"])
    return db_url, models


def test_models_write_rows_the_database_takes_and_read_them_back(reserved) -> None:
    url, m = reserved
    sent = m.UserInsert.model_validate({"select": "  Ada ", "group": m.Case.IT_S, "Limit": 3, "from": "open"})
    assert sent.model_dump() == {"select": "  Ada ", "group": "it's", "Limit": 3, "from": "open"}
    with pg.as_user(url, None) as conn:  # app_user: not the owner, so the policy applies
        conn.execute("SET ROLE app_user")
        row = conn.execute(
            'INSERT INTO "user" ("select", "group", "Limit", "from") VALUES (%s, %s, %s, %s) RETURNING *',
            list(sent.model_dump().values()),
        ).fetchone()
        user = m.User.model_validate(row)
        assert (user.select, user.group, user.limit, user.from_) == ("Ada", m.Case.IT_S, 3, m.Status.OPEN)  # trimmed
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):  # WITH CHECK "Limit"
            conn.execute('INSERT INTO "user" ("select") VALUES (%s)', ("no limit",))
        assert conn.execute('SELECT "select"(41) AS n').fetchone() == {"n": 42}
    with pytest.raises(Exception, match="Limit"):
        m.UserInsert.model_validate({"select": "x", "Limit": 0})  # CHECK ("Limit" > 0), in the model too


def test_foreign_keys_act_on_update_and_delete_as_the_spec_says(reserved) -> None:
    url, _m = reserved
    with pg.connect(url) as conn:
        conn.execute("""INSERT INTO "user" (id, "select", "Limit") VALUES (1, 'a', 1), (2, 'b', 1), (3, 'c', 1)""")
        conn.execute(
            """INSERT INTO "order" (id, "user", at, "OrderedBy") """
            """VALUES (1, 1, '2026-03-01', 2), (2, 2, '2025-12-31', 3)"""
        )
        conn.execute('UPDATE "user" SET id = 10 WHERE id = 1')  # "user": ON UPDATE CASCADE
        assert conn.execute('SELECT "user" FROM "order" WHERE id = 1').fetchone() == (10,)
        with pytest.raises(psycopg.errors.RestrictViolation):  # "OrderedBy": ON UPDATE RESTRICT, not NO ACTION
            conn.execute('UPDATE "user" SET id = 20 WHERE id = 2')
        conn.execute('DELETE FROM "user" WHERE id = 3')  # "OrderedBy": ON DELETE SET NULL
        conn.execute('DELETE FROM "user" WHERE id = 2')  # "user": ON DELETE CASCADE, and order 1's "OrderedBy" NULL
        rows = conn.execute('SELECT id, "user", "OrderedBy", tableoid::regclass::text FROM "order"').fetchall()
        assert rows == [(1, 10, None, "order_2026")]
