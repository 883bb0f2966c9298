"""Quotes, backslashes and `'; DROP TABLE x; --` in comments and enum values come back from
PostgreSQL's catalog exactly, as data, and drop nothing."""

from __future__ import annotations

import pg
import psycopg
import pytest
import yaml
from click.testing import CliRunner
from schemagen.cli import main

NASTY = [
    "it's",
    'say "hi"',
    "'; DROP TABLE x; --",
    "back\\slash",
    "\\'; DROP TABLE x; --",  # a backslash before the quote: an escape if standard_conforming_strings is off
]


def comment(what: str) -> str:
    return f"{what}: " + " | ".join(NASTY)


SPEC = {
    "migration": {"version": 1, "name": "quoting"},
    "enums": {"mood": {"comment": comment("type"), "values": NASTY}},
    "tables": {
        "note": {
            "comment": comment("table"),
            "columns": {
                "id": {"type": "integer", "primary_key": True},
                "mood": {"type": "mood", "comment": comment("column"), "default": "'it''s'"},
                "owner": {"type": "text"},
            },
            "indexes": {"idx_note_owner": {"columns": ["owner"], "comment": comment("index")}},
            "row_level_security": True,
            "policies": {
                "NoteOwner": {"command": "select", "using": "owner = current_user", "comment": comment("policy")}
            },
        }
    },
    "functions": {
        "note_count": {
            "returns": "bigint",
            "language": "sql",
            "body": "SELECT count(*) FROM note",
            "comment": comment("function"),
        },
    },
}


@pytest.fixture(scope="module")
def migration(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("quoting")
    (root / "spec").mkdir()
    (root / "spec" / "quoting.yaml").write_text(
        yaml.safe_dump(SPEC, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["build", "--spec", str(root / "spec"), "--out", str(root / "out")])
    assert result.exit_code == 0, result.output
    return (root / "out" / "migrations" / "0001_quoting.sql").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "conforming", ["on", "off"], ids=["standard_conforming_strings=on", "standard_conforming_strings=off"]
)
def test_nasty_text_round_trips_through_the_catalog(migration: str, db_url: str, conforming: str) -> None:
    pg.apply_sql(db_url, "CREATE TABLE x (id integer);")
    with psycopg.connect(db_url, autocommit=True, options=f"-c standard_conforming_strings={conforming}") as conn:
        conn.execute(migration)

    with pg.connect(db_url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]
        labels = [
            r[0]
            for r in conn.execute(
                "SELECT enumlabel FROM pg_enum WHERE enumtypid = 'mood'::regtype ORDER BY enumsortorder"
            )
        ]
        assert labels == NASTY
        assert one("SELECT obj_description('mood'::regtype, 'pg_type')") == comment("type")
        assert one("SELECT obj_description('note'::regclass, 'pg_class')") == comment("table")
        assert one(
            "SELECT col_description('note'::regclass, attnum) FROM pg_attribute WHERE attrelid = "
            "'note'::regclass AND attname = 'mood'"
        ) == comment("column")
        assert one("SELECT obj_description('idx_note_owner'::regclass, 'pg_class')") == comment("index")
        assert one("SELECT obj_description(oid, 'pg_policy') FROM pg_policy WHERE polname = 'NoteOwner'") == comment(
            "policy"
        )
        assert one("SELECT obj_description('note_count'::regproc, 'pg_proc')") == comment("function")
        assert (
            one("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'note'::regclass")
            == "'it''s'::mood"
        )
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace"
            )
        }
    assert tables == {"x", "note"}, "a comment or enum value ran as SQL"


def test_migration_spells_backslash_literals_in_the_E_form(migration: str) -> None:
    """quote_literal()'s form: E'...' with the backslash doubled, read the same under either setting."""
    assert "E'back\\\\slash'" in migration
    assert "'it''s'" in migration
