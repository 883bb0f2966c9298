"""Facts about SQL fragments, read from pglast parse trees (never from the text).

What a fragment uses (calls, per-row calls, volatility) is found by walking its
tree in PostgreSQL's JSON form with pg/parsetree.walk; whether it is constant is
read from pglast's typed nodes (`parse`). Locations count from
`EXPRESSION_PREFIX`; `offset()` turns them into offsets into the fragment.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, NullTestType
from pglast.parser import ParseError, parse_sql_json
from pglast.stream import RawStream

from ..pg import parsetree, sqlparse

VOLATILITY_RANK = {"immutable": 0, "stable": 1, "volatile": 2}

# Built-in functions that are not immutable in any of their forms, with pg_proc's
# provolatile of the most volatile form. A test checks this table against a real
# server's catalog. https://www.postgresql.org/docs/current/xfunc-volatility.html
BUILTIN_VOLATILITY = {
    "now": "stable",
    "statement_timestamp": "stable",
    "transaction_timestamp": "stable",
    "clock_timestamp": "volatile",
    "timeofday": "volatile",
    "random": "volatile",
    "setseed": "volatile",
    "gen_random_uuid": "volatile",
    "nextval": "volatile",
    "currval": "volatile",
    "lastval": "volatile",
    "setval": "volatile",
    "current_setting": "stable",
    "set_config": "volatile",
    "current_database": "stable",
    "current_schema": "stable",
    "current_schemas": "stable",
    "current_query": "volatile",
    "pg_backend_pid": "stable",
    "inet_client_addr": "stable",
    "txid_current": "stable",
    "pg_current_xact_id": "stable",
}
# age(timestamp) measures from current_date; age(a, b) is immutable.
ONE_ARGUMENT_VOLATILITY = {"age": "stable"}

# Calls whose value is the same for every row of a statement, yet are evaluated
# per row unless wrapped in a scalar sub-select (Supabase's auth helpers).
PER_STATEMENT_CALLS = {
    ("auth", "uid"),
    ("auth", "jwt"),
    ("auth", "role"),
    ("auth", "email"),
    ("current_setting",),
    ("pg_catalog", "current_setting"),
}

TRUE_TEXT = {"t", "true", "y", "yes", "on", "1"}
FALSE_TEXT = {"f", "false", "n", "no", "off", "0"}


@lru_cache(maxsize=4096)
def parse(text: str) -> Any | None:
    """The parse tree of an expression the resolver already accepted (None should it not parse)."""
    try:
        return sqlparse.expression(text)
    except sqlparse.FragmentError:
        return None


def offset(location: int | None) -> int | None:
    """A location in an expression's tree as an offset into the expression."""
    return None if location is None or location < 0 else max(0, location - len(sqlparse.EXPRESSION_PREFIX))


def label(name: tuple[str, ...]) -> str:
    return ".".join(name) + "()"


# -- policies ------------------------------------------------------------
# Policies are read from PostgreSQL's JSON tree (sqlparse.expression_json), not
# pglast's nodes: a policy template's text names its table, so every table has
# its own texts, and building Python nodes for each was most of lint's time.
@lru_cache(maxsize=4096)
def per_row_calls(text: str) -> tuple[tuple[str, int | None], ...]:
    """(call, offset) of each auth.uid(), auth.jwt(), current_setting(), ... of an expression
    that is not wrapped as `(select auth.uid())`, in text order.

    Cached by text: a policy's USING and WITH CHECK, and the policies of one
    template on one table, are often the same expression.
    """
    found: list[tuple[int, str, int | None]] = []
    for kind, fields in parsetree.walk(sqlparse.expression_json(text), prune=_is_init_plan):
        if kind == "FuncCall":
            name = parsetree.names(fields["funcname"])
            if name in PER_STATEMENT_CALLS:
                location = fields.get("location")
                found.append((location or 0, label(name), offset(location)))
    found.sort(key=lambda c: c[0])
    return tuple((name, at) for _location, name, at in found)


def _is_init_plan(kind: str, link: parsetree.Fields) -> bool:
    """`(SELECT expr)` with no FROM and no column of the outer row: PostgreSQL runs it once, as an InitPlan."""
    select = link.get("subselect", {}).get("SelectStmt") if kind == "SubLink" else None
    if link.get("subLinkType") != "EXPR_SUBLINK" or select is None:
        return False
    if select.get("fromClause") or select.get("whereClause"):
        return False
    return not any(kind == "ColumnRef" for kind, _fields in parsetree.walk(select))


@lru_cache(maxsize=4096)
def always_true(text: str) -> bool:
    """Whether an expression is true whatever the row (see constant_truth).

    Its top node decides first: a policy is mostly EXISTS (...) or a comparison
    with a column, never constant, and needs no Python tree then.
    """
    top = next(iter(sqlparse.expression_json(text)), None)
    if top not in ("A_Const", "TypeCast", "BoolExpr", "NullTest", "A_Expr"):
        return False
    return constant_truth(parse(text)) is True


def constant_truth(node: Any) -> bool | None:
    """True or False when the expression has that value whatever the row; None when it depends on it."""
    if isinstance(node, ast.A_Const):
        return node.val.boolval if not node.isnull and isinstance(node.val, ast.Boolean) else None
    if isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.A_Const) and _type_name(node) == "bool":
        value: Any = node.arg.val
        text = (value.sval or "").strip().lower() if isinstance(value, ast.String) else str(getattr(value, "ival", ""))
        return True if text in TRUE_TEXT else False if text in FALSE_TEXT else None
    if isinstance(node, ast.BoolExpr):
        values = [constant_truth(a) for a in node.args or ()]
        if node.boolop == BoolExprType.NOT_EXPR:
            return None if values[0] is None else not values[0]
        if node.boolop == BoolExprType.AND_EXPR:
            return False if False in values else True if all(v is True for v in values) else None
        return True if True in values else False if all(v is False for v in values) else None
    if isinstance(node, ast.NullTest) and isinstance(node.arg, ast.A_Const):
        is_null = bool(node.arg.isnull)
        return is_null if node.nulltesttype == NullTestType.IS_NULL else not is_null
    if isinstance(node, ast.A_Expr) and node.kind == A_Expr_Kind.AEXPR_OP:
        operator: Any = (node.name or ())[-1:]
        return _compare(operator[0].sval if operator else "", _const(node.lexpr), _const(node.rexpr))
    return None


def _type_name(cast: ast.TypeCast) -> str | None:
    names: Any = cast.typeName.names if cast.typeName is not None else ()
    return names[-1].sval if names else None


def _const(node: Any) -> Any:
    if not isinstance(node, ast.A_Const) or node.isnull:
        return None
    value: Any = node.val
    if isinstance(value, ast.Integer):
        return Decimal(value.ival or 0)
    if isinstance(value, ast.Float):
        return Decimal(value.fval or 0)
    if isinstance(value, ast.String):
        return value.sval
    return None


def _compare(op: str, left: Any, right: Any) -> bool | None:
    if left is None or right is None or type(left) is not type(right):
        return None
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: a == b,
        "<>": lambda a, b: a != b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    return compare[op](left, right) if op in compare else None


# -- volatility ----------------------------------------------------------
def volatile_calls(
    tree: Any, spec_volatility: Callable[[tuple[str, ...]], str | None]
) -> list[tuple[str, str, int | None]]:
    """(call, volatility, location) of each call in `tree` (PostgreSQL's JSON form) that is not immutable, in text
    order.

    `spec_volatility` gives the volatility of a function of the spec, or None for
    a name it does not define.
    """
    found: list[tuple[str, str, int | None]] = []
    for kind, fields in parsetree.walk(tree):
        if kind == "SQLValueFunction":  # CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_USER, ...
            found.append((fields["op"].removeprefix("SVFOP_"), "stable", fields.get("location")))
        elif kind == "FuncCall":
            name = parsetree.names(fields["funcname"])
            volatility = spec_volatility(name)
            if volatility is None and (len(name) == 1 or name[0] == "pg_catalog"):
                volatility = BUILTIN_VOLATILITY.get(name[-1])
                if volatility is None and len(fields.get("args", ())) == 1:
                    volatility = ONE_ARGUMENT_VOLATILITY.get(name[-1])
            if volatility is not None and volatility != "immutable":
                found.append((label(name), volatility, fields.get("location")))
    return sorted(found, key=lambda f: f[2] if f[2] is not None else -1)


def statements(body: str) -> list[Any]:
    """The statements of a LANGUAGE sql function body in PostgreSQL's JSON form (none when it does not parse)."""
    try:
        return [s["stmt"] for s in json.loads(parse_sql_json(body)).get("stmts", ())]
    except ParseError:
        return []


# -- indexes -------------------------------------------------------------
@lru_cache(maxsize=4096)
def canonical(text: str) -> str:
    """One spelling for equivalent SQL text: pglast prints the parse tree back."""
    node = parse(text)
    return text.strip() if node is None else RawStream()(node)


@lru_cache(maxsize=4096)
def not_null_columns(text: str) -> frozenset[str] | None:
    """The columns of a predicate that is only `a IS NOT NULL [AND b IS NOT NULL ...]`, else None."""
    node = parse(text)
    parts = node.args if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR else (node,)
    columns: set[str] = set()
    for part in parts or ():
        if not (
            isinstance(part, ast.NullTest)
            and part.nulltesttype == NullTestType.IS_NOT_NULL
            and isinstance(part.arg, ast.ColumnRef)
        ):
            return None
        field: Any = (part.arg.fields or (None,))[-1]
        if not isinstance(field, ast.String) or field.sval is None:
            return None
        columns.add(field.sval)
    return frozenset(columns)
