"""Spec models -> IR: resolve every reference, parse every SQL fragment, check every name.

All problems are collected as diagnostics pointing at the YAML that caused
them; the IR is returned only when there are none.
"""

from __future__ import annotations

from .. import errors, ir
from ..ir import names
from ..spec import loader, model
from ..spec.config import Settings
from ..spec.loader import LoadedFile
from ..spec.origins import Origins
from .base import BUILTIN_SCHEMAS, Where
from .intent import resolve_intent
from .routines import RoutineResolver
from .tables import TableResolver
from .tenancy import resolve_tenancy

__all__ = ["Resolver", "Where", "load", "load_located", "load_schema", "resolve", "resolve_with_origins"]


class Resolver(TableResolver, RoutineResolver):
    """All passes over the spec, in order; each kind of object is resolved by its mixin."""

    # -- driver ----------------------------------------------------------
    def run(self) -> ir.Schema:
        self.bad_templates = set()
        migration = self.collect()
        tables = [self.table(name, *entry) for name, entry in self.known.tables.items()]
        self.resolved_tables = {t.name: t for t in tables if t is not None}
        for table in self.resolved_tables.values():
            self.check_foreign_keys(table)
        functions = [self.function(name, *entry) for name, entry in self.known.functions.items()]
        triggers = [t for f in self.files for t in self.triggers(f)]
        grants = [g for f in self.files for g in self.grants(f)]
        self.mark_trigger_columns(triggers)
        intent = resolve_intent(self)
        tenancy = resolve_tenancy(self)
        if self.diags:
            raise errors.SpecError(self.diags)
        assert migration is not None
        modules = tuple(ir.Module(f.module, f.source, f.spec.description) for f in self.files)
        return ir.Schema(
            version=migration.version,
            name=migration.name,
            modules=modules,
            enums=tuple(self.known.enums.values()),
            tables=tuple(self.resolved_tables.values()),
            functions=tuple(f for f in functions if f is not None),
            triggers=tuple(triggers),
            grants=tuple(grants),
            external=ir.External(
                roles=tuple(sorted(self.known.roles - {"public"})),
                schemas=tuple(sorted(self.known.schemas - BUILTIN_SCHEMAS)),
                tables=tuple(self.known.external_tables.values()),
                functions=tuple(self.known.external_functions.values()),
            ),
            intent=intent,
            tenancy=tenancy,
        )

    def collect(self) -> model.Migration | None:
        """First pass: register every name, so references can point forwards and across files."""
        migration: model.Migration | None = None
        migration_at: Where | None = None
        modules: dict[str, Where] = {}
        for f in self.files:
            s, pos = f.spec, f.pos
            at = Where(pos, ()).at
            if f.module in modules:
                self.error(at("module"), errors.DUPLICATE_NAME, f'module "{f.module}" is defined twice')
            modules[f.module] = at("module")
            if f.module == "index":
                self.error(
                    at("module"),
                    errors.SPEC_INVALID,
                    'module name "index" is taken: docs/index.md is the page that lists the modules',
                )
            if s.migration is not None:
                if migration is not None and migration_at is not None:
                    self.error(
                        at("migration"),
                        errors.MIGRATION,
                        f"the first migration is already declared in {migration_at.pos.file}",
                        key=True,
                    )
                migration, migration_at = s.migration, at("migration")
            ext = s.external
            for i, role in enumerate(ext.roles):
                if self.ident(role, at("external", "roles", i), "role"):
                    self.known.roles.add(role)
            for i, schema in enumerate(ext.schemas):
                if self.ident(schema, at("external", "schemas", i), "schema"):
                    self.known.schemas.add(schema)
            for key, et in ext.tables.items():
                self.external_table(key, et, at("external", "tables", key))
            for key, ef in ext.functions.items():
                name = self.qualified(key, at("external", "functions", key), "function")
                self.check_schema(name, at("external", "functions", key))
                self.known.external_functions[name] = ir.ExternalFunction(name, ef.args, ef.returns, ef.stand_in)
            for key, enum in s.enums.items():
                self.enum(key, enum, f.module, at("enums", key))
            for key, tpl in s.policy_templates.items():
                where = at("policy_templates", key)
                if key in self.known.templates:
                    self.error(where, errors.DUPLICATE_NAME, f'policy template "{key}" is defined twice', key=True)
                self.known.templates[key] = (tpl, where)
                self.template_placeholders(key, tpl, where)
            for key, table in s.tables.items():
                where = at("tables", key)
                name = self.qualified(key, where, "table")
                self.check_schema(name, where)
                self.claim(self.relations, name, where, "table")
                self.claim(self.types, name, where, "table")
                self.known.tables.setdefault(name, (table, where, f.module))
                self.origin(("table", name), where, table.lint)
            for key, fn in s.functions.items():
                where = at("functions", key)
                name = self.qualified(key, where, "function")
                self.check_schema(name, where)
                if name in self.known.functions or name in self.known.external_functions:
                    self.error(where, errors.DUPLICATE_NAME, f'function "{name.display}" is defined twice', key=True)
                self.known.functions.setdefault(name, (fn, where, f.module))
                self.origin(("function", name), where, fn.lint)
                self.origin(
                    ("function_body", name), at("functions", key, "body"), fn.lint, where, raw=fn.body, stripped=False
                )
        if migration is None:
            file = self.files[0].pos
            self.diags.append(
                file.diag((), errors.MIGRATION, "no spec file declares `migration: {version: N, name: ...}`")
            )
        return migration

    def external_table(self, key: str, et: model.ExternalTable, where: Where) -> None:
        name = self.qualified(key, where, "table")
        self.check_schema(name, where)
        self.claim(self.relations, name, where, "table")
        columns = []
        for col_name, col in et.columns.items():
            resolved = self.column_type(col.type, Where(where.pos, where.path + ("columns", col_name, "type")))
            if resolved is not None:
                columns.append(
                    ir.Column(col_name, resolved[0], resolved[1], resolved[2], not_null=col.not_null or col.primary_key)
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
        self.known.external_tables[name] = ir.ExternalTable(
            name,
            tuple(columns),
            primary_key=tuple(c for c, col in et.columns.items() if col.primary_key),
            unique=tuple((c,) for c, col in et.columns.items() if col.unique),
            foreign_keys=tuple(fks),
        )

    def enum(self, key: str, enum: model.Enum, module: str, where: Where) -> None:
        name = self.qualified(key, where, "enum type")
        self.check_schema(name, where)
        self.claim(self.types, name, where, "enum type")
        seen: set[str] = set()
        for i, value in enumerate(enum.values):
            vw = Where(where.pos, where.path + ("values", i))
            if value in seen:
                self.error(vw, errors.DUPLICATE_NAME, f'enum value "{value}" appears twice in {name.display}')
            seen.add(value)
            if len(value.encode()) > names.MAX_IDENT_BYTES:
                self.error(
                    vw,
                    errors.NAME_TOO_LONG,
                    f"enum value is {len(value.encode())} bytes long; PostgreSQL allows {names.MAX_IDENT_BYTES}",
                )
            if not value:
                self.error(vw, errors.SPEC_INVALID, "enum values cannot be empty")
        self.known.enums.setdefault(name, ir.Enum(name, module, tuple(enum.values), enum.comment))


def resolve(files: list[LoadedFile]) -> ir.Schema:
    return Resolver(files).run()


def resolve_with_origins(files: list[LoadedFile]) -> tuple[ir.Schema, Origins]:
    """The IR, and where each of its objects was written in the spec (for lint)."""
    resolver = Resolver(files)
    return resolver.run(), resolver.origins


def load(settings: Settings) -> tuple[ir.Schema, list[LoadedFile], Origins]:
    """The spec directory read and resolved: the IR, the files, and where each object is written."""
    files = loader.load_dir(settings.spec_dir, settings.root)
    schema, origins = resolve_with_origins(files)
    return schema, files, origins


def load_schema(settings: Settings) -> tuple[ir.Schema, list[str]]:
    """The IR and the spec files' names."""
    schema, files, _origins = load(settings)
    return schema, [f.source for f in files]


def load_located(settings: Settings) -> tuple[ir.Schema, Origins, list[str]]:
    """The IR, where each of its objects is written in the spec, and the spec files' names."""
    schema, files, origins = load(settings)
    return schema, origins, [f.source for f in files]
