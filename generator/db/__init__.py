"""Working with a live database: applying the migration chain (`schemagen migrate`), and
the files other runners read (`layouts.py`).

psycopg is imported only inside the functions that connect, so `schemagen --help` and
`schemagen build` never load it.
"""

from __future__ import annotations


class UserError(Exception):
    """A condition the user must resolve (a bad URL, a refused connection, a migration edited
    after it was applied, a phase that failed): printed as it is, exit 1, no traceback."""
