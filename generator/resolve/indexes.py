"""One index of a table: its elements (columns or expressions), INCLUDE columns and predicate."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from .. import errors, ir
from ..ir import Name
from ..pg import sqlparse
from ..spec import model
from . import comparisons
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
    elements: list[ir.IndexElement] = []
    for i, text in enumerate(ix.columns):
        ew = where.at("columns", i)
        report.origin(("index_element", name, i), ew, ix.lint, where, raw=text)
        try:
            elem = sqlparse.index_element(text)
        except sqlparse.FragmentError as exc:
            report.sql_error(ew, exc)
            continue
        desc = elem.ordering is not None and elem.ordering.name == "SORTBY_DESC"
        nulls = {"SORTBY_NULLS_FIRST": "first", "SORTBY_NULLS_LAST": "last"}.get(
            elem.nulls_ordering.name if elem.nulls_ordering is not None else ""
        )
        if elem.name is not None:
            if elem.name not in columns:
                report.error(ew, errors.UNKNOWN_COLUMN, f'unknown column "{elem.name}" in table {table.display}')
            elements.append(ir.IndexElement(elem.name, None, desc, nulls))
        else:
            refs = sqlparse.index_element_column_refs(text)
            fragment_columns(report, refs, columns, table, ew)
            expr_text = text.strip()
            for suffix in ("NULLS FIRST", "NULLS LAST", "DESC", "ASC"):
                if expr_text.upper().endswith(suffix):
                    expr_text = expr_text[: -len(suffix)].rstrip()
            elements.append(ir.IndexElement(None, expr_text, desc, nulls))
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
    return ir.Index(name, table, tuple(elements), ix.unique, ix.method, where_sql, tuple(ix.include), ix.comment)
