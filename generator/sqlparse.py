"""Every SQL fragment of a spec is parsed by pglast, PostgreSQL's own parser.

A fragment is wrapped in the smallest statement that gives it its meaning
(`SELECT (<expr>)`, `CREATE INDEX ... (<elem>)`, `CREATE FUNCTION ...`) and must
come back as exactly that statement: `1); DROP TABLE x; --` is two statements and
is rejected. Errors carry the offset into the fragment, so the caller can point
at the YAML line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pglast import ast, parse_sql
from pglast.parser import ParseError, parse_plpgsql_json


class FragmentError(Exception):
    def __init__(self, message: str, offset: int | None = None):
        super().__init__(message)
        self.message = message
        self.offset = offset


def _parse(sql: str, prefix_len: int) -> Any:
    try:
        stmts = parse_sql(sql)
    except ParseError as exc:
        message, location = exc.args[0], exc.args[1] if len(exc.args) > 1 else None
        offset = None if location is None else max(0, location - prefix_len)
        raise FragmentError(f"SQL syntax error: {message}", offset) from None
    if len(stmts) != 1:
        raise FragmentError("expected one SQL fragment, found several statements")
    return stmts[0].stmt


EXPRESSION_PREFIX = "SELECT ("  # node locations of an expression() tree count from here


def expression(text: str) -> ast.Node:
    """Parse a scalar SQL expression (a default, a CHECK, a policy or index predicate)."""
    prefix = EXPRESSION_PREFIX
    stmt = _parse(f"{prefix}{text}\n)", len(prefix))
    if not isinstance(stmt, ast.SelectStmt) or stmt.fromClause or len(stmt.targetList or ()) != 1:
        raise FragmentError("expected one SQL expression")
    return stmt.targetList[0].val


@dataclass(frozen=True)
class TypeRef:
    schema: str | None  # None for built-in types and unqualified names
    name: str
    mods: tuple[int, ...]
    array_dims: int


def type_name(text: str) -> TypeRef:
    prefix = "SELECT NULL::"
    stmt = _parse(f"{prefix}{text}", len(prefix))
    target = stmt.targetList[0].val if isinstance(stmt, ast.SelectStmt) and stmt.targetList else None
    if not isinstance(target, ast.TypeCast) or stmt.fromClause or len(stmt.targetList) != 1:
        raise FragmentError("expected a type name")
    tn = target.typeName
    names = [n.sval for n in tn.names]
    mods: list[int] = []
    for mod in tn.typmods or ():
        if not (isinstance(mod, ast.A_Const) and isinstance(mod.val, ast.Integer)):
            raise FragmentError("type modifiers must be integers")
        mods.append(mod.val.ival)
    if tn.setof or tn.pct_type:
        raise FragmentError("expected a plain type name")
    schema = names[0] if len(names) == 2 else None
    if len(names) > 2:
        raise FragmentError("type names have at most a schema and a name")
    return TypeRef(schema, names[-1], tuple(mods), len(tn.arrayBounds or ()))


def index_element(text: str) -> ast.IndexElem:
    prefix = "CREATE INDEX i ON t ("
    stmt = _parse(f"{prefix}{text}\n)", len(prefix))
    if not isinstance(stmt, ast.IndexStmt) or len(stmt.indexParams) != 1:
        raise FragmentError("expected one index column or expression")
    return stmt.indexParams[0]


@dataclass(frozen=True)
class FunctionShape:
    arg_types: tuple[str, ...]  # input argument types, as written by pglast names
    returns_trigger: bool
    returns_table: bool


def function(name: str, args: str, returns: str, language: str, body: str, dollar: str) -> tuple[FunctionShape, str | None]:
    """Parse the whole CREATE FUNCTION; returns its shape and which part failed, if any.

    Raises FragmentError whose `offset` is relative to the part named in its `part`.
    """
    head = f"CREATE FUNCTION f({args}\n) RETURNS "
    parts = {"args": (len("CREATE FUNCTION f("), args)}
    sql = head + returns + f"\nLANGUAGE {language} AS {dollar}"
    parts["returns"] = (len(head), returns)
    body_start = len(sql)
    sql += body + dollar
    parts["body"] = (body_start, body)
    try:
        stmts = parse_sql(sql)
    except ParseError as exc:
        location = exc.args[1] if len(exc.args) > 1 else None
        part, offset = _which_part(parts, location)
        err = FragmentError(f"SQL syntax error: {exc.args[0]}", offset)
        err.part = part  # type: ignore[attr-defined]
        raise err from None
    stmt = stmts[0].stmt
    if len(stmts) != 1 or not isinstance(stmt, ast.CreateFunctionStmt):
        err = FragmentError("expected one function definition")
        err.part = "body"  # type: ignore[attr-defined]
        raise err
    if language == "plpgsql":
        try:
            parse_plpgsql_json(sql)
        except ParseError as exc:
            err = FragmentError(f"PL/pgSQL syntax error: {exc.args[0]}", None)
            err.part = "body"  # type: ignore[attr-defined]
            raise err from None
    elif language == "sql":
        try:
            parse_sql(body)
        except ParseError as exc:
            location = exc.args[1] if len(exc.args) > 1 else None
            err = FragmentError(f"SQL syntax error: {exc.args[0]}", location)
            err.part = "body"  # type: ignore[attr-defined]
            raise err from None
    arg_types = []
    returns_table = False
    for p in stmt.parameters or ():
        mode = p.mode.value if p.mode is not None else "i"
        if mode == "t":
            returns_table = True
        if mode in ("i", "b", "v", "d"):
            arg_types.append(".".join(n.sval for n in p.argType.names if n.sval != "pg_catalog"))
    rt = stmt.returnType
    returns_trigger = rt is not None and [n.sval for n in rt.names][-1] == "trigger"
    return FunctionShape(tuple(arg_types), returns_trigger, returns_table), None


def _which_part(parts: dict[str, tuple[int, str]], location: int | None) -> tuple[str, int | None]:
    if location is None:
        return "body", None
    best = "args"
    for part, (start, _text) in parts.items():
        if location >= start:
            best = part
    start, text = parts[best]
    return best, min(max(0, location - start), len(text))


def walk(node: Any) -> Iterator[Any]:
    """Every AST node below `node`, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, tuple):
            stack.extend(reversed(current))
        elif isinstance(current, ast.Node):
            yield current
            for attr in current:
                value = getattr(current, attr)
                if isinstance(value, (ast.Node, tuple)):
                    stack.append(value)


def column_refs(node: Any) -> list[tuple[str, ...]]:
    """Names of the columns an expression reads, outside sub-queries."""
    refs: list[tuple[str, ...]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, tuple):
            stack.extend(current)
        elif isinstance(current, ast.SubLink):
            if current.testexpr is not None:
                stack.append(current.testexpr)
        elif isinstance(current, ast.ColumnRef):
            fields = current.fields
            if all(isinstance(f, ast.String) for f in fields):
                refs.append(tuple(f.sval for f in fields))
        elif isinstance(current, ast.Node):
            for attr in current:
                value = getattr(current, attr)
                if isinstance(value, (ast.Node, tuple)):
                    stack.append(value)
    return refs


def function_calls(node: Any) -> list[tuple[str, ...]]:
    """Names of every function an expression calls, sub-queries included."""
    return [tuple(n.sval for n in f.funcname) for f in walk(node) if isinstance(f, ast.FuncCall)]
