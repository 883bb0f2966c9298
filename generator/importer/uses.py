"""What a fragment of SQL uses from elsewhere: the relations it reads and the functions it calls, by name as
written (schema or None), from PostgreSQL's parse tree (pglast)."""

from __future__ import annotations

import functools
import json
from typing import Any

from pglast.parser import ParseError, parse_sql_json

from ..pg import parsetree

Named = tuple[str | None, str]


@functools.lru_cache(maxsize=8192)
def uses(text: str, query: bool = False) -> tuple[frozenset[Named], frozenset[Named]]:
    """(relations read, functions called) by an expression, or by a whole query."""
    sql = text if query else f"SELECT {text}"
    try:
        tree: Any = json.loads(parse_sql_json(sql))
    except ParseError:
        return frozenset(), frozenset()
    relations: set[Named] = set()
    calls: set[Named] = set()
    for kind, fields in parsetree.walk(tree):
        if kind == "RangeVar":
            relations.add((fields.get("schemaname"), fields["relname"]))
        elif kind == "FuncCall":
            parts = parsetree.names(fields["funcname"])
            calls.add((parts[-2] if len(parts) > 1 else None, parts[-1]))
    return frozenset(relations), frozenset(calls)
