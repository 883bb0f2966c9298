"""Publications (`publications:`): the tables logical replication publishes, and which operations.

A publication named in `external.publications` is made elsewhere (Supabase makes `supabase_realtime`):
the spec lists the tables it adds to it, and may not say how the publication itself is made (FOR ALL
TABLES, `publish:`, a comment). A table is one of the spec's (E020 otherwise), listed once.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import errors, ir
from ..ir import Name, names
from ..pg import sqlparse
from ..spec import model
from ..spec.loader import LoadedFile
from .registry import Registry
from .report import Report, Where, expression, fragment_columns, ident

OPERATIONS = ("insert", "update", "delete", "truncate")


def publications(files: list[LoadedFile], registry: Registry, report: Report) -> tuple[ir.Publication, ...]:
    external = {p for f in files for p in f.spec.external.publications}
    found: dict[str, ir.Publication] = {}
    for f in files:
        for key, spec in f.spec.publications.items():
            where = Where(f.pos, ("publications", key))
            if not ident(report, key, where, "publication name"):
                continue
            if key in found:
                report.error(where, errors.DUPLICATE_NAME, f'publication "{key}" is defined twice', key=True)
                continue
            made_elsewhere = key in external
            if made_elsewhere:
                for field, given in (
                    ("for_all_tables", spec.for_all_tables),
                    ("publish", set(spec.publish) != set(OPERATIONS)),
                    ("comment", spec.comment is not None),
                ):
                    if given:
                        report.error(
                            where.at(field),
                            errors.SPEC_INVALID,
                            f"publication {key} is made elsewhere (external.publications): schemagen only adds and "
                            f"drops its tables, so it cannot set `{field}`",
                            key=True,
                        )
            if spec.for_all_tables and spec.tables:
                report.error(
                    where.at("tables"),
                    errors.SPEC_INVALID,
                    "a publication FOR ALL TABLES publishes every table: it lists none",
                    key=True,
                )
            tables: list[Name] = []
            filters: list[ir.PublishedTable] = []
            for i, item in enumerate(spec.tables):
                text = item if isinstance(item, str) else item.table
                at = where.at("tables", i) if isinstance(item, str) else where.at("tables", i, "table")
                name = names.split(text)
                if name not in registry.tables:
                    report.error(at, errors.UNKNOWN_TABLE, f'unknown table "{text}"')
                elif name in tables:
                    report.error(at, errors.DUPLICATE_NAME, f"table {name.display} is listed twice")
                else:
                    tables.append(name)
                    report.origin(("publication_table", key, name), where.at("tables", i))
                    if not isinstance(item, str):
                        columns = registry.table_columns(name) or ()
                        published = _published(item, name, columns, report, where.at("tables", i))
                        if published is not None:
                            filters.append(published)
            report.origin(("publication", key), where)
            found[key] = ir.Publication(
                key,
                f.module,
                tuple(tables),
                spec.for_all_tables,
                tuple(op for op in OPERATIONS if op in spec.publish),
                made_elsewhere,
                spec.comment,
                tuple(filters),
            )
    return tuple(found.values())


def _published(
    item: model.PublishedTable, table: Name, columns: Sequence[str], report: Report, where: Where
) -> ir.PublishedTable | None:
    """A table's column list and row filter, each column known (None when there is neither, or a mistake)."""
    before = len(report.diagnostics)
    for j, column in enumerate(item.columns or ()):
        if column not in columns:
            report.error(
                where.at("columns", j), errors.UNKNOWN_COLUMN, f'unknown column "{column}" in table {table.display}'
            )
    if item.where is not None and expression(report, item.where, where.at("where")) is not None:
        refs = sqlparse.expression_column_refs(item.where)
        fragment_columns(report, refs, columns, table, where.at("where"))
    if len(report.diagnostics) > before or (item.columns is None and item.where is None):
        return None
    return ir.PublishedTable(table, tuple(item.columns or ()), item.where.strip() if item.where else None)
