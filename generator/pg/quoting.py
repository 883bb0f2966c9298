"""The one place where identifiers and literals are quoted for SQL.

Every name and every literal that reaches generated SQL passes through here;
only SQL fragments that pglast has parsed are emitted as written. The rules
follow PostgreSQL's own quote_ident()/quote_literal().
"""

from __future__ import annotations

import re
from functools import lru_cache

from pglast import keywords

_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*\Z")
# quote_ident() leaves only unreserved keywords bare.
_NEEDS_QUOTES = keywords.RESERVED_KEYWORDS | keywords.TYPE_FUNC_NAME_KEYWORDS | keywords.COL_NAME_KEYWORDS


@lru_cache(maxsize=65536)
def ident(name: str) -> str:
    """Quote an identifier only where PostgreSQL needs it, as quote_ident() does."""
    if _PLAIN.match(name) and name not in _NEEDS_QUOTES:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    return f"{ident(schema)}.{ident(name)}"


def literal(value: str) -> str:
    """A string literal, as quote_literal() writes it: quotes doubled; with a backslash,
    the E'' form with backslashes doubled, which reads the same whether or not
    standard_conforming_strings is on (with it off, `'\\'` would escape the quote)."""
    quoted = "'" + value.replace("'", "''") + "'"
    if "\\" in value:
        return "E" + quoted.replace("\\", "\\\\")
    return quoted
