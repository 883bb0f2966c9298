"""Schemas of the spec's own (`schemas:`): collected before any other name, since a table, enum or
function of any file may live in one."""

from __future__ import annotations

from .. import errors, ir
from ..spec.loader import LoadedFile
from .report import Report, Where, ident

# Schemas every database has: the spec uses them, never creates them.
EXISTING = frozenset({"public", "pg_catalog", "information_schema"})


def collect(files: list[LoadedFile], report: Report) -> dict[str, ir.Namespace]:
    """Every schema the spec creates, by name, in the order written."""
    result: dict[str, ir.Namespace] = {}
    external = {s for f in files for s in f.spec.external.schemas}
    for f in files:
        for key, spec in f.spec.schemas.items():
            where = Where(f.pos, ("schemas", key))
            report.origin(("schema", key), where)
            if not ident(report, key, where, "schema"):
                continue
            if key in EXISTING:
                report.error(
                    where,
                    errors.SPEC_INVALID,
                    f'schema "{key}" exists in every database: use it, do not declare it',
                    key=True,
                )
            elif key.startswith("pg_"):
                report.error(
                    where,
                    errors.SPEC_INVALID,
                    f'schema "{key}": names starting with pg_ are reserved for PostgreSQL',
                    key=True,
                )
            elif key in result:
                report.error(where, errors.DUPLICATE_NAME, f'schema "{key}" is declared twice', key=True)
            elif key in external:
                report.error(
                    where,
                    errors.DUPLICATE_NAME,
                    f'schema "{key}" is declared both external and under schemas: (one says it is made elsewhere)',
                    key=True,
                )
            else:
                result[key] = ir.Namespace(key, f.module, spec.comment)
    return result
