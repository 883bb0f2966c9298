"""A column of a date or time type compared with a number, in a table's CHECK or index predicate.

PostgreSQL has no operator between a date (or timestamp, time, interval) and
an integer, so the table is created and the migration fails when the CHECK
or index is: `operator does not exist: date > integer`. The usual cause is an
unquoted date, `c > 2026-01-01`, which SQL reads as the arithmetic 2026 - 1 - 1.
Found here where the fragment's columns are the table's own (a CHECK, an
index's predicate); a policy's columns come from several tables and are left
to PostgreSQL.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .. import errors, ir
from ..ir import Name
from ..pg import sqlparse
from .report import Problem

# Types with no comparison to a number (https://www.postgresql.org/docs/current/functions-datetime.html).
DATE_TIME = frozenset({"date", "timestamp", "timestamptz", "time", "timetz", "interval"})
_COMPARISONS = frozenset({"=", "<>", "<", "<=", ">", ">="})
_LISTS = frozenset({"AEXPR_IN", "AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN", "AEXPR_BETWEEN_SYM", "AEXPR_NOT_BETWEEN_SYM"})
_ARITHMETIC: dict[str, Callable[[int, int], int]] = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_WRITTEN_DATE = re.compile(r"\d+\s*-\s*\d+\s*-\s*\d+")
_DASH = re.compile(r"\s*-\s*")


def problems(text: str, columns: Mapping[str, ir.Column], table: Name) -> list[Problem]:
    """Each comparison in the expression `text` (it parses) of a date or time column of `table` with a number."""
    if not any(c.isdigit() for c in text) or not any(
        (col := columns.get(ref[-1])) is not None and col.base in DATE_TIME
        for ref, _offset in sqlparse.expression_column_refs(text)
    ):
        return []  # no number, or no date or time column: nothing to compare (most CHECKs; not walked)
    start = len(sqlparse.EXPRESSION_PREFIX)
    found = []
    for column, number in _compared(sqlparse.expression_json(text), columns, table):
        first = _first_location(number)
        offset = None if first is None or first < start else first - start
        value = _value(number)
        written = _WRITTEN_DATE.match(text, offset) if offset is not None else None
        if written is not None and "A_Expr" in number:
            shown = written.group(0)
            arithmetic = " - ".join(_DASH.split(shown))
            why = (
                f"{shown} is not a date in SQL but the arithmetic {arithmetic} (the number {value}), and "
                f"PostgreSQL does not compare {column.sql_type} column {column.name} with a number: quote the "
                f"date ('{shown}')"
            )
        else:
            why = (
                f"PostgreSQL does not compare {column.sql_type} column {column.name} with the number {value}: "
                f"write a quoted {column.sql_type} value"
            )
        found.append(Problem(offset, errors.SQL_VALUE, why))
    return found


def _compared(
    tree: dict[str, Any], columns: Mapping[str, ir.Column], table: Name
) -> Iterator[tuple[ir.Column, dict[str, Any]]]:
    """Each (column, number) a comparison, BETWEEN or IN of the JSON parse tree `tree` holds."""
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        expr = node.get("A_Expr")
        if expr is None:
            continue
        op = expr.get("name", [{}])[-1].get("String", {}).get("sval", "")
        kind = expr.get("kind")
        if kind == "AEXPR_OP" and op in _COMPARISONS:
            pairs = [(expr.get("lexpr"), expr.get("rexpr")), (expr.get("rexpr"), expr.get("lexpr"))]
        elif kind in _LISTS:
            pairs = [(expr.get("lexpr"), other) for other in expr.get("rexpr", {}).get("List", {}).get("items", ())]
        else:
            continue
        for side, other in pairs:
            column = _date_time_column(side, columns, table)
            if column is not None and isinstance(other, dict) and _value(other) is not None:
                yield column, other


def _date_time_column(node: Any, columns: Mapping[str, ir.Column], table: Name) -> ir.Column | None:
    """The column of a date or time type that `node` names (`c` or `t.c`), if it does."""
    ref = node.get("ColumnRef") if isinstance(node, dict) else None
    if ref is None or not all("String" in f for f in ref.get("fields", ())):
        return None
    names = [f["String"]["sval"] for f in ref["fields"]]
    if len(names) > 1 and names[-2] != table.name:
        return None
    column = columns.get(names[-1])
    return column if column is not None and column.base in DATE_TIME and not column.array_dims else None


def _value(node: dict[str, Any]) -> int | None:
    """The integer a constant expression of integers is (`5`, `-3`, `2026 - 1 - 1`), or None."""
    const = node.get("A_Const")
    if const is not None:
        if "ival" in const:
            return int(const["ival"].get("ival", 0))
        fval = const.get("fval", {}).get("fval", "")
        return int(fval) if fval.isdigit() else None  # an integer past int4 is a Float node
    expr = node.get("A_Expr")
    if expr is None or expr.get("kind") != "AEXPR_OP":
        return None
    op = expr.get("name", [{}])[-1].get("String", {}).get("sval", "")
    right = _value(expr["rexpr"]) if "rexpr" in expr else None
    left = _value(expr["lexpr"]) if "lexpr" in expr else 0  # a unary minus or plus
    if right is None or left is None or op not in _ARITHMETIC:
        return None
    return _ARITHMETIC[op](left, right)


def _first_location(node: dict[str, Any]) -> int | None:
    """Where the leftmost part of `node` is written (an operator's location is the operator's)."""
    while "A_Expr" in node and "lexpr" in node["A_Expr"]:
        node = node["A_Expr"]["lexpr"]
    body: Any = next(iter(node.values()), {})
    location = body.get("location") if isinstance(body, dict) else None
    return location if isinstance(location, int) else None
