"""Column references of a policy or trigger WHEN fragment, resolved as PostgreSQL does.

A policy's USING/WITH CHECK reads its table's columns, and its sub-queries read
the tables of their own FROM clauses, by name or alias, inner scopes first
(`EXISTS (SELECT 1 FROM users u WHERE u.org_id = docs.org_id)`). A name that is
no column of any of them may name a FROM item itself, a whole-row reference
(`to_jsonb(m)`, `docs IS NOT NULL`). An alias's column list renames the item's
columns in order (`FROM users AS u(x)`, `(VALUES (1)) v(n)`, `WITH c(k) AS`),
and a sub-select's or VALUES' columns are its outputs' names. A trigger's
WHEN condition reads only `NEW.column` and `OLD.column`. Each reference is
checked against the columns schemagen knows (spec and external tables); where
a scope holds something whose columns it does not know (a function, a
sub-select, a table of another migration), nothing that could come from it is
reported. Works on PostgreSQL's JSON parse tree (sqlparse.expression_json),
whose locations count from the start of sqlparse.EXPRESSION_PREFIX.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .. import errors
from ..ir import Name
from ..pg import parsetree
from ..pg.sqlparse import EXPRESSION_PREFIX
from .report import Problem

# Columns every table has (https://www.postgresql.org/docs/current/ddl-system-columns.html).
SYSTEM_COLUMNS = frozenset({"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"})
_START = len(EXPRESSION_PREFIX)
# a SELECT's parts resolved before its scope
_SELECT_DONE = frozenset({"fromClause", "withClause", "op", "larg", "rarg"})
_FUNCTION_DONE = frozenset({"alias", "coldeflist"})
# Parts of a tree that never hold a column reference: not worth a visit (policies are walked on every table).
_NO_COLUMNS = frozenset({"A_Const", "funcname", "name", "typeName", "TypeName", "alias"})

Columns = Callable[[Name], "Sequence[str] | None"]  # a table's columns in order; None when schemagen does not know them


@dataclass(frozen=True)
class _Item:
    """One FROM item in scope: what it is called there, and its columns (None: unknown)."""

    alias: str
    table: Name | None
    columns: Collection[str] | None
    aliased: bool  # `FROM t AS x`: then only `x` names it, not `t` nor `s.t`
    own: bool = False  # the policy's own table: its columns are asked for, not looked up (Needs)


@dataclass(frozen=True)
class Need:
    """A name the policy's table must have as a column, unless it names a FROM item in scope (a whole-row
    reference): the table's own name, or one of `rows`."""

    column: str
    offset: int | None
    others: tuple[str, ...]  # the other tables in scope, where an unqualified name was looked for first
    rows: frozenset[str] = frozenset()  # the names of the other FROM items in scope


@dataclass(frozen=True)
class Needs:
    """What a policy expression asks of its table, found once for every table a template is applied
    to: the problems that do not depend on the table, and the columns it must have."""

    problems: tuple[Problem, ...]
    own_columns: tuple[Need, ...]
    from_names: frozenset[str]  # the names FROM items take: a table of one of these names is judged on its own text

    def on(self, table: Name, columns: Collection[str] | None) -> list[Problem]:
        """The problems of the expression on `table`, whose columns are `columns` (None: unknown)."""
        found = list(self.problems)
        for need in self.own_columns:
            column, offset, others = need.column, need.offset, need.others
            if (
                columns is not None
                and column not in columns
                and column not in SYSTEM_COLUMNS
                and column != table.name
                and column not in need.rows
            ):
                where = f"table {table.display}" + (f" nor in {', '.join(others)}" if others else "")
                found.append(Problem(offset, errors.UNKNOWN_COLUMN, f'unknown column "{column}" in {where}'))
        return found


def policy_needs(tree: dict[str, Any], table: Name, columns_of: Columns) -> Needs:
    """What the policy expression `tree` on `table` asks of it (`table` may be a stand-in name
    for a template's `{table}`, the same for every table the template is applied to)."""
    walker = _Walker(columns_of, table)
    walker.walk(tree, [[_Item(table.name, table, None, False, own=True)]])
    return Needs(tuple(walker.problems), tuple(walker.needs), frozenset(walker.from_names))


def trigger_when(
    tree: dict[str, Any], table: Name, columns: frozenset[str], events: tuple[str, ...], row: bool
) -> list[Problem]:
    """What PostgreSQL refuses in a trigger's WHEN: a column other than NEW.c / OLD.c, an unknown
    column, OLD in an INSERT trigger or NEW in a DELETE one, columns in a statement trigger, a sub-query."""
    problems: list[Problem] = []
    for node, location in _nodes(tree):
        offset = None if location is None else max(0, location - _START)
        if "SubLink" in node:
            problems.append(Problem(offset, errors.SQL_SHAPE, "a trigger's WHEN condition cannot hold a sub-query"))
            continue
        ref = node.get("ColumnRef")
        if ref is None:
            continue
        fields = _fields(ref)
        row_name = fields[0] if fields and fields[0] in ("new", "old") else None
        if row_name is None:
            written = ".".join(f or "*" for f in fields)
            problems.append(
                Problem(
                    offset,
                    errors.SQL_SHAPE,
                    f'"{written}": a trigger\'s WHEN condition reads the row as NEW.column or OLD.column',
                )
            )
            continue
        if not row:
            problems.append(
                Problem(
                    offset,
                    errors.SQL_SHAPE,
                    f"a statement trigger's WHEN condition cannot read {row_name.upper()}: it has no row "
                    "(use `for_each: row`)",
                )
            )
            continue
        if row_name == "old" and "insert" in events:
            problems.append(
                Problem(
                    offset,
                    errors.SQL_SHAPE,
                    "an INSERT trigger's WHEN condition cannot read OLD: an inserted row has no old values",
                )
            )
        elif row_name == "new" and "delete" in events:
            problems.append(
                Problem(
                    offset,
                    errors.SQL_SHAPE,
                    "a DELETE trigger's WHEN condition cannot read NEW: a deleted row has no new values",
                )
            )
        elif len(fields) == 2 and fields[1] and fields[1] not in columns and fields[1] not in SYSTEM_COLUMNS:
            problems.append(
                Problem(offset, errors.UNKNOWN_COLUMN, f'unknown column "{fields[1]}" in table {table.display}')
            )
    return problems


def _fields(ref: dict[str, Any]) -> list[str | None]:
    """A ColumnRef's names; None for `*`."""
    return [f["String"]["sval"] if "String" in f else None for f in ref.get("fields", ())]


def _nodes(tree: Any) -> Iterator[tuple[dict[str, Any], int | None]]:
    """Every node of a JSON tree (sub-queries included, not entered past a SubLink), with its location."""
    for kind, body in parsetree.walk(tree, prune=lambda kind, _body: kind == "SubLink"):
        yield {kind: body}, body.get("location")


class _Walker:
    """Resolves every column reference of a tree, collecting the problems (a loop, not recursive
    generators: it runs on every policy of every table)."""

    def __init__(self, columns_of: Columns, own: Name):
        self.columns_of = columns_of
        self.own = own
        self.problems: list[Problem] = []
        self.needs: list[Need] = []
        self.from_names: set[str] = set()

    def walk(self, node: Any, scopes: list[list[_Item]], skip: frozenset[str] = frozenset()) -> None:
        """Every reference below `node` (a dict's `skip` keys left out, at its top only)."""
        stack: list[Any] = [node]
        while stack:
            current = stack.pop()
            if type(current) is list:
                stack.extend(current)
                continue
            if type(current) is not dict:
                continue
            for key, value in current.items():
                if key in skip and current is node:
                    continue
                if key == "ColumnRef":
                    problem = self.reference(value, scopes)
                    if problem is not None:
                        self.problems.append(problem)
                elif key == "SubLink":
                    stack.append(value.get("testexpr"))
                    self.select(value["subselect"]["SelectStmt"], scopes)
                elif key == "SelectStmt":  # ARRAY(SELECT ...)
                    self.select(value, scopes)
                elif (type(value) is dict or type(value) is list) and key not in _NO_COLUMNS:
                    stack.append(value)

    def select(self, stmt: dict[str, Any], scopes: list[list[_Item]]) -> None:
        if stmt.get("op", "SETOP_NONE") != "SETOP_NONE":  # UNION and friends: each side on its own
            self.select(stmt["larg"], scopes)
            self.select(stmt["rarg"], scopes)
            return
        ctes: dict[str, tuple[str, ...] | None] = {}  # each CTE's columns (None: unknown)
        for cte in stmt.get("withClause", {}).get("ctes", ()):
            body = cte["CommonTableExpr"]
            query = body["ctequery"]
            ctes[body["ctename"]] = None
            if "SelectStmt" in query:
                self.select(query["SelectStmt"], scopes)
                ctes[body["ctename"]] = _renamed(_outputs(query["SelectStmt"]), body.get("aliascolnames"))
        items: list[_Item] = []
        for entry in stmt.get("fromClause", ()):
            self.from_item(entry, scopes, items, ctes)
        # ORDER BY / GROUP BY may name an output column: known for this level.
        outputs = frozenset(
            t["ResTarget"]["name"] for t in stmt.get("targetList", ()) if "name" in t.get("ResTarget", {})
        )
        if outputs:
            items.append(_Item("", None, outputs, True))
        self.walk(stmt, [*scopes, items], skip=_SELECT_DONE)

    def from_item(
        self,
        entry: dict[str, Any],
        scopes: list[list[_Item]],
        items: list[_Item],
        ctes: dict[str, tuple[str, ...] | None],
    ) -> None:
        if "RangeVar" in entry:
            rv = entry["RangeVar"]
            alias = rv.get("alias", {}).get("aliasname")
            colnames = rv.get("alias", {}).get("colnames")
            schema = rv.get("schemaname")
            if schema is None and rv["relname"] in ctes:
                columns = _renamed(ctes[rv["relname"]], colnames)
                items.append(_Item(alias or rv["relname"], None, columns, alias is not None))
                return
            name = Name(schema or "public", rv["relname"])
            self.from_names.update((name.name, alias or name.name))
            if name == self.own and colnames:  # its columns renamed: in an order the template does not know
                items.append(_Item(alias, name, None, True))
            elif name == self.own:
                items.append(_Item(alias or name.name, name, None, alias is not None, own=True))
            else:
                known = self.columns_of(name)
                columns = _renamed(tuple(known), colnames) if known is not None else None
                items.append(_Item(alias or name.name, name, columns, alias is not None))
        elif "JoinExpr" in entry:
            join = entry["JoinExpr"]
            self.from_item(join["larg"], scopes, items, ctes)
            self.from_item(join["rarg"], scopes, items, ctes)
            if "alias" in join:
                items.append(_Item(join["alias"]["aliasname"], None, None, True))
            self.walk(join.get("quals"), [*scopes, items])
        elif "RangeSubselect" in entry:
            sub = entry["RangeSubselect"]
            query = sub["subquery"]["SelectStmt"]
            self.select(query, [*scopes, list(items)] if sub.get("lateral") else scopes)
            alias = sub.get("alias", {})
            columns = _renamed(_outputs(query), alias.get("colnames"))
            items.append(_Item(alias.get("aliasname", ""), None, columns, True))
        else:  # a function in FROM, or anything else; its arguments see what came before
            body = next(iter(entry.values()))
            self.walk(body, [*scopes, list(items)], skip=_FUNCTION_DONE)
            alias = body.get("alias", {}) if isinstance(body, dict) else {}
            columns = _function_columns(body) if "RangeFunction" in entry else None
            items.append(_Item(alias.get("aliasname", ""), None, columns, True))

    def reference(self, ref: dict[str, Any], scopes: list[list[_Item]]) -> Problem | None:
        fields = _fields(ref)
        location = ref.get("location")
        offset = None if location is None else max(0, location - _START)
        if not fields or fields[-1] is None and len(fields) == 1:
            return None
        column = fields[-1]
        qualifier = fields[:-1]
        for level in reversed(scopes):
            if not qualifier:
                assert column is not None
                if any(item.columns is None and not item.own for item in level):
                    return None  # it may come from what schemagen does not know
                if any(
                    column in item.columns or column in SYSTEM_COLUMNS for item in level if item.columns is not None
                ):
                    return None
                if any(item.own for item in level):
                    # the table must have it, unless it names a FROM item (or PostgreSQL says it does not exist)
                    others = tuple(
                        item.table.display for lv in scopes for item in lv if item.table is not None and not item.own
                    )
                    rows = frozenset(item.alias for lv in scopes for item in lv if item.alias and not item.own)
                    self.needs.append(Need(column, offset, others, rows))
                    return None
                continue
            for item in level:
                if not _names(item, qualifier):
                    continue
                if item.own and column is not None:
                    self.needs.append(Need(column, offset, ()))
                    return None
                if item.columns is None or column is None or column in item.columns or column in SYSTEM_COLUMNS:
                    return None
                where = f"table {item.table.display}" if item.table is not None else f'"{item.alias}"'
                return Problem(offset, errors.UNKNOWN_COLUMN, f'unknown column "{column}" in {where}')
        if qualifier:
            written = ".".join(q or "*" for q in qualifier)
            return Problem(
                offset,
                errors.UNKNOWN_TABLE,
                f'"{written}" is not a table of this expression: the policy\'s table or one in a FROM clause of it',
            )
        return None  # unreachable: the policy's own table is in the outermost scope


# Set-returning functions of one column whatever their arguments: in FROM, their column is named by the
# alias's column list, else by the alias, else by the function (the ordinality column follows, if asked for).
_ONE_COLUMN = frozenset(
    {
        "generate_series",
        "generate_subscripts",
        "regexp_split_to_table",
        "json_array_elements",
        "jsonb_array_elements",
        "json_array_elements_text",
        "jsonb_array_elements_text",
        "json_object_keys",
        "jsonb_object_keys",
    }
)


def _function_columns(function: dict[str, Any]) -> tuple[str, ...] | None:
    """The columns of a function in FROM, where they are certain: a column definition list
    (`AS r(a int, b text)`), or one built-in function of one column (`unnest` of one array too)."""
    alias = function.get("alias", {})
    if "coldeflist" in function:
        return tuple(c["ColumnDef"]["colname"] for c in function["coldeflist"])
    calls = function.get("functions", ())
    if len(calls) != 1 or "FuncCall" not in calls[0]["List"]["items"][0]:
        return None
    call = calls[0]["List"]["items"][0]["FuncCall"]
    name = [f["String"]["sval"] for f in call["funcname"]]
    if len(name) > 2 or (len(name) == 2 and name[0] != "pg_catalog"):
        return None
    if not (name[-1] in _ONE_COLUMN or (name[-1] == "unnest" and len(call.get("args", ())) == 1)):
        return None
    own = (alias.get("aliasname") or name[-1],)
    return _renamed(own + (("ordinality",) if function.get("ordinality") else ()), alias.get("colnames"))


def _outputs(stmt: dict[str, Any]) -> tuple[str, ...] | None:
    """The names of a SELECT's (or VALUES') columns, where they are certain: each output named (`AS x`), a column
    (`t.c` is `c`) or a function call (named after the function); None otherwise (`*`, `1`, `a + b`)."""
    if stmt.get("op", "SETOP_NONE") != "SETOP_NONE":
        return _outputs(stmt["larg"])  # a UNION's columns are named by its first SELECT
    if "valuesLists" in stmt:
        return tuple(f"column{i}" for i in range(1, len(stmt["valuesLists"][0]["List"]["items"]) + 1))
    names = []
    for target in stmt.get("targetList", ()):
        res = target.get("ResTarget", {})
        value = res.get("val", {})
        if "name" in res:
            names.append(res["name"])
        elif "ColumnRef" in value and _fields(value["ColumnRef"])[-1] is not None:
            names.append(str(_fields(value["ColumnRef"])[-1]))
        elif "FuncCall" in value:
            names.append(value["FuncCall"]["funcname"][-1]["String"]["sval"])
        else:
            return None
    return tuple(names)


def _renamed(columns: tuple[str, ...] | None, colnames: list[dict[str, Any]] | None) -> tuple[str, ...] | None:
    """`columns` after an alias's column list renamed the first of them (None: not known)."""
    if not colnames:
        return columns
    if columns is None or len(colnames) > len(columns):
        return None  # more names than columns: PostgreSQL's error to give
    return tuple(c["String"]["sval"] for c in colnames) + columns[len(colnames) :]


def _names(item: _Item, qualifier: list[str | None]) -> bool:
    """Whether `qualifier` (`t` or `s.t`) names the FROM item."""
    if len(qualifier) == 1:
        return item.alias == qualifier[0]
    if len(qualifier) == 2 and not item.aliased and item.table is not None:
        return item.table == Name(qualifier[0] or "", qualifier[1] or "")
    return False
