"""An exclusion constraint (`exclude: ["room WITH =", "during WITH &&"]`): its elements, method, INCLUDE, WHERE.

Each element is parsed by pglast as EXCLUDE's grammar reads it (pg/indexkeys.py): a key as an index has it, and
the operator, kept as written (PostgreSQL checks that it is commutative and in the key's operator family when the
constraint is added). `=` on a scalar column under gist needs btree_gist's operator classes: a spec that does so
must install the extension (`extensions: {btree_gist: {}}`), E150 otherwise, rather than PostgreSQL's `data type
integer has no default operator class for access method "gist"` when the migration runs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from pglast import ast

from .. import errors, ir
from ..ir import Name, names
from ..pg import indexkeys, sqlparse
from ..spec import model
from . import comparisons, index_methods
from .report import Report, Where, expression, fragment_columns

# The column types whose `=` under gist only btree_gist's operator classes give (its gist_<type>_ops).
BTREE_GIST_TYPES = frozenset(
    {
        "int2",
        "int4",
        "int8",
        "float4",
        "float8",
        "numeric",
        "text",
        "varchar",
        "bpchar",
        "bytea",
        "oid",
        "date",
        "time",
        "timetz",
        "timestamp",
        "timestamptz",
        "interval",
        "macaddr",
        "inet",
        "cidr",
        "uuid",
        "bool",
        "enum",
    }
)


def exclusion(
    table: Name,
    c: model.Constraint,
    typed: Mapping[str, ir.Column],
    extensions: Collection[str] | None,
    report: Report,
    where: Where,
) -> ir.Constraint | None:
    """The exclusion constraint `c` of `table` (None when a part of it is wrong: reported). `extensions`: the
    extensions the spec installs (None: not known here, the btree_gist check is left out)."""
    assert c.exclude is not None
    method_name = c.using or "btree"
    method = index_methods.METHODS[method_name]
    elements: list[ir.ExclusionElement] = []
    labels: list[str] = []
    start = len(report.diagnostics)
    for i, text in enumerate(c.exclude):
        ew = where.at("exclude", i)
        try:
            key, operator = indexkeys.exclusion(text)
            elem, _op = sqlparse.exclusion_element(text)
        except sqlparse.FragmentError as exc:
            report.sql_error(ew, exc)
            continue
        if key.column is not None:
            if key.column not in typed:
                report.error(ew, errors.UNKNOWN_COLUMN, f'unknown column "{key.column}" in table {table.display}')
                continue
        else:
            refs = sqlparse.index_element_column_refs(indexkeys.exclusion_key_text(text))
            fragment_columns(report, refs, typed, table, ew)
        if (key.descending or key.nulls) and not method.ordered:
            report.error(ew, errors.SQL_SHAPE, f"index method {method_name} does not support ASC/DESC or NULLS")
        column = typed.get(key.column) if key.column is not None else None
        if (
            extensions is not None
            and method_name == "gist"
            and "btree_gist" not in extensions
            and column is not None
            and key.opclass is None
            and column.array_dims == 0
            and column.base in BTREE_GIST_TYPES
        ):
            report.error(
                ew,
                errors.MISSING_EXTENSION,
                f'exclusion element "{text.strip()}" compares {column.sql_type} under gist, which needs the '
                "btree_gist extension's operator classes: install it (extensions: {btree_gist: {}})",
            )
        labels.append(key.column if key.column is not None else _expression_label(elem.expr))
        elements.append(
            ir.ExclusionElement(
                ir.IndexElement(
                    key.column,
                    key.expression,
                    key.descending,
                    key.nulls,
                    key.collation,
                    key.opclass,
                    key.opclass_params,
                ),
                operator,
            )
        )
    if len(c.exclude) > 1 and not method.multicolumn:
        report.error(where.at("exclude"), errors.SQL_SHAPE, f"index method {method_name} takes one element only")
    include = tuple(c.include or ())
    if include and not method.include:
        report.error(where.at("include"), errors.SQL_SHAPE, f"index method {method_name} does not support INCLUDE")
    for i, col in enumerate(include):
        if col not in typed:
            report.error(
                where.at("include", i), errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table.display}'
            )
    where_sql = None
    if c.where is not None:
        ww = where.at("where")
        if expression(report, c.where, ww) is not None:
            fragment_columns(report, sqlparse.expression_column_refs(c.where), typed, table, ww)
            for problem in comparisons.problems(c.where, typed, table):
                report.error_in_fragment(ww, problem.offset, problem.code, problem.message)
            where_sql = c.where.strip()
    if len(report.diagnostics) != start:
        return None
    return ir.Constraint(
        c.name or names.derived_constraint_name(table.name, [*labels, *include], "excl"),
        "exclude",
        comment=c.comment,
        deferrable=c.deferrable,
        initially_deferred=c.initially_deferred,
        exclusion=tuple(elements),
        method=method_name,
        where=where_sql,
        include=include,
    )


def _expression_label(node: ast.Node | None) -> str:
    """The name PostgreSQL gives an expression element when it names the constraint (FigureColname: a function's
    name, a cast's operand or type; else `expr`)."""
    if isinstance(node, ast.FuncCall) and node.funcname:
        return str(node.funcname[-1].sval)
    if isinstance(node, ast.ColumnRef) and node.fields and isinstance(node.fields[-1], ast.String):
        return str(node.fields[-1].sval)
    if isinstance(node, ast.TypeCast):
        inner = _expression_label(node.arg)
        if inner != "expr":
            return inner
        return str(node.typeName.names[-1].sval) if node.typeName and node.typeName.names else "expr"
    return "expr"
