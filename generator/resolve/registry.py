"""The first pass: every name the spec defines or declares external, as data the later passes read.

References may point forwards and across files (a foreign key to a table of a
later file), so the names come first. `collect` reads every file once and
returns a `Registry`; the passes after it never change it. What it can
check without the other objects it checks here: identifiers, schemas, enum
values, the migration declared once, a policy template's placeholders.

PostgreSQL keeps relations (tables, indexes, sequences, partitions) in one
namespace per schema, and types (enums, and every table's row type) in
another: a name is claimed by the first object that takes it, and a later one
is reported (`check_namespaces`, once the tables have claimed theirs).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .. import errors, ir
from ..ir import Name, names
from ..pg import sqlparse
from ..spec import model
from ..spec.loader import LoadedFile
from . import schemas as own_schemas
from .report import Report, Where, ident, qualified
from .types import canonical_arg, column_type

BUILTIN_SCHEMAS = frozenset({"public", "pg_catalog"})
# What each part of a policy template may name: anything else in braces is a typo (`{tabel}`),
# which would otherwise reach PostgreSQL as SQL.
PLACEHOLDERS = {
    "name": ("{prefix}", "{command}", "{table}"),
    "using": ("{table}", "{prefix}"),
    "check": ("{table}", "{prefix}"),
}
_BRACED = re.compile(r"'(?:[^']|'')*'|(\{[^{}'\s]*\})")  # a placeholder, outside SQL string literals
Spec = TypeVar("Spec")


@dataclass(frozen=True)
class Entry(Generic[Spec]):
    """A spec object, where it is written, and its module."""

    spec: Spec
    where: Where
    module: str


@dataclass(frozen=True)
class Claim:
    """An object taking a name in one of PostgreSQL's namespaces ("relation" or "type")."""

    namespace: str
    name: Name
    where: Where
    what: str  # "table", "index", ... for the message


@dataclass(frozen=True)
class Registry:
    migration: model.Migration | None
    roles: frozenset[str]
    schemas: frozenset[str]
    enums: Mapping[Name, ir.Enum]
    tables: Mapping[Name, Entry[model.Table]]
    external_tables: Mapping[Name, ir.ExternalTable]
    functions: Mapping[ir.FunctionKey, Entry[model.Function]]  # by name and input types: overloads apart
    external_functions: Mapping[Name, ir.ExternalFunction]
    templates: Mapping[str, tuple[model.PolicyTemplate, Where]]
    bad_templates: frozenset[str]  # templates with an unknown placeholder: reported once, where they are written
    claims: tuple[Claim, ...]  # names taken so far, in the order they were written
    spec_function_names: frozenset[str]  # unqualified names of the spec's functions
    namespaces: Mapping[str, ir.Namespace] = field(default_factory=dict)  # the schemas the spec creates
    procedures: frozenset[ir.FunctionKey] = frozenset()  # which of `functions` are procedures (funcs5)
    aggregates: Mapping[ir.FunctionKey, Entry[model.Aggregate]] = dataclasses.field(default_factory=dict)  # aggs6
    # the external tables as the spec writes them (their policies are resolved with the spec tables')
    external_entries: Mapping[Name, Entry[model.ExternalTable]] = dataclasses.field(default_factory=dict)

    def table_columns(self, name: Name) -> tuple[str, ...] | None:
        """The columns of a spec or external table in their order (an external one: those it declares); None for
        any other relation."""
        entry = self.tables.get(name)
        if entry is not None:
            return tuple(entry.spec.columns)
        external = self.external_tables.get(name)
        return None if external is None else tuple(c.name for c in external.columns)

    def overloads(self, name: Name) -> list[ir.FunctionKey]:
        """The spec functions named `name`, one per overload, in the order written."""
        return list(self._by_name.get(name, ()))

    @functools.cached_property
    def _by_name(self) -> dict[Name, list[ir.FunctionKey]]:
        result: dict[Name, list[ir.FunctionKey]] = {}
        for key in self.functions:
            result.setdefault(key[0], []).append(key)
        return result


def collect(files: list[LoadedFile], report: Report) -> Registry:
    """Register every name of every file (reporting what is wrong with it)."""
    roles = {"public"}
    schemas = set(BUILTIN_SCHEMAS)
    enums: dict[Name, ir.Enum] = {}
    tables: dict[Name, Entry[model.Table]] = {}
    external_tables: dict[Name, ir.ExternalTable] = {}
    external_entries: dict[Name, Entry[model.ExternalTable]] = {}
    functions: dict[ir.FunctionKey, Entry[model.Function]] = {}
    procedures: set[ir.FunctionKey] = set()
    aggregates: dict[ir.FunctionKey, Entry[model.Aggregate]] = {}  # aggs6
    external_functions: dict[Name, ir.ExternalFunction] = {}
    templates: dict[str, tuple[model.PolicyTemplate, Where]] = {}
    bad_templates: set[str] = set()
    claims: list[Claim] = []
    migration: model.Migration | None = None
    migration_at: Where | None = None
    modules: dict[str, Where] = {}
    namespaces = own_schemas.collect(files, report)
    schemas |= namespaces.keys()

    def check_schema(name: Name, where: Where) -> None:
        if name.schema not in schemas:
            report.error(
                where,
                errors.UNKNOWN_SCHEMA,
                f'unknown schema "{name.schema}" (declare it under schemas: or external.schemas)',
                key=True,
            )

    for f in files:
        s = f.spec
        at = Where(f.pos, ()).at
        if f.module in modules:
            report.error(at("module"), errors.DUPLICATE_NAME, f'module "{f.module}" is defined twice')
        modules[f.module] = at("module")
        report.origin(("module", f.module), at("module"))
        if f.module == "index":
            report.error(
                at("module"),
                errors.SPEC_INVALID,
                'module name "index" is taken: docs/index.md is the page that lists the modules',
            )
        if s.migration is not None:
            if migration is not None and migration_at is not None:
                report.error(
                    at("migration"),
                    errors.MIGRATION,
                    f"the first migration is already declared in {migration_at.pos.file}",
                    key=True,
                )
            migration, migration_at = s.migration, at("migration")
        ext = s.external
        for i, role in enumerate(ext.roles):
            if ident(report, role, at("external", "roles", i), "role"):
                roles.add(role)
        for i, schema in enumerate(ext.schemas):
            if ident(report, schema, at("external", "schemas", i), "schema"):
                schemas.add(schema)
        for key, et in ext.tables.items():
            where = at("external", "tables", key)
            name = qualified(report, key, where, "table")
            check_schema(name, where)
            claims.append(Claim("relation", name, where, "table"))
            # the module of one that carries the spec's objects (its docs page shows them); of the others none, so
            # that a state written before format 3 still describes a spec that attaches nothing
            module = f.module if et.policies or et.rows or et.indexes else ""
            external_tables[name] = dataclasses.replace(_external_table(name, et, enums, report, where), module=module)
            external_entries.setdefault(name, Entry(et, where, f.module))
            for ix_key in et.indexes:  # the spec's indexes on it take their names among the schema's relations
                claims.append(Claim("relation", Name(name.schema, ix_key), where.at("indexes", ix_key), "index"))
            report.origin(("external_table", name), where)
        for key, ef in ext.functions.items():
            where = at("external", "functions", key)
            name = qualified(report, key, where, "function")
            check_schema(name, where)
            external_functions[name] = ir.ExternalFunction(name, ef.args, ef.returns, ef.stand_in)
        for key, enum in s.enums.items():
            where = at("enums", key)
            name = qualified(report, key, where, "enum type")
            check_schema(name, where)
            claims.append(Claim("type", name, where, "enum type"))
            _check_enum_values(name, enum, report, where)
            enums.setdefault(name, ir.Enum(name, f.module, tuple(enum.values), enum.comment))
            report.origin(("enum", name), where)
        for key, tpl in s.policy_templates.items():
            where = at("policy_templates", key)
            if key in templates:
                report.error(where, errors.DUPLICATE_NAME, f'policy template "{key}" is defined twice', key=True)
            templates[key] = (tpl, where)
            if not _known_placeholders(key, tpl, report, where):
                bad_templates.add(key)
        for key, table in s.tables.items():
            where = at("tables", key)
            name = qualified(report, key, where, "table")
            check_schema(name, where)
            claims.append(Claim("relation", name, where, "table"))
            claims.append(Claim("type", name, where, "table"))
            tables.setdefault(name, Entry(table, where, f.module))
            report.origin(("table", name), where, table.lint)
        for key, fn in s.functions.items():
            where = at("functions", key)
            fkey, fn = _function_key(key, fn, report, where)
            name = fkey[0]
            check_schema(name, where)
            if fkey in functions or name in external_functions:
                label = name.display + (f"({', '.join(fkey[1])})" if "(" in key else "")
                report.error(where, errors.DUPLICATE_NAME, f'function "{label}" is defined twice', key=True)
            functions.setdefault(fkey, Entry(fn, where, f.module))
            report.origin(("function", fkey), where, fn.lint)
            report.origin(
                ("function_body", fkey), at("functions", key, "body"), fn.lint, where, raw=fn.body, stripped=False
            )
        for key, proc in s.procedures.items():  # a procedure, as the function it is to the resolver (funcs5)
            where = at("procedures", key)
            as_function = model.Function.model_validate({**proc.model_dump(), "returns": "void"})
            fkey, fn = _function_key(key, as_function, report, where)
            check_schema(fkey[0], where)
            if fkey in functions:
                label = fkey[0].display + f"({', '.join(fkey[1])})"
                report.error(
                    where, errors.DUPLICATE_NAME, f'function or procedure "{label}" is defined twice', key=True
                )
            functions.setdefault(fkey, Entry(fn, where, f.module))
            procedures.add(fkey)
            report.origin(("function", fkey), where, proc.lint)
            report.origin(("function_body", fkey), at("procedures", key, "body"), proc.lint, where, raw=proc.body)
        for key, agg in s.aggregates.items():  # aggs6: keyed like an overload, apart from the functions
            where = at("aggregates", key)
            akey = _aggregate_key(key, report, where)
            if akey is None:
                continue
            check_schema(akey[0], where)
            if akey in functions or akey in aggregates:
                label = akey[0].display + f"({', '.join(akey[1])})"
                report.error(
                    where, errors.DUPLICATE_NAME, f'function or aggregate "{label}" is defined twice', key=True
                )
            aggregates.setdefault(akey, Entry(agg, where, f.module))
            report.origin(("aggregate", akey), where, agg.lint)
    for section in ("tables", "enums"):
        holder = next((f for f in files if getattr(f.spec, section)), files[0])
        report.origin(("section", section), Where(holder.pos, (section,)))
    if migration is None:
        report.error(
            Where(files[0].pos, ()), errors.MIGRATION, "no spec file declares `migration: {version: N, name: ...}`"
        )
    return Registry(
        migration,
        frozenset(roles),
        frozenset(schemas),
        enums,
        tables,
        external_tables,
        functions,
        external_functions,
        templates,
        frozenset(bad_templates),
        tuple(claims),
        frozenset(n.name for n, _types in functions),
        namespaces=namespaces,
        external_entries=external_entries,
        procedures=frozenset(procedures),
        aggregates=aggregates,
    )


def _external_table(
    name: Name, et: model.ExternalTable, enums: Mapping[Name, ir.Enum], report: Report, where: Where
) -> ir.ExternalTable:
    columns = []
    for col_name, col in et.columns.items():
        resolved = column_type(col.type, enums, report, where.at("columns", col_name, "type"))
        if resolved is not None:
            columns.append(
                ir.Column(
                    col_name, resolved.sql, resolved.base, resolved.enum, not_null=col.not_null or col.primary_key
                )
            )
    fks = []
    for col_name, col in et.columns.items():
        if col.references:
            ref = names.reference(col.references)
            if ref is not None:
                fks.append(
                    ir.Constraint(
                        names.make_object_name(name.name, col_name, "fkey"),
                        "foreign_key",
                        (col_name,),
                        ref_table=ref.table,
                        ref_columns=ref.columns,
                    )
                )
    return ir.ExternalTable(
        name,
        tuple(columns),
        primary_key=tuple(c for c, col in et.columns.items() if col.primary_key),
        unique=tuple((c,) for c, col in et.columns.items() if col.unique),
        foreign_keys=tuple(fks),
        row_level_security=et.row_level_security,
    )


def _aggregate_key(key: str, report: Report, where: Where) -> ir.FunctionKey | None:
    """An aggregate's key, `name(types)`: its name and input types (an aggregate always names them)."""
    head, paren, rest = key.partition("(")
    written = rest.rstrip()[:-1] if paren and rest.rstrip().endswith(")") else None
    types = None if written is None else sqlparse.argument_types(written)
    if types is None or not types:
        report.error(
            where, errors.FUNCTION_SIGNATURE, f'"{key}" is not an aggregate signature, e.g. product(numeric)', key=True
        )
        return None
    return qualified(report, head.strip(), where, "aggregate"), tuple(canonical_arg(t) for t in types)


def _function_key(key: str, fn: model.Function, report: Report, where: Where) -> tuple[ir.FunctionKey, model.Function]:
    """A function's key, `name` or `name(types)` (an overload), as its name and input types; and the function, its
    `args` the key's types when it writes none (`"area(circle)": {returns: ...}` takes one unnamed circle)."""
    head, paren, rest = key.partition("(")
    name = qualified(report, head.strip() if paren else key, where, "function")
    declared = sqlparse.argument_types(fn.args)
    if not paren:
        return (name, tuple(canonical_arg(t) for t in declared or ())), fn
    written = rest.rstrip()[:-1] if rest.rstrip().endswith(")") else None
    types = None if written is None else sqlparse.argument_types(written)
    if written is None or types is None:
        report.error(
            where, errors.FUNCTION_SIGNATURE, f'"{key}" is not a function signature, e.g. area(circle)', key=True
        )
        return (name, ()), fn
    canonical = tuple(canonical_arg(t) for t in types)
    if not fn.args.strip():
        return (name, canonical), fn.model_copy(update={"args": written.strip()})
    if declared is not None and tuple(canonical_arg(t) for t in declared) != canonical:
        report.error(
            where,
            errors.FUNCTION_SIGNATURE,
            f'"{key}" names the argument types ({", ".join(canonical)}), but its args take '
            f"({', '.join(canonical_arg(t) for t in declared)})",
            key=True,
        )
    return (name, canonical), fn


def _check_enum_values(name: Name, enum: model.Enum, report: Report, where: Where) -> None:
    seen: set[str] = set()
    for i, value in enumerate(enum.values):
        vw = where.at("values", i)
        if value in seen:
            report.error(vw, errors.DUPLICATE_NAME, f'enum value "{value}" appears twice in {name.display}')
        seen.add(value)
        if len(value.encode()) > names.MAX_IDENT_BYTES:
            report.error(
                vw,
                errors.NAME_TOO_LONG,
                f"enum value is {len(value.encode())} bytes long; PostgreSQL allows {names.MAX_IDENT_BYTES}",
            )
        if not value:
            report.error(vw, errors.SPEC_INVALID, "enum values cannot be empty")


def _known_placeholders(key: str, tpl: model.PolicyTemplate, report: Report, where: Where) -> bool:
    """Whether every placeholder of a template is one it can fill (each other one is reported)."""
    ok = True
    for part, known in PLACEHOLDERS.items():
        text = getattr(tpl, part)
        for match in _BRACED.finditer(text or ""):
            if match.group(1) and match.group(1) not in known:
                report.error_in_fragment(
                    where.at(part),
                    match.start(1),
                    errors.SPEC_INVALID,
                    f"unknown placeholder {match.group(1)} in policy template {key}.{part}; known: {', '.join(known)}",
                )
                ok = False
    return ok


def check_namespaces(claims: Iterable[Claim], report: Report) -> None:
    """Report each name taken twice in one namespace, at the second object, naming where the first is."""
    first: dict[tuple[str, Name], Where] = {}
    for c in claims:
        taken = first.get((c.namespace, c.name))
        if taken is None:
            first[(c.namespace, c.name)] = c.where
        else:
            line = taken.pos.at(taken.path, key=True)[0]
            report.error(
                c.where,
                errors.DUPLICATE_NAME,
                f'{c.what} "{c.name.display}" collides with another object of that name ({taken.pos.file}:{line})',
                key=True,
            )
