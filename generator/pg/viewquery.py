"""A view's query read through PostgreSQL's parser: its output columns, the relations it reads, the functions it
calls.

What schemagen infers of an output column is what the parse tree says without
a database: its name (a column reference's last name, a function's name, or
`AS name`, as PostgreSQL names it) and, where the tree shows it, its type (a
cast; count(...) is bigint). Plain column references are typed by the resolver
from the relation they come from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pglast import ast, enums, parse_sql
from pglast.parser import ParseError, parse_sql_json
from pglast.stream import RawStream

from . import parsetree
from .sqlparse import FragmentError, _check_tokens, _syntax_error


@dataclass(frozen=True)
class Output:
    """One item of the SELECT list."""

    name: str | None  # the column's name; None when PostgreSQL would call it ?column?
    ref: tuple[str, ...] = ()  # a plain column reference: [relation alias,] column
    star: tuple[str, ...] | None = None  # `*` or `alias.*`: the qualifier (empty for a bare *)
    type: str | None = None  # the type the tree shows (a cast, count), as SQL
    location: int | None = None


@dataclass(frozen=True)
class Query:
    outputs: tuple[Output, ...]
    sources: dict[str, tuple[str | None, str]]  # alias (or relation name) in FROM -> (schema, relation)
    relations: frozenset[tuple[str | None, str]]  # every relation named, sub-queries included (not CTEs)
    calls: frozenset[str]  # unqualified names of the functions called


def parse(text: str) -> Query:
    """The shape of one SELECT (FragmentError when it does not parse or is not one SELECT)."""
    _check_tokens(text, "query")
    try:
        stmts = parse_sql(text)
    except ParseError as exc:
        raise _syntax_error(exc, 0, text, "query") from None
    if len(stmts) != 1 or not isinstance(stmts[0].stmt, ast.SelectStmt):
        raise FragmentError("a view's query is one SELECT (or VALUES)", 0, "query")
    stmt: ast.SelectStmt = stmts[0].stmt
    ctes = {
        str(c.ctename)
        for c in parsetree.nodes(stmt.withClause.ctes if stmt.withClause else None)
        if isinstance(c, ast.CommonTableExpr)
    }
    first = stmt
    while first.op != enums.SetOperation.SETOP_NONE and first.larg is not None:
        first = first.larg  # a UNION's columns are its first branch's
    relations: set[tuple[str | None, str]] = set()
    calls: set[str] = set()
    for kind, fields in parsetree.walk(_json(text)):
        if kind == "RangeVar" and "relname" in fields:
            if fields.get("schemaname") is not None or fields["relname"] not in ctes:
                relations.add((fields.get("schemaname"), fields["relname"]))
        elif kind == "FuncCall":
            calls.add(parsetree.names(fields["funcname"])[-1])
    sources: dict[str, tuple[str | None, str]] = {}
    for item in parsetree.nodes(first.fromClause):
        _sources(item, sources, ctes)
    return Query(
        tuple(_output(t) for t in parsetree.nodes(first.targetList)), sources, frozenset(relations), frozenset(calls)
    )


def _json(text: str) -> Any:
    return json.loads(parse_sql_json(text))


def _sources(item: ast.Node, sources: dict[str, tuple[str | None, str]], ctes: set[str]) -> None:
    if isinstance(item, ast.RangeVar):
        if item.schemaname is None and item.relname in ctes:
            return
        alias = item.alias.aliasname if item.alias is not None else item.relname
        sources[str(alias)] = (item.schemaname, str(item.relname))
    elif isinstance(item, ast.JoinExpr):
        _sources(parsetree.node(item.larg), sources, ctes)
        _sources(parsetree.node(item.rarg), sources, ctes)


def _output(target: ast.Node) -> Output:
    assert isinstance(target, ast.ResTarget)
    val = target.val
    location = target.location
    if isinstance(val, ast.ColumnRef):
        fields = parsetree.nodes(val.fields)
        if isinstance(fields[-1], ast.A_Star):
            return Output(
                None, star=tuple(str(f.sval) for f in fields[:-1] if isinstance(f, ast.String)), location=location
            )
        names = tuple(str(f.sval) for f in fields if isinstance(f, ast.String))
        return Output(target.name or names[-1], ref=names, location=location)
    return Output(target.name or _figure_name(val), type=_shown_type(val), location=location)


def _figure_name(val: ast.Node | None) -> str | None:
    """The name PostgreSQL gives an unnamed output (FigureColname), where it is not ?column?."""
    if isinstance(val, ast.ColumnRef):
        fields = parsetree.nodes(val.fields)
        return str(fields[-1].sval) if isinstance(fields[-1], ast.String) else None
    if isinstance(val, ast.FuncCall):
        return parsetree.strings(val.funcname)[-1]
    if isinstance(val, ast.TypeCast):
        inner = _figure_name(val.arg)
        if inner is not None:
            return inner
        names = parsetree.strings(parsetree.present(val.typeName).names)
        return names[-1] if names else None
    return None


def _shown_type(val: ast.Node | None) -> str | None:
    if isinstance(val, ast.TypeCast):
        return str(RawStream()(parsetree.present(val.typeName)))
    if isinstance(val, ast.FuncCall) and parsetree.strings(val.funcname)[-1] == "count" and not val.over:
        return "bigint"
    return None
