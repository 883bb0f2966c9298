"""Working with a live database: applying the migration chain (`schemagen migrate`), and
the files other runners read (`layouts.py`).

psycopg is imported only by the modules that connect (connect, history, migrate,
catalog, drift), which only `schemagen migrate` and `drift` load: `schemagen --help`
and `schemagen build` (which writes layouts.py's files) never load it.
"""

from __future__ import annotations


class UserError(Exception):
    """A condition the user must resolve (a bad URL, a refused connection, a migration edited
    after it was applied, a phase that failed): printed as it is, exit 1, no traceback."""
