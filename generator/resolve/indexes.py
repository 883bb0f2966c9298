"""One index of a table: its elements (columns or expressions), INCLUDE columns and predicate."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from pglast.enums import SortByDir

from .. import errors, ir
from ..ir import Name
from ..pg import indexkeys, sqlparse
from ..spec import model
from . import comparisons, index_methods
from .report import Report, Where, expression, fragment_columns, ident


def index(
    table: Name,
    key: str,
    ix: model.Index,
    typed: Mapping[str, ir.Column],
    columns: Collection[str],
    partition_key: tuple[str, ...],
    report: Report,
    where: Where,
) -> ir.Index | None:
    name = Name(table.schema, key)
    ident(report, key, where, "index name")
    report.origin(("index", name), where, ix.lint)
    method = index_methods.METHODS[ix.method]
    elements: list[ir.IndexElement] = []
    for i, text in enumerate(ix.columns):
        ew = where.at("columns", i)
        report.origin(("index_element", name, i), ew, ix.lint, where, raw=text)
        try:
            k = indexkeys.parse(text)
        except sqlparse.FragmentError as exc:
            report.sql_error(ew, exc)
            continue
        if k.column is not None:
            if k.column not in columns:
                report.error(ew, errors.UNKNOWN_COLUMN, f'unknown column "{k.column}" in table {table.display}')
        else:
            refs = sqlparse.index_element_column_refs(text)
            fragment_columns(report, refs, columns, table, ew)
        if (k.descending or k.nulls or _ascending(text)) and not method.ordered:
            report.error(
                ew, errors.SQL_SHAPE, f"index method {ix.method} does not support ASC/DESC or NULLS FIRST/LAST"
            )
        elements.append(
            ir.IndexElement(k.column, k.expression, k.descending, k.nulls, k.collation, k.opclass, k.opclass_params)
        )
    _capabilities(key, ix, method, report, where)
    parameters = _parameters(ix, method, report, where)
    for i, col in enumerate(ix.include):
        if col not in columns:
            report.error(
                where.at("include", i), errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table.display}'
            )
    where_sql = None
    if ix.where is not None:
        node = expression(report, ix.where, where.at("where"))
        report.origin(("index_where", name), where.at("where"), ix.lint, where, raw=ix.where)
        if node is not None:
            fragment_columns(report, sqlparse.expression_column_refs(ix.where), columns, table, where.at("where"))
            for problem in comparisons.problems(ix.where, typed, table):
                report.error_in_fragment(where.at("where"), problem.offset, problem.code, problem.message)
            where_sql = ix.where.strip()
    if ix.unique and partition_key and not set(partition_key) <= {e.column for e in elements}:
        report.error(
            where,
            errors.PARTITION,
            f"unique index {key} on a partitioned table must include the partition key ({', '.join(partition_key)})",
            key=True,
        )
    if len(elements) != len(ix.columns):
        return None
    if ix.nulls_not_distinct and not ix.unique:
        report.error(where.at("nulls_not_distinct"), errors.SPEC_INVALID, "nulls_not_distinct needs unique: true")
    return ir.Index(
        name,
        table,
        tuple(elements),
        ix.unique,
        ix.method,
        where_sql,
        tuple(ix.include),
        ix.comment,
        parameters,
        ix.nulls_not_distinct,
    )


def _ascending(text: str) -> bool:
    """Whether the key says ASC (the default order, which only an ordered method accepts all the same)."""
    return sqlparse.index_element(text).ordering == SortByDir.SORTBY_ASC


def _capabilities(key: str, ix: model.Index, method: index_methods.Method, report: Report, where: Where) -> None:
    """What the method cannot do, refused here rather than by PostgreSQL when the migration runs."""
    if ix.unique and not method.unique:
        report.error(where.at("unique"), errors.SQL_SHAPE, f"index method {ix.method} does not support unique indexes")
    if len(ix.columns) > 1 and not method.multicolumn:
        report.error(
            where.at("columns"), errors.SQL_SHAPE, f"index method {ix.method} does not support multicolumn indexes"
        )
    if ix.include and not method.include:
        report.error(
            where.at("include"), errors.SQL_SHAPE, f"index method {ix.method} does not support INCLUDE columns"
        )


def _parameters(
    ix: model.Index, method: index_methods.Method, report: Report, where: Where
) -> tuple[tuple[str, str], ...]:
    """WITH (...), sorted by name; each parameter one the method has, with a value it takes."""
    for name, value in ix.with_.items():
        pw = where.at("with", name)
        parameter = method.parameters.get(name)
        if parameter is None:
            known = ", ".join(sorted(method.parameters))
            report.error(
                pw,
                errors.SPEC_INVALID,
                f'index method {ix.method} has no parameter "{name}" (it has: {known})',
                key=True,
            )
            continue
        wanted = parameter.problem(value)
        if wanted is not None:
            report.error(pw, errors.SPEC_INVALID, f"index parameter {name} is {wanted}, not {value!r}")
    return tuple(sorted(ix.with_.items()))
