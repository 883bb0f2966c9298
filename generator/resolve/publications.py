"""Publications (`publications:`): the tables logical replication publishes, and which operations.

A publication named in `external.publications` is made elsewhere (Supabase makes `supabase_realtime`):
the spec lists the tables it adds to it, and may not say how the publication itself is made (FOR ALL
TABLES, `publish:`, a comment). A table is one of the spec's (E020 otherwise), listed once.
"""

from __future__ import annotations

from .. import errors, ir
from ..ir import Name, names
from ..spec.loader import LoadedFile
from .registry import Registry
from .report import Report, Where, ident

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
            for i, text in enumerate(spec.tables):
                name = names.split(text)
                if name not in registry.tables:
                    report.error(where.at("tables", i), errors.UNKNOWN_TABLE, f'unknown table "{text}"')
                elif name in tables:
                    report.error(where.at("tables", i), errors.DUPLICATE_NAME, f"table {name.display} is listed twice")
                else:
                    tables.append(name)
                    report.origin(("publication_table", key, name), where.at("tables", i))
            report.origin(("publication", key), where)
            found[key] = ir.Publication(
                key,
                f.module,
                tuple(tables),
                spec.for_all_tables,
                tuple(op for op in OPERATIONS if op in spec.publish),
                made_elsewhere,
                spec.comment,
            )
    return tuple(found.values())
