"""CHECK constraints -> Python conditions for the generated models, from pglast's parse tree.

A CHECK rejects a row only when its expression is FALSE: NULL (unknown) passes.
So each check is translated into the condition under which it is *violated*,
`is_false(expr)`, in PostgreSQL's three-valued logic: a comparison is false only
when both sides are not NULL and the comparison does not hold, `a OR b` is
false only when both are, and so on. Nullable operands get `x is not None`
guards, which also narrow the types for mypy.

Only what Python evaluates exactly as PostgreSQL does is translated:
comparisons, `+ - *`, AND / OR / NOT, IS [NOT] NULL, BETWEEN, IN (...), on
numbers, and equality on text, enums, booleans, uuids; ordering also on dates
and timestamps of one kind. Text is never ordered (collations differ from
Python's code point order), enums are never ordered (PostgreSQL orders them by
declaration). Anything else (a function call such as now(), a sub-query, a
cast, a column a trigger computes) is left to the database, with the reason.

The parse tree is read in one place, `_Translator`; the rules of what Python
evaluates alike (`_comparable`, `_arithmetic`) and the lowering into Python
(`_lower`) know nothing of it.

https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-CHECK-CONSTRAINTS
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pglast import ast

from .. import ir
from ..pg import extensions, parsetree, sqlparse
from . import expressions, spelling
from .expressions import Expr

_NUMERIC = {"int", "decimal", "float"}
_ORDERED = _NUMERIC | {"date", "time", "timestamp", "timestamptz"}
_EQUAL = _ORDERED | {"text", "bool", "uuid"}
_CMP = {"=": "==", "<>": "!=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_MIRRORED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


class Untranslatable(Exception):
    """Why a check stays in the database only."""


@dataclass(frozen=True)
class Value:
    expr: Expr
    family: str  # see pg.datatypes.PyType.family; "string" for a text literal, "enum:<name>"
    columns: tuple[str, ...]  # columns read, in order


# Predicates in two-valued logic over non-NULL operands; lowering adds the guards.
@dataclass(frozen=True)
class Compare:
    left: Value
    op: str  # Python operator
    right: Value


@dataclass(frozen=True)
class NullTest:
    column: str
    is_null: bool


@dataclass(frozen=True)
class Flag:
    column: str
    value: bool  # `column is True` / `column is False`


@dataclass(frozen=True)
class Junction:
    op: str  # "and" | "or"
    items: tuple[Pred, ...]


Pred = Compare | NullTest | Flag | Junction


@dataclass(frozen=True)
class Check:
    """A translated CHECK: `violated(nullable)` is the Python condition for a row that breaks it."""

    name: str
    sql: str
    columns: tuple[str, ...]  # columns the check reads, in order
    falsity: Pred
    fields: dict[str, str] = field(compare=False)
    uses_decimal: bool = False

    def violated(self, nullable: set[str]) -> Expr:
        """The condition, where only columns in `nullable` may be None."""
        return _lower(self.falsity, nullable, set(), self.fields)[0]


@dataclass(frozen=True)
class DatabaseOnly:
    name: str
    sql: str
    reason: str


def translate(
    con: ir.Constraint, table: ir.Table, enums: dict[ir.Name, ir.Enum], fields: dict[str, str]
) -> Check | DatabaseOnly:
    assert con.check is not None
    sql = " ".join(con.check.split())
    try:
        t = _Translator(table, enums, fields)
        falsity = t.falsity(con.check)
    except Untranslatable as why:
        return DatabaseOnly(con.name, sql, str(why))
    if not t.columns:
        return DatabaseOnly(con.name, sql, "it reads no column")
    return Check(con.name, sql, tuple(t.columns), falsity, fields, t.uses_decimal)


# -- the rules: which comparisons and arithmetic Python evaluates as PostgreSQL does (no tree here)


def _comparable(left: Value, op: str, right: Value) -> None:
    a, b = left.family, right.family
    if a in _NUMERIC and b in _NUMERIC:
        if {a, b} == {"decimal", "float"}:
            raise Untranslatable("it compares numeric with floating point")
        return
    allowed = _EQUAL if op in ("==", "!=") else _ORDERED
    strings = (
        {a, b} <= {"text", "string"}
        or (a.startswith("enum:") and b in (a, "string"))
        or (b.startswith("enum:") and a == "string")
    )
    if op in ("==", "!=") and strings:
        return
    if a == b and a in allowed:
        return
    what = "orders" if op not in ("==", "!=") else "compares"
    raise Untranslatable(
        f"it {what} {_family_text(a)} with {_family_text(b)}, which Python does not do as PostgreSQL does"
    )


def _arithmetic(left: Value, right: Value, op: str) -> str:
    a, b = left.family, right.family
    if a not in _NUMERIC or b not in _NUMERIC:
        raise Untranslatable(f"its arithmetic `{op}` is not on numbers")
    if {a, b} == {"decimal", "float"}:
        raise Untranslatable("its arithmetic mixes numeric and floating point")
    return a if a == b else ({a, b} - {"int"}).pop()


def _family(col: ir.Column) -> str:
    if col.enum is not None:
        return f"enum:{col.enum}"
    if col.python_type is not None:
        return "other"  # an explicit type: nothing known about its operators
    py = extensions.py_type(col.base)
    return py.family if py is not None else "other"


def _family_text(family: str) -> str:
    if family.startswith("enum:"):
        return f"enum {family[5:].removeprefix('public.')}"
    return {"string": "a text constant", "text": "text", "int": "an integer", "decimal": "a numeric"}.get(
        family, family
    )


# -- reading the tree: the one place that knows pglast's nodes


class _Translator:
    """A CHECK's expression, parsed by pglast (pg/sqlparse.py) and read by recursive descent over its
    typed nodes (pg/parsetree.py's helpers): the predicates and values above, built from the tree."""

    def __init__(self, table: ir.Table, enums: dict[ir.Name, ir.Enum], fields: dict[str, str]):
        self.table = table
        self.enums = enums
        self.fields = fields
        self.columns: list[str] = []  # read so far, in order
        self.uses_decimal = False

    def falsity(self, check: str) -> Pred:
        """The condition under which `check` is FALSE."""
        return self.truth(sqlparse.expression(check), want=False)

    # -- predicates: the condition under which `node` is TRUE (want=True) or FALSE
    def truth(self, node: ast.Node, want: bool) -> Pred:
        if isinstance(node, ast.BoolExpr):
            kind = parsetree.kind(node.boolop)
            if kind == "NOT_EXPR":
                return self.truth(parsetree.nodes(node.args)[0], not want)
            items = tuple(self.truth(a, want) for a in parsetree.nodes(node.args))
            # x AND y is true when both are, false when either is (and the mirror for OR).
            conj = (kind == "AND_EXPR") == want
            return Junction("and" if conj else "or", items)
        if isinstance(node, ast.NullTest):
            col = self.column_name(parsetree.node(node.arg))
            is_null = parsetree.kind(node.nulltesttype) == "IS_NULL"
            return NullTest(col, is_null == want)
        if isinstance(node, ast.A_Expr):
            return self.a_expr(node, want)
        if isinstance(node, ast.ColumnRef):
            value = self.value(node)
            if value.family != "bool":
                raise Untranslatable(f"{value.expr.flat} is not a boolean")
            return Flag(value.columns[0], want)
        raise Untranslatable(self.describe(node))

    def a_expr(self, node: ast.A_Expr, want: bool) -> Pred:
        kind = parsetree.kind(node.kind)
        op = node.name[-1].sval if node.name else ""
        if kind == "AEXPR_OP" and op in _CMP and node.lexpr is not None:
            left, right = self.value(node.lexpr), self.value(parsetree.node(node.rexpr))
            py = _CMP[op]
            return self.compare(left, py if want else _NEGATED[py], right)
        if kind in ("AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN"):
            x = self.value(parsetree.node(node.lexpr))
            lo, hi = (self.value(n) for n in parsetree.nodes(node.rexpr))
            inside = kind == "AEXPR_BETWEEN"
            # x BETWEEN lo AND hi is x >= lo AND x <= hi (the SQL standard's definition).
            if inside == want:
                return Junction("and", (self.compare(x, ">=", lo), self.compare(x, "<=", hi)))
            return Junction("or", (self.compare(x, "<", lo), self.compare(x, ">", hi)))
        if kind == "AEXPR_IN":
            x = self.value(parsetree.node(node.lexpr))
            items = [self.value(n) for n in parsetree.nodes(node.rexpr)]
            for item in items:
                _comparable(x, "==", item)
            member = (op == "=") == want
            tuple_value = Value(
                expressions.tuple_of([i.expr for i in items]), x.family, tuple(c for i in items for c in i.columns)
            )
            return Compare(x, "in" if member else "not in", tuple_value)
        raise Untranslatable(self.describe(node))

    def compare(self, left: Value, op: str, right: Value) -> Compare:
        _comparable(left, op, right)
        return Compare(left, op, right)

    # -- values
    def value(self, node: ast.Node) -> Value:
        if isinstance(node, ast.ColumnRef):
            name = self.column_name(node)
            col = self.table.column(name)
            assert col is not None  # resolve/ checked every column a check names
            return Value(expressions.atom(self.fields[name]), _family(col), (name,))
        if isinstance(node, ast.A_Const):
            return self.constant(node)
        if isinstance(node, ast.A_Expr) and parsetree.kind(node.kind) == "AEXPR_OP":
            op = parsetree.strings(node.name)[-1]
            if op == "-" and node.lexpr is None:
                operand = self.value(parsetree.node(node.rexpr))
                _arithmetic(operand, operand, op)
                return Value(
                    expressions.Unary(expressions.UNARY, "-", expressions.wrap(operand.expr, expressions.UNARY)),
                    operand.family,
                    operand.columns,
                )
            if op in ("+", "-", "*") and node.lexpr is not None:
                left, right = self.value(node.lexpr), self.value(parsetree.node(node.rexpr))
                family = _arithmetic(left, right, op)
                prec = expressions.MUL if op == "*" else expressions.ADD
                return Value(
                    expressions.chain(prec, [left.expr, right.expr], [op]), family, left.columns + right.columns
                )
        if (
            isinstance(node, ast.TypeCast)
            and isinstance(node.arg, ast.A_Const)
            and isinstance(node.arg.val, ast.String)
        ):
            type_name = parsetree.present(node.typeName)
            target = parsetree.strings(type_name.names)
            enum = self.enums.get(ir.Name(target[0] if len(target) == 2 else "public", target[-1]))
            if enum is not None and not type_name.arrayBounds:
                return Value(expressions.atom(spelling.literal(parsetree.present(node.arg.val.sval))), "string", ())
        raise Untranslatable(self.describe(node))

    def constant(self, node: ast.A_Const) -> Value:
        v = node.val
        if node.isnull or v is None:
            raise Untranslatable("it compares with NULL")
        if isinstance(v, ast.Integer):
            return Value(expressions.atom(str(v.ival)), "int", ())
        if isinstance(v, ast.Float):
            text = parsetree.present(v.fval)
            if text.isdigit():  # an integer too large for int4 still reads as an integer
                return Value(expressions.atom(text), "int", ())
            self.uses_decimal = True
            return Value(expressions.atom(f'Decimal("{text}")'), "decimal", ())
        if isinstance(v, ast.Boolean):
            return Value(expressions.atom("True" if v.boolval else "False"), "bool", ())
        if isinstance(v, ast.String):
            return Value(expressions.atom(spelling.literal(parsetree.present(v.sval))), "string", ())
        raise Untranslatable(self.describe(node))

    def column_name(self, node: ast.Node) -> str:
        if not isinstance(node, ast.ColumnRef) or not all(
            isinstance(f, ast.String) for f in parsetree.nodes(node.fields)
        ):
            raise Untranslatable(self.describe(node))
        name: str = parsetree.strings(node.fields)[-1]
        col = self.table.column(name)
        if col is None:
            raise Untranslatable(f"it reads {name}, which is not a column of the table")
        if col.set_by:
            raise Untranslatable(f"it reads {name}, which trigger {col.set_by[0]} computes")
        if col.array_dims:
            raise Untranslatable(f"it reads the array {name}")
        if name not in self.columns:
            self.columns.append(name)
        return name

    @staticmethod
    def describe(node: ast.Node) -> str:
        if isinstance(node, ast.FuncCall):
            return f"it calls {'.'.join(parsetree.strings(node.funcname))}()"
        if isinstance(node, ast.SubLink):
            return "it uses a sub-query"
        if isinstance(node, ast.TypeCast):
            return "it casts a value"
        if isinstance(node, ast.A_Expr) and node.name:
            return f"it uses the operator {node.name[-1].sval}"
        return f"it uses {type(node).__name__}"


# -- lowering: predicates -> Python, adding `is not None` guards where needed


def _lower(p: Pred, nullable: set[str], known: set[str], fields: dict[str, str]) -> tuple[Expr, set[str]]:
    """(condition, columns known not to be None once it holds)."""
    if isinstance(p, Compare):
        cols = list(dict.fromkeys(p.left.columns + p.right.columns))
        guards: list[Expr] = [_is(fields[c], "is not", "None") for c in cols if c in nullable and c not in known]
        left, right = p.left.expr, p.right.expr
        op = p.op
        if _starts_with_bracket(left) and not _starts_with_bracket(right) and op in _MIRRORED:
            left, right, op = right, left, _MIRRORED[op]  # ruff lays out the mirror more simply
        test = expressions.chain(expressions.COMPARE, [left, right], [op])
        return expressions.boolean("and", [*guards, test]), known | set(cols)
    if isinstance(p, NullTest):
        f = fields[p.column]
        return _is(f, "is" if p.is_null else "is not", "None"), known if p.is_null else known | {p.column}
    if isinstance(p, Flag):
        return _is(fields[p.column], "is", "True" if p.value else "False"), known | {p.column}
    # `x is not None` first, so it guards what follows; bracketed sub-conditions
    # last, since ruff splits a trailing bracket more predictably.
    items = sorted(p.items, key=_order)
    parts: list[Expr] = []
    now = set(known)
    for item in items:
        if p.op == "and" and isinstance(item, NullTest) and not item.is_null and item.column in now:
            continue  # already known not to be None
        expr, after = _lower(item, nullable, now, fields)
        parts.append(expr)
        if p.op == "and":
            now = after
    return expressions.boolean(p.op, parts), (now if p.op == "and" else known)


def _order(p: Pred) -> int:
    if isinstance(p, NullTest) and not p.is_null:
        return 0
    return 2 if isinstance(p, Junction) else 1


def _is(name: str, op: str, what: str) -> Expr:
    return expressions.chain(expressions.COMPARE, [expressions.atom(name), expressions.atom(what)], [op])


def _starts_with_bracket(e: Expr) -> bool:
    while isinstance(e, expressions.Chain):
        e = e.operands[0]
    return isinstance(e, (expressions.Paren, expressions.Tuple))
