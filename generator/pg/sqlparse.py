"""Every SQL fragment of a spec is parsed by pglast, PostgreSQL's own parser.

A fragment is wrapped in the smallest statement that gives it its meaning
(`SELECT (<expr>)`, `CREATE INDEX ... (<elem>)`, `CREATE FUNCTION ...`) and must
come back as exactly that statement: `1); DROP TABLE x; --` is two statements and
is rejected. Errors carry the offset into the fragment, so the caller can point
at the YAML line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pglast import ast, parse_sql
from pglast.parser import ParseError, parse_plpgsql_json, parse_sql_json, scan

from . import parsetree


class FragmentError(Exception):
    def __init__(self, message: str, offset: int | None = None, part: str = "body"):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.part = part  # for a function: which of args / returns / body is wrong


def _location(exc: ParseError) -> int | None:
    return exc.args[1] if len(exc.args) > 1 else None


def _syntax_error(exc: ParseError, start: int, text: str, part: str = "body") -> FragmentError:
    """PostgreSQL's message at an offset into the fragment `text`, which began at `start`.

    An error PostgreSQL finds past the fragment's end, in the text we wrapped it
    in or at the end of input (no location), means the fragment ended too early:
    say so at its end rather than quote our wrapper back to the user.
    """
    location = _location(exc)
    end = len(text.rstrip())
    if location is None or location - start >= end:
        return FragmentError("SQL syntax error: syntax error at end of input", end, part)
    return FragmentError(f"SQL syntax error: {exc.args[0]}", max(0, location - start), part)


def _check_tokens(text: str, part: str = "body") -> None:
    """A fragment must stay inside the statement we wrap it in.

    PostgreSQL's own scanner reads it alone first: a `;`, or a `)` closing a
    parenthesis the fragment did not open (`1); DROP TABLE x; --`), would end
    our statement early, so both are errors at their own position; so is a `--`
    comment it ends in, which would swallow the rest of the line we write after
    it. Unterminated quotes and comments are reported here too, without our
    wrapper in the message.
    """
    try:
        tokens = scan(text)
    except ParseError as exc:
        raise FragmentError(f"SQL syntax error: {exc.args[0]}", _location(exc), part) from None
    depth = 0
    for token in tokens:
        if token.name == "ASCII_59":
            raise FragmentError(
                'SQL syntax error: ";" would end the statement; a fragment is one expression', token.start, part
            )
        depth += {"ASCII_40": 1, "ASCII_41": -1}.get(token.name, 0)
        if depth < 0:
            raise FragmentError(
                'SQL syntax error: ")" closes a parenthesis the fragment did not open', token.start, part
            )
    if tokens and tokens[-1].name == "SQL_COMMENT" and part != "query":  # a view's query gets a line break after it
        raise FragmentError(
            'a "--" comment at the end of a fragment runs on into the SQL written after it (a closing parenthesis, '
            'a ";"): write it as /* ... */ or leave it out',
            tokens[-1].start,
            part,
        )


def ends_in_line_comment(text: str) -> bool:
    """Whether `text` ends in a `-- ...` comment, which runs to the end of its line: SQL written after it on that
    line (a statement's `;`, WITH CHECK OPTION) would be part of the comment."""
    tokens = scan(text)
    return bool(tokens) and tokens[-1].name == "SQL_COMMENT"


# A spec repeats its fragments: the same types, defaults, checks and index
# columns on every table. pglast spends most of its time turning the parse tree
# into Python nodes, so each distinct text is parsed once per process; callers
# only read the (shared) nodes. Errors are not cached: a bad fragment is
# re-parsed and reported at each place it occurs.
@lru_cache(maxsize=8192)
def _parse(text: str, prefix: str, suffix: str = "") -> Any:
    stmts = _statements(text, prefix, suffix, parse_sql)
    if len(stmts) != 1:
        raise FragmentError("expected one SQL fragment, found several statements")
    return stmts[0].stmt


def _statements(text: str, prefix: str, suffix: str, parse: Callable[[str], Any]) -> Any:
    _check_tokens(text)
    try:
        return parse(prefix + text + suffix)
    except ParseError as exc:
        raise _syntax_error(exc, len(prefix), text) from None


EXPRESSION_PREFIX = "SELECT ("
INDEX_ELEMENT_PREFIX = "CREATE INDEX i ON t ("


def expression(text: str) -> ast.Node:
    """Parse a scalar SQL expression (a default, a CHECK, a policy or index predicate).

    Locations in the tree count from the start of EXPRESSION_PREFIX."""
    stmt = _parse(text, EXPRESSION_PREFIX, "\n)")
    targets = (stmt.targetList or ()) if isinstance(stmt, ast.SelectStmt) else ()
    if not isinstance(stmt, ast.SelectStmt) or stmt.fromClause or len(targets) != 1:
        raise FragmentError("expected one SQL expression")
    return parsetree.node(targets[0].val)


@lru_cache(maxsize=64)
def expression_json(text: str) -> dict[str, Any]:
    """The tree of the expression `text` as PostgreSQL's JSON (dicts and lists), checked like `expression`.

    For fragments whose text differs on every table (a policy template's USING
    names its table), so the cache of `_parse` does not help: the JSON costs a
    fifth of pglast's Python nodes, and is enough to check the fragment and to
    find the functions it calls. Its readers cache what they find by text; the
    trees themselves are kept only a short while (13 MB for 1,000 tables).
    """
    stmts = json.loads(_expression_json_text(text)).get("stmts", [])
    if len(stmts) != 1:
        raise FragmentError("expected one SQL fragment, found several statements")
    select = stmts[0]["stmt"].get("SelectStmt")
    if select is None or select.get("fromClause") or len(select.get("targetList", ())) != 1:
        raise FragmentError("expected one SQL expression")
    return select["targetList"][0]["ResTarget"]["val"]  # type: ignore[no-any-return]


@lru_cache(maxsize=8192)
def _expression_json_text(text: str) -> str:
    # The parse as text, kept for every fragment (a few MB for 1,000 tables, a tenth
    # of the trees): resolve, the SQL's ordering and lint each read a policy's tree,
    # and parsing it again for each of them was most of their cost.
    return _statements(text, EXPRESSION_PREFIX, "\n)", parse_sql_json)  # type: ignore[no-any-return]


def check_expression(text: str) -> None:
    """What `expression` checks, without building pglast's tree; raises FragmentError."""
    expression_json(text)


@dataclass(frozen=True)
class TypeRef:
    schema: str | None  # None for built-in types and unqualified names
    name: str
    mods: tuple[int, ...]
    array_dims: int


@lru_cache(maxsize=1024)  # a spec uses a few types on every column
def type_name(text: str) -> TypeRef:
    stmt = _parse(text, "SELECT NULL::")
    target = stmt.targetList[0].val if isinstance(stmt, ast.SelectStmt) and stmt.targetList else None
    if not isinstance(target, ast.TypeCast) or stmt.fromClause or len(stmt.targetList) != 1:
        raise FragmentError("expected a type name")
    tn = parsetree.present(target.typeName)
    names = parsetree.strings(tn.names)
    mods: list[int] = []
    for mod in tn.typmods or ():
        if not (isinstance(mod, ast.A_Const) and isinstance(mod.val, ast.Integer)):
            raise FragmentError("type modifiers must be integers")
        mods.append(parsetree.present(mod.val.ival))
    if tn.setof or tn.pct_type:
        raise FragmentError("expected a plain type name")
    schema = names[0] if len(names) == 2 else None
    if len(names) > 2:
        raise FragmentError("type names have at most a schema and a name")
    return TypeRef(schema, names[-1], tuple(mods), len(tn.arrayBounds or ()))


def index_element(text: str) -> ast.IndexElem:
    stmt = _parse(text, INDEX_ELEMENT_PREFIX, "\n)")
    params = (stmt.indexParams or ()) if isinstance(stmt, ast.IndexStmt) else ()
    if not isinstance(stmt, ast.IndexStmt) or len(params) != 1:
        raise FragmentError("expected one index column or expression")
    elem = params[0]
    assert isinstance(elem, ast.IndexElem)  # the grammar of CREATE INDEX's column list
    return elem


EXCLUSION_PREFIX = "ALTER TABLE t ADD EXCLUDE ("


def exclusion_element(text: str) -> tuple[ast.IndexElem, tuple[str, ...]]:
    """One element of an exclusion constraint, `key WITH operator`: the key, and the operator's name parts."""
    stmt = _parse(text, EXCLUSION_PREFIX, "\n)")
    cmds = stmt.cmds if isinstance(stmt, ast.AlterTableStmt) else None
    con = cmds[0].def_ if cmds and len(cmds) == 1 and isinstance(cmds[0], ast.AlterTableCmd) else None
    found = con.exclusions if isinstance(con, ast.Constraint) and con.exclusions else ()
    if len(found) != 1:
        raise FragmentError("expected one element: a column or expression, WITH and an operator")
    elem, operator = found[0]
    assert isinstance(elem, ast.IndexElem)  # the grammar of EXCLUDE's element list
    return elem, tuple(str(part.sval) for part in operator)


@dataclass(frozen=True)
class FunctionShape:
    arg_types: tuple[str, ...]  # input argument types, as written by pglast names
    returns_trigger: bool
    returns_table: bool


def function(
    name: str, args: str, returns: str, language: str, body: str, dollar: str, *, procedure: bool = False
) -> tuple[FunctionShape, str | None]:
    """Parse the whole CREATE FUNCTION (CREATE PROCEDURE: `procedure`, whose `returns` is ignored); returns its
    shape.

    Raises FragmentError whose `offset` is relative to the part named in its `part`.
    """
    _check_tokens(args, "args")
    _check_tokens(returns, "returns")
    parts = {"args": (len("CREATE FUNCTION f("), args)}
    if procedure:
        sql = f"CREATE PROCEDURE f({args}\n)\nLANGUAGE {language} AS {dollar}"
        parts["args"] = (len("CREATE PROCEDURE f("), args)
    else:
        head = f"CREATE FUNCTION f({args}\n) RETURNS "
        sql = head + returns + f"\nLANGUAGE {language} AS {dollar}"
        parts["returns"] = (len(head), returns)
    body_start = len(sql)
    sql += body + dollar
    parts["body"] = (body_start, body)
    try:
        stmts = parse_sql(sql)
    except ParseError as exc:
        part = _which_part(parts, _location(exc))
        raise _syntax_error(exc, parts[part][0], parts[part][1], part) from None
    stmt = stmts[0].stmt
    if len(stmts) != 1 or not isinstance(stmt, ast.CreateFunctionStmt):
        raise FragmentError("expected one function definition")
    if language == "plpgsql":
        try:
            parse_plpgsql_json(sql)
        except ParseError as exc:  # pglast gives no position inside PL/pgSQL: point at the body
            raise FragmentError(f"PL/pgSQL syntax error: {exc.args[0]}", None) from None
    elif language == "sql":
        try:
            parse_sql(body)
        except ParseError as exc:
            raise _syntax_error(exc, 0, body) from None
    arg_types = []
    returns_table = False
    for p in stmt.parameters or ():
        mode = p.mode.value if p.mode is not None else "i"
        if mode == "t":
            returns_table = True
        if mode in ("i", "b", "v", "d") or (procedure and mode == "o"):  # a procedure's OUT arguments identify it
            arg_types.append(_argument_type(p.argType))
    rt = stmt.returnType
    returns_trigger = rt is not None and rt.names is not None and parsetree.strings(rt.names)[-1] == "trigger"
    return FunctionShape(tuple(arg_types), returns_trigger, returns_table), None


def _argument_type(node: Any) -> str:
    """An input argument's type as pglast names it (`int4`, `public.mood`), `[]` per array dimension: a signature
    keeps no modifier (`varchar(3)` is `varchar`) but does keep the array."""
    return ".".join(n.sval for n in node.names if n.sval != "pg_catalog") + "[]" * len(node.arrayBounds or ())


@lru_cache(maxsize=1024)
def argument_types(args: str) -> tuple[str, ...] | None:
    """The input argument types of a parameter list (`a int, OUT b text, VARIADIC c text[]` -> int4, text[]), as
    `function` gives them; None when it does not parse."""
    if "$" in args or ";" in args:
        return None
    try:
        stmts = parse_sql(f"CREATE FUNCTION f({args}\n) RETURNS void LANGUAGE sql AS ''")
    except ParseError:
        return None
    stmt = stmts[0].stmt
    if len(stmts) != 1 or not isinstance(stmt, ast.CreateFunctionStmt):
        return None
    return tuple(
        _argument_type(p.argType)
        for p in stmt.parameters or ()
        if (p.mode.value if p.mode is not None else "i") in ("i", "b", "v", "d")
    )


def _which_part(parts: dict[str, tuple[int, str]], location: int | None) -> str:
    """The last part starting at or before `location`; the body when PostgreSQL gives none."""
    if location is None:
        return "body"
    best = "args"
    for part, (start, _text) in parts.items():
        if location >= start:
            best = part
    return best


# -- what a fragment uses: found by walking its tree in PostgreSQL's JSON form (parsetree.walk) ------


def _outside_subqueries(kind: str, _fields: parsetree.Fields) -> bool:
    return kind == "SelectStmt"


def _column_refs(tree: Any, start: int) -> tuple[tuple[tuple[str, ...], int | None], ...]:
    refs = []
    for kind, fields in parsetree.walk(tree, prune=_outside_subqueries):
        if kind == "ColumnRef" and all("String" in f for f in fields.get("fields", ())):
            location = fields.get("location")
            offset = None if location is None or location < start else location - start
            refs.append((parsetree.names(fields["fields"]), offset))
    return tuple(refs)


@lru_cache(maxsize=8192)
def expression_column_refs(text: str) -> tuple[tuple[tuple[str, ...], int | None], ...]:
    """The columns the expression `text` reads outside its sub-queries, as names with their offset into `text`
    (cached: the same checks recur on every table)."""
    return _column_refs(expression_json(text), len(EXPRESSION_PREFIX))


def index_element_column_refs(text: str) -> tuple[tuple[tuple[str, ...], int | None], ...]:
    """`expression_column_refs` of an index key (`lower(email)`, parsed as `index_element` parses it)."""
    stmts = json.loads(_statements(text, INDEX_ELEMENT_PREFIX, "\n)", parse_sql_json)).get("stmts", [])
    return _column_refs(stmts[0]["stmt"], len(INDEX_ELEMENT_PREFIX)) if stmts else ()


@lru_cache(maxsize=4096)
def column_names(text: str | None) -> frozenset[str]:
    """Every column name an expression mentions, sub-queries included (a superset is harmless where it is used)."""
    if not text:
        return frozenset()
    return frozenset(
        names[-1]
        for kind, fields in parsetree.walk(expression_json(text))
        if kind == "ColumnRef" and (names := parsetree.names(fields.get("fields")))[-1] != "*"
    )


@lru_cache(maxsize=8192)
def called_names(text: str) -> frozenset[str]:
    """Unqualified names of the functions an expression calls, sub-queries included."""
    return frozenset(
        parsetree.names(fields["funcname"])[-1]
        for kind, fields in parsetree.walk(expression_json(text))
        if kind == "FuncCall"
    )


def reads_clock(text: str) -> bool:
    """Whether an expression reads CURRENT_DATE, CURRENT_TIMESTAMP, LOCALTIME and the like (SQL value functions)."""
    return any(kind == "SQLValueFunction" for kind, _fields in parsetree.walk(expression_json(text)))


@lru_cache(maxsize=1024)
def signature_type_names(args: str, returns: str) -> frozenset[str]:
    """Unqualified names of the types a function's arguments and result use (RETURNS TABLE columns too)."""
    sql = f"CREATE FUNCTION f({args}\n) RETURNS {returns}\nLANGUAGE sql AS ''"
    stmt = json.loads(parse_sql_json(sql))["stmts"][0]["stmt"]["CreateFunctionStmt"]
    types = [stmt["returnType"]] if "returnType" in stmt else []
    for _kind, fields in parsetree.walk(stmt.get("parameters")):
        types += [fields[key] for key in ("argType", "typeName") if key in fields]  # a default's casts too
    return frozenset(parsetree.names(t["names"])[-1] for t in types)


@dataclass(frozen=True)
class BodyUses:
    """What a LANGUAGE sql function's body names: relations ((schema or None, name)) and called functions
    (unqualified)."""

    relations: frozenset[tuple[str | None, str]]
    calls: frozenset[str]


@lru_cache(maxsize=1024)
def sql_body_uses(body: str) -> BodyUses:
    """The relations and functions a SQL function body names, every statement and sub-query included.

    PostgreSQL checks such a body when the function is created
    (check_function_bodies), so what it names must exist by then. A body that
    does not parse names nothing (its error is reported where the function is resolved).
    """
    try:
        tree = json.loads(parse_sql_json(body))
    except ParseError:
        return BodyUses(frozenset(), frozenset())
    relations: set[tuple[str | None, str]] = set()
    calls: set[str] = set()
    for kind, fields in parsetree.walk(tree):
        if kind == "RangeVar" and "relname" in fields:
            relations.add((fields.get("schemaname"), fields["relname"]))
        elif kind == "FuncCall":
            calls.add(parsetree.names(fields["funcname"])[-1])
    return BodyUses(frozenset(relations), frozenset(calls))


# The functions that take a sequence by name (a regclass written as a string): nextval('s').
SEQUENCE_FUNCTIONS = frozenset({"nextval", "currval", "setval"})


@dataclass(frozen=True)
class SequenceRef:
    """A sequence an expression names in a call of nextval, currval or setval."""

    schema: str | None
    name: str
    offset: int  # of its string literal, in the fragment


@lru_cache(maxsize=1024)
def sequence_refs(text: str) -> tuple[SequenceRef, ...]:
    """The sequences an expression names as the string argument of nextval/currval/setval (`'s'` or
    `'s'::regclass`), names read as PostgreSQL reads a regclass string (unquoted parts lower-cased).
    A string that is no relation name is its own problem: PostgreSQL refuses it; it is left out here."""
    if not text or "(" not in text:
        return ()
    found: list[SequenceRef] = []
    for kind, fields in parsetree.walk(expression_json(text)):
        if kind != "FuncCall" or parsetree.names(fields["funcname"])[-1] not in SEQUENCE_FUNCTIONS:
            continue
        args = fields.get("args") or []
        arg = args[0] if args else {}
        if "TypeCast" in arg:
            arg = arg["TypeCast"]["arg"]
        const = arg.get("A_Const", {})
        if "sval" not in const:
            continue
        ref = _relation_name(const["sval"]["sval"])
        if ref is not None:
            found.append(SequenceRef(ref[0], ref[1], const["location"] - len(EXPRESSION_PREFIX)))
    return tuple(found)


def _relation_name(text: str) -> tuple[str | None, str] | None:
    """`text` read as a (possibly qualified) relation name, as a regclass literal is; None if it is not one."""
    try:
        stmts = parse_sql(f"SELECT FROM {text}")
    except ParseError:
        return None
    select = stmts[0].stmt if len(stmts) == 1 else None
    tables = select.fromClause if isinstance(select, ast.SelectStmt) and select.fromClause else ()
    rel = tables[0] if len(tables) == 1 else None
    if not isinstance(rel, ast.RangeVar) or rel.catalogname or rel.alias or "(" in text or ";" in text:
        return None
    return rel.schemaname, parsetree.present(rel.relname)


def type_name_loose(text: str) -> tuple[str | None, str, str, int] | None:
    """A type whose modifiers are its own (`geography(Point,4326)`, `vector(1536)`): (schema, name, modifiers as
    written without spaces, array dimensions), or None when `text` is no type name."""
    try:
        stmt = _parse(text, "SELECT NULL::")
    except FragmentError:
        return None
    target = stmt.targetList[0].val if isinstance(stmt, ast.SelectStmt) and stmt.targetList else None
    if not isinstance(target, ast.TypeCast) or stmt.fromClause or len(stmt.targetList) != 1:
        return None
    tn = parsetree.present(target.typeName)
    names = parsetree.strings(tn.names)
    if len(names) > 2 or tn.setof or tn.pct_type:
        return None
    mods = ""
    if tn.typmods:
        mods = "".join(text[text.index("(") + 1 : text.rindex(")")].split())
        mods = mods.split(")")[0]  # `vector(3)[]`: the modifiers end where the array brackets begin
    return (names[0] if len(names) == 2 else None), names[-1], mods, len(tn.arrayBounds or ())
