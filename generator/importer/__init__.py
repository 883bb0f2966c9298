"""`schemagen import`: a live database (or SQL files applied to a throwaway one) as spec YAML a person would
have written.

db/catalog.py reads the catalog into the IR (the reader `schemagen drift` uses); convert.py writes the IR as
spec modules, one small function per kind (objects.py), policy templates found again (templates.py), grants as
the difference from what objects get when created (grants.py), and the objects of other schemas the imported
ones use under `external:`. What the spec cannot express is listed (partial.py), never dropped silently.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

from ..db import UserError, catalog
from ..db import connect as db_connect
from ..db.catalog import Unmanaged
from ..ir import Name
from ..templating import environment
from . import fromsql
from .convert import Options, Result, convert
from .partial import Left

__all__ = ["Left", "Options", "Result", "from_sql", "read", "write"]

APPLICATION = "schemagen import"


def read(url: str, options: Options) -> Result:
    """The spec modules of the database at `url`."""
    with db_connect.connect(url, APPLICATION) as conn:
        conn.execute(environment().get_template("sql/db/import/session.sql.j2").render())
        schemas = [str(r[0]) for r in conn.execute(environment().get_template("sql/db/import/schemas.sql.j2").render())]
        wanted = options.schemas or ("public",)
        missing = [s for s in wanted if s not in schemas]
        if missing:
            raise UserError(f"schemagen: no schema {', '.join(missing)} in the database")
        main = catalog.read(conn, wanted)
        rest = [s for s in schemas if s not in wanted]
        others = catalog.read(conn, rest) if rest else None
        unread = conn.execute(
            environment().get_template("sql/db/import/unread.sql.j2").render(), {"schemas": list(wanted)}
        ).fetchall()
        owners = conn.execute(
            environment().get_template("sql/db/import/owners.sql.j2").render(), {"schemas": list(wanted)}
        ).fetchall()
        roles = conn.execute(environment().get_template("sql/db/import/roles.sql.j2").render()).fetchall()
    found = tuple(Unmanaged(str(r[0]), Name(str(r[1]), str(r[2])), str(r[3]), str(r[4] or "")) for r in unread)
    main = dataclasses.replace(main, unmanaged=main.unmanaged + found)
    chosen = Options(tuple(wanted), options.exclude, options.module_by, options.module)
    return convert(main, others, chosen, frozenset(str(r[0]) for r in owners), frozenset(str(r[0]) for r in roles))


def from_sql(paths: list[Path], options: Options) -> Result:
    """The spec modules of the schema the SQL files make (fromsql.py)."""
    sources = fromsql.files(paths)
    if not sources:
        raise UserError(f"schemagen: no .sql file in {', '.join(map(str, paths))}")
    result: Result = fromsql.throwaway(sources, lambda url: read(url, options))
    return result


def write(result: Result, out: Path) -> None:
    """The files into `out` (created if missing), each written atomically; files of other modules left alone."""
    out.mkdir(parents=True, exist_ok=True)
    for name, text in result.files.items():
        fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, out / name)
