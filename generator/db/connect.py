"""A psycopg connection from `--database-url`, with a plain error for a bad URL or a server that
does not answer (exit 1, no traceback)."""

from __future__ import annotations

import re

import psycopg

from . import UserError

APPLICATION = "schemagen migrate"  # what pg_stat_activity shows, so a waiting runner can name the holder


def connect(url: str, application: str = APPLICATION) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection: a migration's own BEGIN and COMMIT decide its transactions."""

    if not url:
        raise UserError("schemagen: no database given: pass --database-url URL or set DATABASE_URL")
    try:
        psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise UserError(
            f"schemagen: --database-url is not a PostgreSQL connection URL ({shown(url)}): {_first_line(exc)}"
        ) from None
    try:
        return psycopg.connect(url, autocommit=True, application_name=application, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise UserError(f"schemagen: cannot connect to {shown(url)}: {_first_line(exc)}") from None


def shown(url: str) -> str:
    """The URL without its password, fit for a message or a log."""
    masked = re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", masked, flags=re.IGNORECASE)


def target(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    """`user@host:port/dbname` of a connection, for progress lines."""
    info = conn.info
    host = info.host if not info.host.startswith("/") else "localhost"
    return f"{info.user}@{host}:{info.port}/{info.dbname}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return " ".join(line.strip() for line in text.splitlines() if line.strip()) or type(exc).__name__
