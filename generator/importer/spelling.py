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
    """A fragment as PostgreSQL printed it; one with a sub-query (printed over several lines, `( SELECT`) on one
    line: as pglast prints the same parse tree (fewer parentheses) unless that spells a cast as CAST(...), else
    PostgreSQL's own text with its line breaks and indentation as single spaces. The database reads either back
    as the same expression."""
    if text is None or ("\n" not in text and "( SELECT" not in text):
        return text
    try:
        stmts = parse_sql(f"SELECT {text}")
    except ParseError:
        return text
    select = stmts[0].stmt if len(stmts) == 1 else None
    if not isinstance(select, ast.SelectStmt) or not select.targetList or len(select.targetList) != 1:
        return text
    printed = str(RawStream()(select.targetList[0].val))
    return printed if "CAST(" not in printed else _one_line(text)


def _one_line(text: str) -> str:
    """`text` with each run of white space holding a line break, and the space after `(` before SELECT, outside
    quotes, as a single space (none)."""
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            out.append(ch)
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch.isspace():
            j = i
            while j < len(text) and text[j].isspace():
                j += 1
            run = text[i:j]
            if out and out[-1] == "(" and text.startswith("SELECT", j):
                run = ""
            elif "\n" in run:
                run = " "
            out.append(run)
            i = j
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


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
