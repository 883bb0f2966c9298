"""Values for the test rows: a value of each column's type, moved where a CHECK wants it.

A CHECK is read from PostgreSQL's parse tree (pglast's JSON) and evaluated here, in SQL's
three-valued logic, over what the row will hold: the values chosen, NULL for the columns left
out, a constant default's value. Comparisons, `+ - * /`, AND/OR/NOT, IS [NOT] NULL, BETWEEN, IN,
length() are understood; anything else (now(), a sub-query, a function) is UNKNOWN, and the row
is left for the database to judge. When a CHECK is false, the columns it names are tried with the
constants the table's CHECKs mention (k, k + 1, k - 1, each IN value, each enum label) until every
CHECK holds; when none does, the column needs a `sample:` in the spec.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import ir
from ..pg import sqlparse

UNKNOWN = object()  # a value this evaluator cannot know (a volatile default, a function call)
NAMESPACE = uuid.UUID("5c4e3a9e-7e57-4d1b-9c1e-5c4e3a9e7e57")  # test rows' uuids: stable, and plainly schemagen's

_NUMBERS = frozenset({"int2", "int4", "int8", "numeric", "float4", "float8", "oid"})
_PLAIN = {
    "bool": False,
    "json": "{}",
    "jsonb": "{}",
    "timestamptz": "2000-01-01 00:00:00+00",
    "timestamp": "2000-01-01 00:00:00",
    "date": "2000-01-01",
    "time": "00:00:00",
    "timetz": "00:00:00+00",
    "interval": "1 hour",
    "bytea": "\\x00",
    "inet": "192.0.2.1",
    "cidr": "192.0.2.0/24",
    "macaddr": "08:00:2b:01:02:03",
    "tsvector": "",
}
_INT_BASE = {"int2": 32000, "int4": 2_000_000_000, "int8": 9_000_000_000_000_000_000, "oid": 4_000_000_000}


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def unique_value(column: ir.Column, table: ir.Name, tag: str, index: int, labels: tuple[str, ...]) -> Any:
    """A value of the column's type that no other test row has (`tag`: tenant and row, `index` its number)."""
    base = column.base
    if column.array_dims:
        return "{}"
    if base == "uuid":
        return stable_uuid(str(table), column.name, tag)
    if base in _INT_BASE:
        return _INT_BASE[base] + index
    if base in ("numeric", "float4", "float8"):
        return Decimal(1_000_000 + index) if not column.mods or column.mods[0] - _scale(column) > 7 else Decimal(index)
    if base in ("text", "varchar", "bpchar"):
        return _text(f"schemagen-{tag}", column)
    if base == "enum":
        return labels[0] if labels else None
    if base == "date":
        return f"2000-01-{index % 28 + 1:02d}"
    if base in ("timestamptz", "timestamp"):
        return f"2000-01-01 00:00:{index % 60:02d}" + ("+00" if base == "timestamptz" else "")
    return plain_value(column, labels)


def plain_value(column: ir.Column, labels: tuple[str, ...]) -> Any:
    """Any value of the column's type; None when this module knows no value of it."""
    base = column.base
    if column.array_dims:
        return "{}"
    if base == "enum":
        return labels[0] if labels else None
    if base in _NUMBERS:
        return 0
    if base in ("text", "varchar", "bpchar"):
        return _text("schemagen", column)
    if base == "uuid":
        return stable_uuid("plain")
    return _PLAIN.get(base)


def _scale(column: ir.Column) -> int:
    return column.mods[1] if len(column.mods) > 1 else 0


def _text(value: str, column: ir.Column) -> str:
    limit = column.mods[0] if column.mods else (1 if column.base == "bpchar" else None)
    return value if limit is None or len(value) <= limit else value[-limit:]


# -- CHECKs ----------------------------------------------------------------------
def conjuncts(text: str) -> list[Any]:
    """The parts of a CHECK joined by AND, as parse trees (one part when it is not an AND)."""
    try:
        tree = sqlparse.expression_json(text)
    except sqlparse.FragmentError:
        return []
    if "BoolExpr" in tree and tree["BoolExpr"]["boolop"] == "AND_EXPR":
        return [part for arg in tree["BoolExpr"]["args"] for part in _flatten(arg)]
    return [tree]


def _flatten(node: Any) -> list[Any]:
    if "BoolExpr" in node and node["BoolExpr"]["boolop"] == "AND_EXPR":
        return [part for arg in node["BoolExpr"]["args"] for part in _flatten(arg)]
    return [node]


def columns_of(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            if "ColumnRef" in n:
                fields = n["ColumnRef"].get("fields", ())
                if fields and "String" in fields[-1]:
                    found.add(fields[-1]["String"]["sval"])
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)
    return found


def constants(node: Any) -> list[Any]:
    """Every constant a tree names, for the values to try."""
    found: list[Any] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            if "A_Const" in n:
                value = _const(n["A_Const"])
                if value is not None and value is not UNKNOWN:
                    found.append(value)
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)
    return found


def evaluate(node: Any, row: dict[str, Any]) -> Any:
    """The value of an expression over `row` (column -> value, None for NULL); UNKNOWN where it cannot tell."""
    try:
        return _eval(node, row)
    except (ArithmeticError, InvalidOperation, TypeError, ValueError):
        return UNKNOWN


def _const(c: dict[str, Any]) -> Any:
    if c.get("isnull"):
        return None
    if "ival" in c:
        return int(c["ival"].get("ival", 0))
    if "fval" in c:
        return Decimal(c["fval"]["fval"])
    if "sval" in c:
        return c["sval"].get("sval", "")
    if "boolval" in c:
        return bool(c["boolval"].get("boolval", False))
    return UNKNOWN


def _eval(node: Any, row: dict[str, Any]) -> Any:
    if not isinstance(node, dict) or len(node) != 1:
        return UNKNOWN
    ((kind, n),) = node.items()
    if kind == "A_Const":
        return _const(n)
    if kind == "ColumnRef":
        fields = n.get("fields", ())
        name = fields[-1].get("String", {}).get("sval") if fields else None
        return row.get(name, UNKNOWN) if name is not None else UNKNOWN
    if kind == "TypeCast":
        return _eval(n.get("arg"), row)
    if kind == "BoolExpr":
        return _bool(n["boolop"], [_eval(a, row) for a in n.get("args", ())])
    if kind == "NullTest":
        value = _eval(n.get("arg"), row)
        if value is UNKNOWN:
            return UNKNOWN
        return (value is None) == (n.get("nulltesttype") == "IS_NULL")
    if kind == "FuncCall":
        name = n["funcname"][-1]["String"]["sval"]
        args = [_eval(a, row) for a in n.get("args", ())]
        if name in ("length", "char_length", "character_length") and len(args) == 1 and isinstance(args[0], str):
            return len(args[0])
        return UNKNOWN
    if kind == "A_Expr":
        return _expr(n, row)
    return UNKNOWN


def _bool(op: str, values: list[Any]) -> Any:
    if op == "NOT_EXPR":
        v = values[0]
        return UNKNOWN if v is UNKNOWN else None if v is None else not v
    stop = op == "OR_EXPR"  # OR stops at true, AND at false
    if any(v is stop for v in values):
        return stop
    if any(v is UNKNOWN for v in values):
        return UNKNOWN
    return None if any(v is None for v in values) else not stop


def _expr(n: dict[str, Any], row: dict[str, Any]) -> Any:
    kind = n.get("kind")
    op = n["name"][-1]["String"]["sval"] if n.get("name") else ""
    left = _eval(n.get("lexpr"), row) if n.get("lexpr") is not None else 0
    if kind in ("AEXPR_IN", "AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN"):
        items = [_eval(i, row) for i in n["rexpr"]["List"]["items"]]
        if left is UNKNOWN or any(i is UNKNOWN for i in items):
            return UNKNOWN
        if left is None or any(i is None for i in items):
            return None
        if kind == "AEXPR_IN":
            return (left in items) == (op == "=")
        inside = _compare("<=", items[0], left) and _compare("<=", left, items[1])
        return inside if kind == "AEXPR_BETWEEN" else not inside
    if kind != "AEXPR_OP":
        return UNKNOWN
    right = _eval(n.get("rexpr"), row)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if left is None or right is None:
        return None
    if op in ("+", "-", "*", "/", "%"):
        return _arithmetic(op, left, right)
    return _compare(op, left, right)


def _arithmetic(op: str, a: Any, b: Any) -> Any:
    if not (_number(a) and _number(b)):
        return UNKNOWN
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if isinstance(a, int) and isinstance(b, int):  # integer division truncates toward zero, as SQL's
        return UNKNOWN if b == 0 else int(a / b) if op == "/" else a - b * int(a / b)
    return Decimal(a) / Decimal(b) if op == "/" else UNKNOWN


def _number(v: Any) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def _compare(op: str, a: Any, b: Any) -> Any:
    if _number(a) and _number(b) or isinstance(a, bool) and isinstance(b, bool):
        pass
    elif isinstance(a, str) and isinstance(b, str):
        if op not in ("=", "<>", "!="):
            return UNKNOWN  # text order is the collation's, an enum's its labels': not Python's
    else:
        return UNKNOWN
    if op == "=":
        return a == b
    if op in ("<>", "!="):
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    return UNKNOWN


# -- the search -------------------------------------------------------------------
def candidates(column: ir.Column, seen: list[Any], labels: tuple[str, ...]) -> Iterator[Any]:
    """Values to try for `column`: the constants the CHECKs name, and their neighbours."""
    if column.base == "enum":
        yield from labels
        return
    if column.base in _NUMBERS:
        numbers = [v for v in seen if _number(v)]
        yield from [*numbers, *(v + 1 for v in numbers), *(v - 1 for v in numbers), 0, 1]
        return
    if column.base in ("text", "varchar", "bpchar"):
        yield from (v for v in seen if isinstance(v, str))
        return
    if column.base == "bool":
        yield from (False, True)


def solve(
    checks: list[Any], row: dict[str, Any], free: dict[str, list[Any]], limit: int = 4096
) -> tuple[dict[str, Any], set[str]]:
    """`row` with the `free` columns moved to values (from their candidates) under which no CHECK is false, and the
    columns of the CHECKs no candidate satisfies (empty when all hold).

    One CHECK at a time, over the free columns it names (a product of a few candidates each), keeping the
    CHECKs already true true; twice round, for CHECKs that share columns."""
    row = dict(row)
    stuck: set[str] = set()
    for _ in range(2):
        stuck = set()
        for check in checks:
            if evaluate(check, row) is not False:
                continue
            names = sorted(c for c in columns_of(check) if c in free)
            fixed = next(
                (
                    attempt
                    for tried, combination in enumerate(itertools.product(*(free[n] for n in names)))
                    if tried < limit
                    for attempt in [{**row, **dict(zip(names, combination, strict=True))}]
                    if not any(
                        evaluate(c, attempt) is False for c in checks if c is check or evaluate(c, row) is not False
                    )
                ),
                None,
            )
            if fixed is None:
                stuck |= columns_of(check)
            else:
                row = fixed
        if not stuck:
            break
    return row, stuck
