"""Grants on procedures (aggs6): `GRANT/REVOKE EXECUTE ON PROCEDURE`, judged by CALL as roles that neither own the
procedure nor are superusers; drift reads a procedure's privileges (proacl) back and finds one granted by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pg
import psycopg
import pytest
import yaml
from catalog_check import read_back
from schemagen import resolve
from schemagen.spec import loader
from schemagen.sql import from_scratch

SPEC: dict[str, Any] = {
    "migration": {"version": 1, "name": "calls"},
    "external": {"roles": ["clerk", "visitor"]},
    "tables": {"entry": {"columns": {"id": {"type": "integer", "primary_key": True}, "note": {"type": "text"}}}},
    "procedures": {
        "add_entry": {
            "args": "p_id integer, p_note text",
            "language": "sql",
            "security": "definer",
            "search_path": ["public"],
            "body": "INSERT INTO entry VALUES (p_id, p_note)",
        },
    },
    "revokes": [{"privileges": ["execute"], "functions": ["add_entry"], "from": ["public"]}],
    "grants": [{"privileges": ["execute"], "functions": ["add_entry"], "to": ["clerk"]}],
}
ROLES = (
    "DO $$ BEGIN CREATE ROLE clerk NOLOGIN; EXCEPTION WHEN duplicate_object THEN END $$;\n"
    "DO $$ BEGIN CREATE ROLE visitor NOLOGIN; EXCEPTION WHEN duplicate_object THEN END $$;"
)


def schema_and_sql(tmp_path: Path) -> tuple[Any, str]:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir(exist_ok=True)
    (spec_dir / "calls.yaml").write_text(yaml.safe_dump(SPEC, sort_keys=False), encoding="utf-8")
    files = loader.load_dir(spec_dir)
    schema = resolve.resolve(files)
    return schema, from_scratch.migration_sql(schema, [f.source for f in files])


def test_execute_on_a_procedure_is_granted_to_one_role_and_revoked_from_public(
    pg_admin_url: str, tmp_path: Path
) -> None:
    schema, sql = schema_and_sql(tmp_path)
    assert "REVOKE EXECUTE ON PROCEDURE public.add_entry(integer, text) FROM PUBLIC;" in sql
    assert "GRANT EXECUTE ON PROCEDURE public.add_entry(integer, text) TO clerk;" in sql
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, ROLES)
        pg.apply_sql(url, sql)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET ROLE clerk")
            conn.execute("CALL add_entry(1, 'by the clerk')")
            conn.execute("SET ROLE visitor")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for procedure add_entry"):
                conn.execute("CALL add_entry(2, 'by a visitor')")
            conn.execute("RESET ROLE")
            assert conn.execute("SELECT id, note FROM entry").fetchall() == [(1, "by the clerk")]
        report, _, _ = read_back(url, schema)
        assert not report.findings, report.findings
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("GRANT EXECUTE ON PROCEDURE add_entry(integer, text) TO visitor")
        report, _, _ = read_back(url, schema)
        assert [(f.kind, f.object, f.database) for f in report.findings] == [
            ("privilege", "EXECUTE on procedure public.add_entry(integer, text) to visitor", "EXECUTE granted")
        ]
