"""Typed access to pglast's parse tree.

pglast declares every child of a node Optional and every list
`tuple[Any, ...] | None` (PostgreSQL leaves an empty list NULL). Where the
grammar guarantees more, these helpers say so at the point of use, so the code
that reads a tree stays strictly typed instead of letting `Any` spread from it.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from pglast import ast

T = TypeVar("T")


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
