"""A foreign key between two column types: schemagen accepts it exactly when PostgreSQL does (issue 19 item 2).

PostgreSQL accepts a key whose columns are of different but comparable types
(`integer` referencing `bigint`, common in Rails schemas): schemagen refused
every such key with E026. For each referenced type, every referencing type is
tried twice: schemagen's verdict on a spec, and the real
`ALTER TABLE ... ADD FOREIGN KEY` on a database; the two must agree.
"""

from __future__ import annotations

from pathlib import Path

import pg
import psycopg
import pytest
import yaml
from schemagen import errors, resolve
from schemagen.spec import loader

TYPES = [
    "smallint",
    "integer",
    "bigint",
    "numeric",
    "numeric(10, 2)",
    "real",
    "double precision",
    "boolean",
    "text",
    "varchar(10)",
    "char(5)",
    "uuid",
    "jsonb",
    "timestamptz",
    "timestamp",
    "date",
    "time",
    "timetz",
    "interval",
    "bytea",
    "inet",
    "cidr",
    "macaddr",
    "oid",
    "mood",
    "other_mood",
    "integer[]",
    "bigint[]",
    "text[]",
    "varchar(10)[]",
    "char(5)[]",
    "mood[]",
]


def schemagen_accepts(tmp_path: Path, referenced: str, referencing: str) -> bool:
    spec = {
        "migration": {"version": 1, "name": "fk"},
        "enums": {"mood": {"values": ["a"]}, "other_mood": {"values": ["a"]}},
        "tables": {
            "p": {"columns": {"k": {"type": referenced, "primary_key": True}}},
            "f": {"columns": {"id": {"type": "integer", "primary_key": True}, "k": {"type": referencing}}},
        },
    }
    spec["tables"]["f"]["columns"]["k"]["references"] = "p(k)"
    d = tmp_path / "spec"
    d.mkdir(exist_ok=True)
    (d / "fk.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    try:
        resolve.resolve(loader.load_dir(d))
    except errors.SpecError as exc:
        assert [d.code for d in exc.diagnostics] == [errors.BAD_REFERENCE], exc.diagnostics
        return False
    return True


def postgres_accepts(conn: psycopg.Connection, referenced: str, referencing: str) -> bool:
    conn.execute(f"CREATE TABLE f (id integer PRIMARY KEY, k {referencing})")
    try:
        conn.execute("ALTER TABLE f ADD FOREIGN KEY (k) REFERENCES p (k)")
        return True
    except psycopg.Error:
        return False
    finally:
        conn.execute("DROP TABLE f")


@pytest.mark.parametrize("referenced", TYPES)
def test_a_foreign_key_is_accepted_exactly_when_postgresql_accepts_it(referenced, tmp_path, db_url):
    with pg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE TYPE mood AS ENUM ('a'); CREATE TYPE other_mood AS ENUM ('a')")
        conn.execute(f"CREATE TABLE p (k {referenced} PRIMARY KEY)")
        verdicts = {
            t: (schemagen_accepts(tmp_path, referenced, t), postgres_accepts(conn, referenced, t)) for t in TYPES
        }
    wrong = {
        t: "schemagen accepts, PostgreSQL refuses" if ours else "schemagen refuses, PostgreSQL accepts"
        for t, (ours, theirs) in verdicts.items()
        if ours != theirs
    }
    assert not wrong, f"foreign keys to {referenced}: {wrong}"
    assert verdicts[referenced] == (True, True) or referenced in ("varchar(10)[]", "char(5)[]")
