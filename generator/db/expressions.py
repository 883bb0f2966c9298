"""Expressions compared by meaning: what a spec wrote against what PostgreSQL gives back.

A spec says `NOW() + INTERVAL '1 hour'`, `'{}'` or `status IN ('a', 'b')`;
PostgreSQL stores the analysed expression and prints it back as
`(now() + '01:00:00'::interval)`, `'{}'::jsonb` or
`(status = ANY (ARRAY['a'::item_status, 'b'::item_status]))`. Both sides are
parsed by pglast (PostgreSQL's own parser) and brought to one canonical tree:

- parentheses, case and layout vanish in the parse;
- casts of constants, of plain columns and of ARRAY[...] are dropped
  (PostgreSQL adds them where the types make them implicit: `'{}'::jsonb`,
  `(0)::numeric`, `(label)::text`, `(ARRAY['a'::varchar])::text[]`); a cast of
  anything else (`current_setting(...)::uuid`) stays. So a spec that changes
  only a cast of a column (`price::integer > 5` to `price > 5`) is not told
  apart: a price of telling PostgreSQL's implicit casts from written ones
  without the types of every column;
- what PostgreSQL rewrites is rewritten the same way on both sides: `BETWEEN`
  into two comparisons, `IN (...)` into `= ANY (ARRAY[...])`, `LIKE` into `~~`,
  nested AND/OR flattened;
- schemas on the search path (`pg_catalog`, `public`) are dropped from the
  names of functions, types, operators and tables; a sub-query's output column
  names (`SELECT auth.uid() AS uid`) and the qualifier of a column that names
  the sub-query's only table (`u.id` in `FROM users u`) are dropped.

Constants are taken out of the tree as placeholders and compared one by one
(`Literal`): the same text, the same number, or, when their text differs and
their type is known, the same value once read by that type, which only the
database can judge (`'01:00:00'` and `'1 hour'` as interval): a `Judge`
answers that (drift asks the live server; see db/drift.py).

The tree is pglast's JSON (a tenth of the cost of its Python nodes), so that
comparing every expression of 1,000 tables stays well under a second.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pglast.parser import ParseError, parse_sql_json

from ..pg import quoting

SEARCH_PATH = ("pg_catalog", "public")


@dataclass(frozen=True)
class Literal:
    """One constant of an expression: its text (None for NULL) and the type it is cast to, if any."""

    value: str | None
    type: str | None = None  # SQL spelling of the type, safe to put in a CAST
    number: bool = False  # written as a number, not a string

    def shown(self) -> str:
        if self.value is None:
            return "NULL"
        text = self.value if self.number else quoting.literal(self.value)
        return f"{text}::{self.type}" if self.type else text


@dataclass(frozen=True)
class Canonical:
    """An expression with its constants taken out: same `shape` and same constants means same meaning."""

    shape: str
    literals: tuple[Literal, ...]


# Whether two constants of the same place mean the same value; `type` is the type
# they are read as (from either side's cast, or the column's), or None when unknown.
Judge = Callable[[Literal, Literal, "str | None"], bool]


def offline(a: Literal, b: Literal, type_sql: str | None) -> bool:
    """The judge without a database: the same text, or the same number."""
    if a.value == b.value:
        return True
    if a.value is None or b.value is None:
        return False
    try:
        return Decimal(a.value) == Decimal(b.value)
    except InvalidOperation:
        return False


def same(
    a: str | None,
    b: str | None,
    judge: Judge = offline,
    *,
    path: tuple[str, ...] = SEARCH_PATH,
    context: str | None = None,
) -> bool:
    """Whether two expressions mean the same; `context` is the type a bare constant is read as (a column's, for its
    default)."""
    if a == b:
        return True
    if a is None or b is None:
        return False
    ca, cb = canonical(a, path), canonical(b, path)
    if ca is None or cb is None or ca.shape != cb.shape or len(ca.literals) != len(cb.literals):
        return False
    return all(literals_match(x, y, judge, context) for x, y in zip(ca.literals, cb.literals))


def literals_match(a: Literal, b: Literal, judge: Judge, context: str | None = None) -> bool:
    if a.value == b.value:
        return True
    if a.value is None or b.value is None:
        return False
    return offline(a, b, None) or judge(a, b, a.type or b.type or context)


@functools.lru_cache(maxsize=65536)
def canonical(text: str, path: tuple[str, ...] = SEARCH_PATH) -> Canonical | None:
    """The canonical form of the expression `text`; None when it does not parse as one expression."""
    tree = _parse(f"SELECT ({text}\n)")
    if tree is None:
        return None
    select = tree[0]["stmt"].get("SelectStmt", {})
    targets = select.get("targetList", ())
    if len(targets) != 1 or select.get("fromClause"):
        return None
    return _canonical(targets[0]["ResTarget"]["val"], path)


@functools.lru_cache(maxsize=4096)
def signature(args: str, returns: str, path: tuple[str, ...] = SEARCH_PATH) -> Canonical | None:
    """The canonical form of a function's parameter list and result (`p uuid DEFAULT NULL`, `TABLE(a integer)`)."""
    tree = _parse(f"CREATE FUNCTION f({args}\n) RETURNS {returns}\nLANGUAGE sql AS ''")
    if tree is None or len(tree) != 1:
        return None
    stmt = tree[0]["stmt"].get("CreateFunctionStmt")
    if stmt is None:
        return None
    return _canonical(
        {"parameters": stmt.get("parameters", []), "returnType": stmt.get("returnType")}, path, modifiers=False
    )


def _parse(sql: str) -> Any:
    try:
        return json.loads(parse_sql_json(sql)).get("stmts", [])
    except ParseError:
        return None


def _canonical(node: Any, path: tuple[str, ...], modifiers: bool = True) -> Canonical:
    literals: list[Literal] = []
    shape = _Canon(literals, frozenset(path), modifiers).node(node)
    return Canonical(json.dumps(shape, sort_keys=True, separators=(",", ":")), tuple(literals))


# Fields that say where a node was written, not what it means.
# TypeName fields, which the JSON writes without their tag
_TYPE_FIELDS = frozenset({"typeName", "argType", "returnType"})
_POSITIONS = frozenset(
    {"location", "rexpr_list_start", "rexpr_list_end", "list_start", "list_end", "stmt_location", "stmt_len"}
)


class _Canon:
    def __init__(self, literals: list[Literal], path: frozenset[str], modifiers: bool = True):
        self.literals = literals
        self.path = path
        self.modifiers = (
            modifiers  # False for a function's signature: PostgreSQL keeps no typmod of its arguments and result
        )
        self.scopes: list[str | None] = []  # per enclosing sub-query: the name of its only table, if it has one

    def node(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.node(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            tag, body = next(iter(value.items()))
            if tag[:1].isupper() and isinstance(body, dict):
                handler = getattr(self, tag, None)
                return handler(body) if handler is not None else {tag: self.fields(body)}
        return self.fields(value)

    def fields(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            k: self.TypeName(v) if k in _TYPE_FIELDS and isinstance(v, dict) else self.node(v)
            for k, v in body.items()
            if k not in _POSITIONS
        }

    # -- constants -------------------------------------------------------
    def A_Const(self, body: dict[str, Any], type_sql: str | None = None) -> Any:
        self.literals.append(_literal(body, type_sql))
        return {"$": len(self.literals)}

    def TypeCast(self, body: dict[str, Any]) -> Any:
        arg = body.get("arg", {})
        type_name = body.get("typeName", {})
        if "A_Const" in arg:
            return self.A_Const(arg["A_Const"], type_sql(type_name))
        if "ColumnRef" in arg or "TypeCast" in arg or "A_ArrayExpr" in arg:
            # a cast PostgreSQL adds where the types make it implicit: `(label)::text`, `(ARRAY[...])::text[]`
            return self.node(arg)
        return {"TypeCast": {"arg": self.node(arg), "typeName": self.TypeName(type_name)}}

    # -- names -----------------------------------------------------------
    def TypeName(self, body: dict[str, Any]) -> Any:
        names = _strings(body.get("names", []))
        mods = (
            [_literal(m["A_Const"], None).value if "A_Const" in m else self.node(m) for m in body.get("typmods", [])]
            if self.modifiers
            else []
        )
        return {
            "type": self._unqualified(names),
            "mods": mods,
            "array": len(body.get("arrayBounds", [])),
            "setof": bool(body.get("setof")),
        }

    def FuncCall(self, body: dict[str, Any]) -> Any:
        result = self.fields(body)
        result["funcname"] = self._unqualified(_strings(body.get("funcname", [])))
        result.pop("funcformat", None)
        return {"FuncCall": result}

    def RangeVar(self, body: dict[str, Any]) -> Any:
        schema = body.get("schemaname")
        result = self.fields(body)
        if schema in self.path:
            result.pop("schemaname", None)
        result.pop("inh", None)
        result.pop("relpersistence", None)
        return {"RangeVar": result}

    def ColumnRef(self, body: dict[str, Any]) -> Any:
        fields = body.get("fields", [])
        names = [f["String"]["sval"] if "String" in f else "*" for f in fields]
        if len(names) == 2 and self.scopes and self.scopes[-1] is not None and names[0] == self.scopes[-1]:
            names = names[1:]  # `u.id` in a sub-query over the one table `u`: the qualifier adds nothing
        return {"col": names}

    def _unqualified(self, names: list[str]) -> list[str]:
        return names[1:] if len(names) > 1 and names[0] in self.path else names

    # -- what PostgreSQL rewrites ----------------------------------------
    def A_Expr(self, body: dict[str, Any]) -> Any:
        kind = body.get("kind", "AEXPR_OP")
        op = _strings(body.get("name", []))
        left: Any = body.get("lexpr")
        right: Any = body.get("rexpr", {})
        if kind in ("AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN"):
            low, high = right["List"]["items"]
            if kind == "AEXPR_BETWEEN":
                return self._bool("AND_EXPR", [_op(">=", left, low), _op("<=", left, high)])
            return self._bool("OR_EXPR", [_op("<", left, low), _op(">", left, high)])
        if kind == "AEXPR_IN":  # x IN (a, b): `x = ANY (ARRAY[a, b])`, and NOT IN `x <> ALL (...)`
            array = {"A_ArrayExpr": {"elements": right["List"]["items"]}} if "List" in right else right
            kind = "AEXPR_OP_ANY" if op == ["="] else "AEXPR_OP_ALL"
            return {"A_Expr": {"kind": kind, "op": op, "lexpr": self.node(left), "rexpr": self.node(array)}}
        # its name is already the operator PostgreSQL prints: ~~, !~~, ~~*, !~~*
        if kind in (
            "AEXPR_LIKE",
            "AEXPR_ILIKE",
        ):
            kind = "AEXPR_OP"
        if kind == "AEXPR_OP" and op == ["!="]:
            op = ["<>"]
        return {
            "A_Expr": {"kind": kind, "op": self._unqualified(op), "lexpr": self.node(left), "rexpr": self.node(right)}
        }

    def BoolExpr(self, body: dict[str, Any]) -> Any:
        return self._bool(body.get("boolop", ""), body.get("args", []))

    def _bool(self, boolop: str, args: Iterable[Any]) -> Any:
        flat: list[Any] = []
        for arg in args:
            inner = arg.get("BoolExpr") if isinstance(arg, dict) else None
            if boolop != "NOT_EXPR" and inner is not None and inner.get("boolop") == boolop:
                flat.extend(self._bool(boolop, inner.get("args", []))["BoolExpr"]["args"])
            else:
                flat.append(self.node(arg))
        return {"BoolExpr": {"boolop": boolop, "args": flat}}

    def CaseExpr(self, body: dict[str, Any]) -> Any:
        default = body.get("defresult")
        if default is not None and _is_null(default):
            body = {k: v for k, v in body.items() if k != "defresult"}  # PostgreSQL writes the implicit ELSE NULL out
        return {"CaseExpr": self.fields(body)}

    # -- sub-queries -----------------------------------------------------
    def SelectStmt(self, body: dict[str, Any]) -> Any:
        tables = body.get("fromClause", [])
        only = tables[0].get("RangeVar") if len(tables) == 1 and isinstance(tables[0], dict) else None
        alias = None
        if only is not None:
            alias = (only.get("alias") or {}).get("aliasname") or only.get("relname")
        self.scopes.append(alias)
        try:
            result = self.fields(body)
        finally:
            self.scopes.pop()
        for target in result.get("targetList", []):
            target.get("ResTarget", {}).pop("name", None)  # output names of a sub-query change nothing here
        return {"SelectStmt": result}


def _op(name: str, left: Any, right: Any) -> dict[str, Any]:
    return {"A_Expr": {"kind": "AEXPR_OP", "name": [{"String": {"sval": name}}], "lexpr": left, "rexpr": right}}


def _is_null(node: dict[str, Any]) -> bool:
    while "TypeCast" in node:
        node = node["TypeCast"].get("arg", {})
    return bool(node.get("A_Const", {}).get("isnull"))


def _strings(nodes: list[Any]) -> list[str]:
    return [n["String"]["sval"] for n in nodes if "String" in n]


def _literal(body: dict[str, Any], type_sql: str | None) -> Literal:
    if body.get("isnull"):
        return Literal(None, type_sql)
    for key in ("ival", "fval"):
        if key in body:
            return Literal(str(body[key].get(key, 0)), type_sql, number=True)
    if "boolval" in body:
        return Literal("true" if body["boolval"].get("boolval") else "false", type_sql, number=True)
    if "bsval" in body:
        return Literal(body["bsval"].get("bsval", ""), type_sql)
    return Literal(body.get("sval", {}).get("sval", ""), type_sql)


def type_sql(type_name: dict[str, Any]) -> str:
    """A TypeName of pglast's JSON as SQL, every name quoted as needed (safe in a CAST)."""
    names = _strings(type_name.get("names", []))
    sql = ".".join(quoting.ident(n) for n in names)
    mods = [str(m["A_Const"].get("ival", {}).get("ival", 0)) for m in type_name.get("typmods", []) if "A_Const" in m]
    if mods:
        sql += f"({','.join(mods)})"
    return sql + "[]" * len(type_name.get("arrayBounds", []))
