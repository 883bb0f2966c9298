"""Grants: privileges on tables, partitions, functions and sequences, to known roles."""

from __future__ import annotations

from collections.abc import Collection

from .. import errors, ir
from ..ir import Name, names
from ..pg import quoting
from ..spec.loader import LoadedFile
from .registry import Registry
from .report import Report, Where
from .routines import ambiguous, find, signature

TABLE_PRIVILEGES = {"select", "insert", "update", "delete", "truncate", "references", "trigger", "all"}
FUNCTION_PRIVILEGES = {"execute", "all"}
SEQUENCE_PRIVILEGES = {"usage", "select", "update", "all"}
SCHEMA_PRIVILEGES = {"usage", "create", "all"}


def grants(
    f: LoadedFile, registry: Registry, sequences: Collection[Name], partitions: Collection[Name], report: Report
) -> list[ir.Grant]:
    """The grants of one file (`sequences`: of the identity columns; `partitions`: every partition written)."""
    result: list[ir.Grant] = []
    for i, g in enumerate(f.spec.grants):
        where = Where(f.pos, ("grants", i))
        at = where.at
        privileges = tuple(p.lower() for p in g.privileges)
        roles_ok = True
        for j, role in enumerate(g.to):
            if role not in registry.roles:
                report.error(
                    at("to", j), errors.UNKNOWN_ROLE, f'unknown role "{role}" (declare it under external.roles)'
                )
                roles_ok = False
        targets: list[tuple[str, str, set[str], Where]] = []
        for j, t in enumerate(g.tables):
            n = names.split(t)
            if n not in registry.tables and n not in registry.external_tables and n not in partitions:
                report.error(at("tables", j), errors.UNKNOWN_TABLE, f'grant on unknown table "{t}"')
            else:
                targets.append(("table", n.q, TABLE_PRIVILEGES, at("privileges")))
                report.origin(("grant", "table", n.q), at("tables", j), g.lint, where)
        for j, fn in enumerate(g.functions):
            _name, found = find(fn, registry)  # a name, or a signature `name(types)` among overloads
            if not found:
                report.error(at("functions", j), errors.UNKNOWN_FUNCTION, f'grant on unknown function "{fn}"')
                continue
            if len(found) > 1:
                ambiguous(report, at("functions", j), fn, found)
                continue
            if found[0] in registry.procedures:
                report.error(
                    at("functions", j),
                    errors.SQL_SHAPE,
                    f'"{fn}" is a procedure: grants on procedures are not supported yet (PostgreSQL grants EXECUTE '
                    "on it to PUBLIC)",
                )
                continue
            resolved = signature(found[0], registry)
            if resolved is not None:
                targets.append(("function", resolved, FUNCTION_PRIVILEGES, at("privileges")))
                report.origin(("grant", "function", resolved), at("functions", j), g.lint, where)
        for j, s in enumerate(g.sequences):
            n = names.split(s)
            if n not in sequences:
                report.error(
                    at("sequences", j),
                    errors.UNKNOWN_TABLE,
                    f'grant on unknown sequence "{s}" (sequences come from identity columns)',
                )
            else:
                targets.append(("sequence", n.q, SEQUENCE_PRIVILEGES, at("privileges")))
                report.origin(("grant", "sequence", n.q), at("sequences", j), g.lint, where)
        if g.all_sequences_in_schema is not None:
            schema = g.all_sequences_in_schema
            if schema not in registry.schemas:
                report.error(at("all_sequences_in_schema"), errors.UNKNOWN_SCHEMA, f'unknown schema "{schema}"')
            else:
                target = quoting.ident(schema)
                targets.append(("all_sequences", target, SEQUENCE_PRIVILEGES, at("privileges")))
                report.origin(("grant", "all_sequences", target), at("all_sequences_in_schema"), g.lint, where)
        for j, schema in enumerate(g.schemas):
            if schema not in registry.schemas or schema == "pg_catalog":
                report.error(
                    at("schemas", j),
                    errors.UNKNOWN_SCHEMA,
                    f'grant on unknown schema "{schema}" (declare it under schemas: or external.schemas)',
                )
            else:
                target = quoting.ident(schema)
                targets.append(("schema", target, SCHEMA_PRIVILEGES, at("privileges")))
                report.origin(("grant", "schema", target), at("schemas", j), g.lint, where)
        for kind, target, allowed, pw in targets:
            bad = [p for p in privileges if p not in allowed]
            if bad:
                report.error(
                    pw,
                    errors.SPEC_INVALID,
                    f"privilege {', '.join(bad).upper()} does not apply to a {kind.replace('all_', '').rstrip('s')}",
                )
                continue
            if roles_ok:
                result.append(ir.Grant(privileges, kind, target, tuple(g.to), g.with_grant_option, f.module))
    return result
