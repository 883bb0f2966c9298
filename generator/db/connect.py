"""Opening a connection to the user's database, with errors a user can act on.

psycopg is imported here, inside the commands that need a database, so that
`schemagen --help` and `schemagen build` never pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg


class DatabaseError(Exception):
    """A problem with the database or its URL: the command says it and exits 1 (never a traceback)."""


def connect(url: str, *, application: str = "schemagen") -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection to `url` (a postgresql:// URL or a key=value string).

    The message of a refused URL or connection is PostgreSQL's (or libpq's)
    own; the password is never part of it.
    """
    import psycopg

    if not url.strip():
        raise DatabaseError("--database-url is empty: give a URL such as postgresql://user@host:5432/dbname")
    try:
        params = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise DatabaseError(f"--database-url is not a valid PostgreSQL URL or connection string: {_first_line(exc)}") from None
    params.setdefault("application_name", application)
    params.setdefault("connect_timeout", 10)
    try:
        return psycopg.connect(**params, autocommit=True)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to the database: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
