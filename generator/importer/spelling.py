"""How the spec spells what the catalog holds: keys and references, types, SQL fragments on one line."""

from __future__ import annotations

import functools
import re

from pglast import ast, parse_sql
from pglast.parser import ParseError
from pglast.stream import RawStream

from ..ir import Name
from ..pg import quoting

_SPECIAL = set('."(),')


def part(name: str) -> str:
    """A name part as a spec key writes it: bare, or in PostgreSQL's quotes when it holds a dot, a quote or
    parentheses (which would read as a schema or a reference)."""
    return '"' + name.replace('"', '""') + '"' if _SPECIAL & set(name) else name


def key(name: Name) -> str:
    """A spec key or reference target: `name` in public, else `schema.name`; a name holding a dot quoted, with
    its schema (`public."a.b"`), as the spec's rule for names wants."""
    if name.schema == "public":
        return f"public.{part(name.name)}" if _SPECIAL & set(name.name) else name.name
    return f"{part(name.schema)}.{part(name.name)}"


def reference(table: Name, columns: tuple[str, ...]) -> str:
    """`table(col, ...)` as `references:` writes it."""
    return f"{key(table)}({', '.join(quoting.ident(c) if _SPECIAL & set(c) else c for c in columns)})"


def sql_name(name: Name) -> str:
    """An object named inside SQL (a type): unqualified in public, quoted where PostgreSQL needs it."""
    return quoting.ident(name.name) if name.schema == "public" else name.q


def type_text(sql_type: str) -> str:
    """A column's type as a person writes it: `public.` left out (the spec reads it from public)."""
    return sql_type.removeprefix("public.")


@functools.lru_cache(maxsize=8192)
def expression(text: str | None) -> str | None:
    """A fragment as PostgreSQL printed it; one it printed over several lines (a sub-query) on one line, as
    pglast prints the same parse tree, which the database reads back as the same expression (kept as printed
    when pglast cannot)."""
    if text is None or "\n" not in text:
        return text
    try:
        stmts = parse_sql(f"SELECT {text}")
    except ParseError:
        return text
    select = stmts[0].stmt if len(stmts) == 1 else None
    if not isinstance(select, ast.SelectStmt) or not select.targetList or len(select.targetList) != 1:
        return text
    return str(RawStream()(select.targetList[0].val))


def bound(literal: str) -> str:
    """A range bound as `from:`/`to:` write it: the literal's text (MINVALUE, MAXVALUE bare)."""
    if literal.startswith("'") and literal.endswith("'"):
        return literal[1:-1].replace("''", "'")
    if literal.startswith("E'"):
        return literal[2:-1].replace("''", "'").replace("\\\\", "\\")
    return literal


_CAST_LITERAL = re.compile(r"('(?:[^']|'')*')::([\w. \"]+)\Z")


def default(text: str | None, column_type: str) -> str | None:
    """A column default: a literal cast to the column's own type (`'cart'::order_state`, `''::text`) written as
    the literal, which PostgreSQL casts back to the same default."""
    m = _CAST_LITERAL.match(text) if text else None
    if m is not None and m.group(2) == column_type:
        return m.group(1)
    return expression(text)
