"""One key of an index, every part of it: `lower(b) COLLATE "C" text_pattern_ops DESC NULLS LAST`.

PostgreSQL's grammar for a key (`index_elem`) is a column or an expression,
then optionally COLLATE, an operator class with its parameters, ASC/DESC and
NULLS FIRST/LAST. pglast parses it (sqlparse.index_element); this module
turns the parse into the parts the IR keeps, each as SQL text. The same
function reads the keys back from `pg_get_indexdef` (db/catalog.py), so that
the spec and the live catalog are spelled alike.

An expression is kept as its text in the fragment (the user's spelling, as
before): the scanner's tokens after it are exactly those of the parts that
follow, counted from the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast import ast
from pglast.enums import SortByDir, SortByNulls
from pglast.parser import scan

from . import quoting, sqlparse

_NULLS = {SortByNulls.SORTBY_NULLS_FIRST: "first", SortByNulls.SORTBY_NULLS_LAST: "last"}


@dataclass(frozen=True)
class IndexKey:
    column: str | None
    expression: str | None
    collation: str | None
    opclass: str | None
    opclass_params: tuple[tuple[str, str], ...]
    descending: bool
    nulls: str | None  # "first" | "last" when written


def qualified_name(parts: tuple[ast.String, ...] | None) -> str | None:
    """A (possibly schema-qualified) name as SQL, each part quoted where PostgreSQL needs it."""
    if not parts:
        return None
    return ".".join(quoting.ident(p.sval) for p in parts)


def parameter_value(arg: ast.Node | None) -> str:
    """The text of an option's value, as PostgreSQL stores it (`siglen=32`, `siglen='32'` alike)."""
    if isinstance(arg, ast.Integer):
        return str(arg.ival)
    if isinstance(arg, ast.Float):
        return str(arg.fval)
    if isinstance(arg, ast.String):
        return str(arg.sval)
    if isinstance(arg, ast.Boolean):
        return "true" if arg.boolval else "false"
    names = arg.names if isinstance(arg, ast.TypeName) else None
    if isinstance(arg, ast.TypeName) and names and len(names) == 1 and not arg.typmods and not arg.arrayBounds:
        return str(names[0].sval)  # a bare word: `buffering=auto`
    raise sqlparse.FragmentError("an operator class parameter is a number, a word or a quoted string")


def key(elem: ast.IndexElem, text: str) -> IndexKey:
    """The parts of the key `elem`, parsed from `text` (the key alone)."""
    params = tuple((str(d.defname), parameter_value(d.arg)) for d in (elem.opclassopts or ()))
    expression = None if elem.name is not None else _expression_text(elem, text)
    return IndexKey(
        elem.name,
        expression,
        qualified_name(elem.collation),
        qualified_name(elem.opclass),
        params,
        elem.ordering == SortByDir.SORTBY_DESC,
        _NULLS.get(elem.nulls_ordering) if elem.nulls_ordering is not None else None,
    )


def parse(text: str) -> IndexKey:
    """The key written as `text` (sqlparse.FragmentError when it is not one key)."""
    return key(sqlparse.index_element(text), text)


def _expression_text(elem: ast.IndexElem, text: str) -> str:
    tokens = scan(text)
    count = len(tokens)
    if elem.nulls_ordering:
        count -= 2  # NULLS FIRST | NULLS LAST
    if elem.ordering:
        count -= 1  # ASC | DESC
    if elem.opclassopts:  # (name = value, ...): back to its opening parenthesis
        depth = 0
        while True:
            count -= 1
            depth += {"ASCII_41": 1, "ASCII_40": -1}.get(tokens[count].name, 0)
            if depth == 0:
                break
    if elem.opclass:
        count -= 2 * len(elem.opclass) - 1  # name or schema . name
    if elem.collation:
        count -= 2 * len(elem.collation)  # COLLATE and the name
    return text[: tokens[count - 1].end + 1].strip()


def exclusion(text: str) -> tuple[IndexKey, str]:
    """An exclusion constraint's element written as `text` (`room WITH =`): its key, and its operator as SQL
    (`&&`; a qualified one as `OPERATOR(schema.&&)`). sqlparse.FragmentError when it is not one element."""
    elem, operator = sqlparse.exclusion_element(text)
    key_text = text[: [t for t in scan(text) if t.name == "WITH"][-1].start]
    *schema, op = operator
    return key(elem, key_text), f"OPERATOR({quoting.ident(schema[0])}.{op})" if schema else op


def exclusion_key_text(text: str) -> str:
    """The key of an exclusion element, without `WITH operator` (for its column references)."""
    return text[: [t for t in scan(text) if t.name == "WITH"][-1].start].strip()
