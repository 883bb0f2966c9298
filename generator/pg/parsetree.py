"""PostgreSQL's parse tree, in the two forms pglast gives, each for one job.

Finding things in a fragment (the functions it calls, the columns it reads, a
sub-query, a call of now()) is a walk over PostgreSQL's own JSON form of the
tree (pglast.parser.parse_sql_json; sqlparse.expression_json), with `walk`,
the one walker: the JSON costs a fifth of pglast's Python nodes, and a
policy template gives every table its own texts to read. Translating a
fragment (a CHECK into Python in models/checks.py, a constant in
resolve/defaults.py, lint's constant truth) reads pglast's typed Python nodes
(sqlparse.expression) by recursive descent, with the helpers below.

pglast declares every child of a node Optional and every list
`tuple[Any, ...] | None` (PostgreSQL leaves an empty list NULL). Where the
grammar guarantees more, these helpers say so at the point of use, so the code
that reads a tree stays strictly typed instead of letting `Any` spread from it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pglast import ast

T = TypeVar("T")

Fields = dict[str, Any]  # a node of the JSON form is {"Kind": fields}


def walk(tree: Any, prune: Callable[[str, Fields], bool] | None = None) -> Iterator[tuple[str, Fields]]:
    """Every node of a tree in PostgreSQL's JSON form as (kind, fields), depth first, parents first.

    A node is a one-key dict `{"Kind": {fields}}`; lists hold nodes; a field
    of a fixed type (a TypeCast's typeName, an A_Const's value) is its fields
    alone, without the kind, and is walked through. A node for which
    `prune(kind, fields)` is true is given but not entered (e.g. "SelectStmt":
    what lies outside the sub-queries). Children come in the order of their
    fields, which is not always the order of the text: sort by "location"
    where that matters.
    """
    stack: list[Any] = [tree]
    while stack:
        current = stack.pop()
        if type(current) is list:
            stack.extend(reversed(current))
        elif type(current) is dict:
            # Right to left onto the stack, so that the children come out left to right. Only a node
            # {"Kind": fields} has a key in upper case, and it has no other key: it is given here.
            for key, value in reversed(current.items()):
                if type(value) is dict:
                    if key[0].isupper():
                        yield key, value
                        if prune is not None and prune(key, value):
                            continue
                    stack.append(value)
                elif type(value) is list:
                    stack.append(value)


def names(fields: list[Any] | None) -> tuple[str, ...]:
    """A list of String nodes of the JSON form (a qualified name, a column reference) as text; "*" for A_Star."""
    return tuple(f["String"]["sval"] if "String" in f else "*" for f in fields or ())


def present(value: T | None) -> T:
    """A field the grammar always fills at this point."""
    assert value is not None
    return value


def node(value: ast.Node | tuple[Any, ...] | None) -> ast.Node:
    """A child that is one node here (A_Expr.rexpr is a list for IN and BETWEEN, a node otherwise)."""
    assert isinstance(value, ast.Node), f"expected a node, got {type(value).__name__}"
    return value


def nodes(value: ast.Node | tuple[Any, ...] | None) -> tuple[ast.Node, ...]:
    """A list field: its nodes, none when PostgreSQL left it NULL."""
    if value is None:
        return ()
    assert isinstance(value, tuple), f"expected a list, got {type(value).__name__}"
    return value


def strings(value: tuple[Any, ...] | None) -> list[str]:
    """A list of String nodes (a qualified name, an operator) as text."""
    return [n.sval for n in value or ()]


def kind(value: enum.Enum | None) -> str:
    """The name of an enum field the grammar always sets (A_Expr.kind, BoolExpr.boolop)."""
    return present(value).name
