"""Grants and revokes: privileges on tables (or some of their columns), partitions, functions, sequences and schemas,
to and from known roles."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from .. import errors, ir
from ..ir import Name, names
from ..pg import quoting
from ..spec import model as spec_model
from ..spec.loader import LoadedFile
from .registry import Registry
from .report import Report, Where
from .routines import ambiguous, find, signature

TABLE_PRIVILEGES = {"select", "insert", "update", "delete", "truncate", "references", "trigger", "all"}
FUNCTION_PRIVILEGES = {"execute", "all"}
SEQUENCE_PRIVILEGES = {"usage", "select", "update", "all"}
SCHEMA_PRIVILEGES = {"usage", "create", "all"}
COLUMN_PRIVILEGES = {"select", "insert", "update", "references", "all"}  # what GRANT (col, ...) ON TABLE takes


def grants(
    f: LoadedFile,
    registry: Registry,
    sequences: Collection[Name],
    partitions: Collection[Name],
    report: Report,
    columns: Mapping[Name, Collection[str]] | None = None,
) -> list[ir.Grant]:
    """The grants of one file (`sequences`: of the identity columns; `partitions`: every partition written;
    `columns`: the columns of each relation, for column-level grants)."""
    return _privileges(f, registry, sequences, partitions, report, columns or {}, revokes=False)


def revokes(
    f: LoadedFile, registry: Registry, sequences: Collection[Name], partitions: Collection[Name], report: Report
) -> list[ir.Grant]:
    """The revokes of one file, as grants whose roles are the roles they are revoked from."""
    return _privileges(f, registry, sequences, partitions, report, {}, revokes=True)


def _privileges(
    f: LoadedFile,
    registry: Registry,
    sequences: Collection[Name],
    partitions: Collection[Name],
    report: Report,
    relation_columns: Mapping[Name, Collection[str]],
    *,
    revokes: bool,
) -> list[ir.Grant]:
    result: list[ir.Grant] = []
    entries: list[tuple[int, spec_model.Grant | spec_model.Revoke]] = list(
        enumerate(f.spec.revokes if revokes else f.spec.grants)
    )
    section, roles_key, verb = ("revokes", "from", "revoke") if revokes else ("grants", "to", "grant")
    for i, g in entries:
        where = Where(f.pos, (section, i))
        at = where.at
        privileges = tuple(p.lower() for p in g.privileges)
        roles_ok = True
        to = g.from_ if isinstance(g, spec_model.Revoke) else g.to
        for j, role in enumerate(to):
            if role not in registry.roles:
                report.error(
                    at(roles_key, j), errors.UNKNOWN_ROLE, f'unknown role "{role}" (declare it under external.roles)'
                )
                roles_ok = False
        columns = tuple(g.columns) if isinstance(g, spec_model.Grant) else ()
        targets: list[tuple[str, str, set[str], Where]] = []
        for j, t in enumerate(g.tables):
            n = names.split(t)
            if n not in registry.tables and n not in registry.external_tables and n not in partitions:
                report.error(at("tables", j), errors.UNKNOWN_TABLE, f'{verb} on unknown table "{t}"')
            else:
                for k, c in enumerate(columns):
                    if n in relation_columns and c not in relation_columns[n]:
                        report.error(at("columns", k), errors.UNKNOWN_COLUMN, f'unknown column "{c}" in table {t}')
                targets.append(("table", n.q, COLUMN_PRIVILEGES if columns else TABLE_PRIVILEGES, at("privileges")))
                report.origin((verb, "table", n.q), at("tables", j), g.lint, where)
        for j, fn in enumerate(g.functions):
            _name, found = find(fn, registry)  # a name, or a signature `name(types)` among overloads
            if not found:
                report.error(at("functions", j), errors.UNKNOWN_FUNCTION, f'{verb} on unknown function "{fn}"')
                continue
            if len(found) > 1:
                ambiguous(report, at("functions", j), fn, found)
                continue
            resolved = signature(found[0], registry)
            if resolved is not None:
                kind = "procedure" if found[0] in registry.procedures else "function"  # ON PROCEDURE (aggs6)
                targets.append((kind, resolved, FUNCTION_PRIVILEGES, at("privileges")))
                report.origin((verb, kind, resolved), at("functions", j), g.lint, where)
        for j, s in enumerate(g.sequences):
            n = names.split(s)
            if n not in sequences:
                report.error(
                    at("sequences", j),
                    errors.UNKNOWN_TABLE,
                    f'{verb} on unknown sequence "{s}" (sequences come from identity columns)',
                )
            else:
                targets.append(("sequence", n.q, SEQUENCE_PRIVILEGES, at("privileges")))
                report.origin((verb, "sequence", n.q), at("sequences", j), g.lint, where)
        if isinstance(g, spec_model.Grant) and g.all_sequences_in_schema is not None:
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
                    f'{verb} on unknown schema "{schema}" (declare it under schemas: or external.schemas)',
                )
            else:
                target = quoting.ident(schema)
                targets.append(("schema", target, SCHEMA_PRIVILEGES, at("privileges")))
                report.origin((verb, "schema", target), at("schemas", j), g.lint, where)
        for kind, target, allowed, pw in targets:
            bad = [p for p in privileges if p not in allowed]
            if bad:
                report.error(
                    pw,
                    errors.SPEC_INVALID,
                    f"privilege {', '.join(bad).upper()} does not apply to a "
                    f"{'column' if columns else kind.replace('all_', '').rstrip('s')}",
                )
                continue
            if columns and kind != "table":
                report.error(at("columns"), errors.SPEC_INVALID, "columns: name columns of tables only")
                continue
            if roles_ok:
                option = isinstance(g, spec_model.Grant) and g.with_grant_option
                result.append(ir.Grant(privileges, kind, target, tuple(to), option, f.module, columns))
    return result


def relation_columns(
    tables: Mapping[Name, ir.Table], registry: Registry, views: Collection[ir.View]
) -> dict[Name, frozenset[str]]:
    """The columns of every relation a grant may name: tables (and their partitions), external tables, views."""
    result = {n: frozenset(c.name for c in t.columns) for n, t in tables.items()}
    result |= {p.name: result[n] for n, t in tables.items() for p in t.partitions}
    result |= {n: frozenset(c.name for c in e.columns) for n, e in registry.external_tables.items()}
    result |= {v.name: frozenset(c.name for c in v.columns) for v in views}
    return result


DEFAULT_PRIVILEGES = {
    "tables": TABLE_PRIVILEGES | {"maintain"},
    "sequences": SEQUENCE_PRIVILEGES,
    "functions": FUNCTION_PRIVILEGES,
    "types": {"usage", "all"},
    "schemas": SCHEMA_PRIVILEGES,
}


def default_privileges(f: LoadedFile, registry: Registry, report: Report) -> list[ir.DefaultPrivilege]:
    """The `default_privileges:` of one file (ALTER DEFAULT PRIVILEGES)."""
    result: list[ir.DefaultPrivilege] = []
    for i, d in enumerate(f.spec.default_privileges):
        where = Where(f.pos, ("default_privileges", i))
        at = where.at
        ok = True
        revoke = bool(d.from_)
        key = "from" if revoke else "to"
        for j, role in enumerate(d.from_ or d.to):
            if role not in registry.roles:
                report.error(
                    at(key, j), errors.UNKNOWN_ROLE, f'unknown role "{role}" (declare it under external.roles)'
                )
                ok = False
        if d.in_schema is not None:
            if d.on == "schemas":
                report.error(at("in_schema"), errors.SPEC_INVALID, "default privileges on schemas take no in_schema")
                ok = False
            elif d.in_schema not in registry.schemas or d.in_schema == "pg_catalog":
                report.error(at("in_schema"), errors.UNKNOWN_SCHEMA, f'unknown schema "{d.in_schema}"')
                ok = False
        privileges = tuple(p.lower() for p in d.privileges)
        bad = [p for p in privileges if p not in DEFAULT_PRIVILEGES[d.on]]
        if bad:
            report.error(
                at("privileges"), errors.SPEC_INVALID, f"privilege {', '.join(bad).upper()} does not apply to {d.on}"
            )
            ok = False
        if ok:
            report.origin(("default_privileges", f.module, i), where)
            result.append(
                ir.DefaultPrivilege(d.for_role, d.in_schema, d.on, privileges, tuple(d.from_ or d.to), revoke, f.module)
            )
    return result
