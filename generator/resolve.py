"""Spec models -> IR: resolve every reference, parse every SQL fragment, check every name.

All problems are collected as diagnostics pointing at the YAML that caused
them; the IR is returned only when there are none.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from . import errors, ir, names, pgtypes, quoting, spec, sqlparse
from .intent import resolve_intent
from .ir import Name
from .loader import LoadedFile
from .origins import Origins
from .positions import Path, Positions

TABLE_PRIVILEGES = {"select", "insert", "update", "delete", "truncate", "references", "trigger", "all"}
FUNCTION_PRIVILEGES = {"execute", "all"}
SEQUENCE_PRIVILEGES = {"usage", "select", "update", "all"}
BUILTIN_SCHEMAS = {"public", "pg_catalog"}


@dataclass(frozen=True)
class Where:
    pos: Positions
    path: Path


@dataclass
class _Known:
    """Everything that can be referred to, spec-defined or external."""

    roles: set[str] = field(default_factory=lambda: {"public"})
    schemas: set[str] = field(default_factory=lambda: set(BUILTIN_SCHEMAS))
    enums: dict[Name, ir.Enum] = field(default_factory=dict)
    tables: dict[Name, tuple[spec.Table, Where, str]] = field(default_factory=dict)
    external_tables: dict[Name, ir.ExternalTable] = field(default_factory=dict)
    functions: dict[Name, tuple[spec.Function, Where, str]] = field(default_factory=dict)
    external_functions: dict[Name, ir.ExternalFunction] = field(default_factory=dict)
    templates: dict[str, tuple[spec.PolicyTemplate, Where]] = field(default_factory=dict)


class Resolver:
    def __init__(self, files: list[LoadedFile]):
        self.files = files
        self.diags: list[errors.Diagnostic] = []
        self.known = _Known()
        self.relations: dict[Name, Where] = {}  # PostgreSQL's relation namespace
        self.types: dict[Name, Where] = {}
        self.sequences: set[Name] = set()
        self.resolved_tables: dict[Name, ir.Table] = {}
        self.partitions: set[Name] = set()
        self.origins = Origins()  # where each object came from, for lint; never part of the IR

    # -- reporting -------------------------------------------------------
    def error(self, where: Where, code: str, message: str, *, key: bool = False) -> None:
        self.diags.append(where.pos.diag(where.path, code, message, key=key))

    def sql_error(self, where: Where, exc: sqlparse.FragmentError) -> None:
        self.error_in_fragment(where, exc.offset, errors.SQL_SYNTAX, exc.message)

    def error_in_fragment(self, where: Where, offset: int | None, code: str, message: str) -> None:
        """An error at character `offset` of the SQL fragment at `where`."""
        line, col = where.pos.fragment(where.path, offset)
        self.diags.append(errors.Diagnostic(where.pos.file, line, col, code, message))

    def ident(self, name: str, where: Where, what: str) -> bool:
        why = names.problem(name)
        if why:
            code = errors.NAME_TOO_LONG if "bytes long" in why else errors.SPEC_BAD_IDENTIFIER
            self.error(where, code, f"{what} {why}", key=True)
            return False
        return True

    def qualified(self, text: str, where: Where, what: str) -> Name:
        name = names.split(text)
        if "." in text and not self.ident(name.schema, where, f"{what} schema"):
            return name
        self.ident(name.name, where, what)
        return name

    def claim(self, table: dict[Name, Where], name: Name, where: Where, what: str) -> None:
        if name in table:
            first = table[name]
            line = first.pos.at(first.path, key=True)[0]
            self.error(where, errors.DUPLICATE_NAME, f'{what} "{name.display}" collides with another object of that name ({first.pos.file}:{line})', key=True)
        else:
            table[name] = where

    def valid_expr(self, text: str, where: Where) -> bool:
        """Whether `text` is one SQL expression (reported if not), when its tree is not needed."""
        try:
            sqlparse.check_expression(text)
        except sqlparse.FragmentError as exc:
            self.sql_error(where, exc)
            return False
        return True

    def origin(self, key: tuple[Any, ...], where: Where, lint: Any = None, holder: Where | None = None, *, raw: str | None = None, subs: tuple[tuple[str, str], ...] = (), stripped: bool = True) -> None:
        self.origins.add(key, where.pos, where.path, lint, None if holder is None else holder.path, raw=raw, subs=subs, stripped=stripped)

    def expr(self, text: str, where: Where) -> Any | None:
        try:
            return sqlparse.expression(text)
        except sqlparse.FragmentError as exc:
            self.sql_error(where, exc)
            return None

    # -- driver ----------------------------------------------------------
    def run(self) -> ir.Schema:
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
        )

    def collect(self) -> spec.Migration | None:
        """First pass: register every name, so references can point forwards and across files."""
        migration: spec.Migration | None = None
        migration_at: Where | None = None
        modules: dict[str, Where] = {}
        for f in self.files:
            s, pos = f.spec, f.pos
            at = lambda *p: Where(pos, p)  # noqa: E731
            if f.module in modules:
                self.error(at("module"), errors.DUPLICATE_NAME, f'module "{f.module}" is defined twice')
            modules[f.module] = at("module")
            if f.module == "index":
                self.error(at("module"), errors.SPEC_INVALID, 'module name "index" is taken: docs/index.md is the page that lists the modules')
            if s.migration is not None:
                if migration is not None and migration_at is not None:
                    self.error(at("migration"), errors.MIGRATION, f"the first migration is already declared in {migration_at.pos.file}", key=True)
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
                self.origin(("function_body", name), at("functions", key, "body"), fn.lint, where, raw=fn.body, stripped=False)
        if migration is None:
            file = self.files[0].pos
            self.diags.append(file.diag((), errors.MIGRATION, "no spec file declares `migration: {version: N, name: ...}`"))
        return migration

    def check_schema(self, name: Name, where: Where) -> None:
        if name.schema not in self.known.schemas:
            self.error(where, errors.UNKNOWN_SCHEMA, f'unknown schema "{name.schema}" (declare it under external.schemas)', key=True)

    def external_table(self, key: str, et: spec.ExternalTable, where: Where) -> None:
        name = self.qualified(key, where, "table")
        self.check_schema(name, where)
        self.claim(self.relations, name, where, "table")
        columns = []
        for col_name, col in et.columns.items():
            resolved = self.column_type(col.type, Where(where.pos, where.path + ("columns", col_name, "type")))
            if resolved is not None:
                columns.append(ir.Column(col_name, resolved[0], resolved[1], resolved[2], not_null=col.not_null or col.primary_key))
        fks = []
        for col_name, col in et.columns.items():
            if col.references:
                ref = names.reference(col.references)
                if ref is not None:
                    fks.append(ir.Constraint(f"{name.name}_{col_name}_fkey", "foreign_key", (col_name,), ref_table=ref.table, ref_columns=ref.columns))
        self.known.external_tables[name] = ir.ExternalTable(
            name,
            tuple(columns),
            primary_key=tuple(c for c, col in et.columns.items() if col.primary_key),
            unique=tuple((c,) for c, col in et.columns.items() if col.unique),
            foreign_keys=tuple(fks),
        )

    def enum(self, key: str, enum: spec.Enum, module: str, where: Where) -> None:
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
                self.error(vw, errors.NAME_TOO_LONG, f"enum value is {len(value.encode())} bytes long; PostgreSQL allows {names.MAX_IDENT_BYTES}")
            if not value:
                self.error(vw, errors.SPEC_INVALID, "enum values cannot be empty")
        self.known.enums.setdefault(name, ir.Enum(name, module, tuple(enum.values), enum.comment))

    # -- types -----------------------------------------------------------
    def column_type(self, text: str, where: Where) -> tuple[str, str, Name | None, tuple[int, ...], int] | None:
        try:
            ref = sqlparse.type_name(text)
        except sqlparse.FragmentError as exc:
            self.sql_error(where, exc)
            return None
        suffix = "[]" * ref.array_dims
        if ref.schema in (None, "pg_catalog") and ref.name in pgtypes.BASE_TYPES:
            base = pgtypes.BASE_TYPES[ref.name]
            if len(ref.mods) > base.max_mods:
                self.error(where, errors.UNKNOWN_TYPE, f'type "{text}" takes at most {base.max_mods} modifier(s)')
                return None
            mods = f"({','.join(str(m) for m in ref.mods)})" if ref.mods else ""
            return base.sql + mods + suffix, ref.name, None, ref.mods, ref.array_dims
        name = Name(ref.schema or "public", ref.name)
        if name in self.known.enums and not ref.mods:
            return name.q + suffix, "enum", name, (), ref.array_dims
        self.error(where, errors.UNKNOWN_TYPE, f'unknown type "{text}" (not a supported built-in type or an enum of the spec)')
        return None

    # -- tables ----------------------------------------------------------
    def table(self, name: Name, t: spec.Table, where: Where, module: str) -> ir.Table | None:
        at = lambda *p: Where(where.pos, where.path + p)  # noqa: E731
        columns: list[ir.Column] = []
        constraints: list[ir.Constraint] = []
        constraint_at: dict[str, Where] = {}
        pk_columns = [c for c, col in t.columns.items() if col.primary_key]
        table_pk = [c for c in t.constraints if c.primary_key is not None]
        if len(pk_columns) > 1 or (pk_columns and table_pk) or len(table_pk) > 1:
            self.error(at("columns"), errors.DUPLICATE_NAME, f"table {name.display} declares more than one primary key; use one `primary_key: [a, b]` constraint for a composite key", key=True)

        # A bad table name is reported once, not again in every constraint name derived from it.
        derived_ok = names.problem(name.name) is None

        def add(c: ir.Constraint, w: Where, lint: Any, holder: Where, raw_check: str | None = None) -> None:
            if c.name in constraint_at:
                self.error(w, errors.DUPLICATE_NAME, f'constraint "{c.name}" is defined twice on table {name.display}')
                return
            if not derived_ok or self.ident(c.name, w, "constraint name"):
                constraint_at[c.name] = w
                constraints.append(c)
                self.origin(("constraint", name, c.name), w, lint, holder)
                if raw_check is not None:
                    self.origin(("constraint_check", name, c.name), Where(holder.pos, holder.path + ("check",)), lint, holder, raw=raw_check)
                if c.kind in ("primary_key", "unique"):
                    self.claim(self.relations, Name(name.schema, c.name), w, "index of constraint")

        for col_name, col in t.columns.items():
            cw = at("columns", col_name)
            self.ident(col_name, cw, "column name")
            self.origin(("column", name, col_name), cw, col.lint)
            typ = self.column_type(col.type, at("columns", col_name, "type"))
            default = None
            if col.default is not None and self.expr(col.default, at("columns", col_name, "default")) is not None:
                default = col.default.strip()
            if col.identity and default is not None:
                self.error(at("columns", col_name, "identity"), errors.SPEC_INVALID, "an identity column cannot also have a default")
            if typ is not None:
                columns.append(ir.Column(col_name, typ[0], typ[1], typ[2], typ[3], typ[4], col.not_null or col.primary_key, default, col.identity, col.comment, python_type=col.python_type))
            if col.identity:
                seq = Name(name.schema, f"{name.name}_{col_name}_seq")
                self.claim(self.relations, seq, cw, "identity sequence")
                self.sequences.add(seq)
            if col.primary_key:
                add(ir.Constraint(f"{name.name}_pkey", "primary_key", (col_name,)), at("columns", col_name, "primary_key"), col.lint, cw)
            if col.unique:
                add(ir.Constraint(names.derived_constraint_name(name.name, [col_name], "key"), "unique", (col_name,)), at("columns", col_name, "unique"), col.lint, cw)
            if col.check is not None and (node := self.expr(col.check, at("columns", col_name, "check"))) is not None:
                self.check_columns(sqlparse.expression_column_refs(col.check), set(t.columns), name, at("columns", col_name, "check"))
                add(ir.Constraint(f"{name.name}_{col_name}_check", "check", check=col.check.strip()), at("columns", col_name, "check"), col.lint, cw, col.check)
            if col.references is not None:
                fk = self.foreign_key(name, [col_name], col.references, col.on_delete, col.on_update, None, at("columns", col_name, "references"))
                if fk is not None:
                    add(fk, at("columns", col_name, "references"), col.lint, cw)
            elif col.on_delete or col.on_update:
                self.error(at("columns", col_name, "on_delete" if col.on_delete else "on_update"), errors.SPEC_INVALID, "on_delete/on_update need `references`", key=True)

        column_names = {c for c in t.columns}
        for i, c in enumerate(t.constraints):
            cw = at("constraints", i)
            if c.check is not None:
                node = self.expr(c.check, at("constraints", i, "check"))
                if node is None:
                    continue
                refs = self.check_columns(sqlparse.expression_column_refs(c.check), column_names, name, at("constraints", i, "check"))
                cname = c.name or self.unused_name(name.name, refs, constraint_at)
                add(ir.Constraint(cname, "check", check=c.check.strip(), comment=c.comment), at("constraints", i, "name") if c.name else cw, c.lint, cw, c.check)
                continue
            kind = "unique" if c.unique is not None else "primary_key" if c.primary_key is not None else "foreign_key"
            cols = list(c.unique or c.primary_key or c.foreign_key or [])
            ok = True
            for j, col_name in enumerate(cols):
                if col_name not in column_names:
                    self.error(at("constraints", i, kind, j), errors.UNKNOWN_COLUMN, f'unknown column "{col_name}" in table {name.display}')
                    ok = False
            if not cols or not ok:
                if not cols:
                    self.error(at("constraints", i, kind), errors.SPEC_INVALID, f"a {kind.replace('_', ' ')} constraint needs at least one column")
                continue
            label = {"unique": "key", "primary_key": "pkey", "foreign_key": "fkey"}[kind]
            cname = c.name or (f"{name.name}_pkey" if kind == "primary_key" else names.derived_constraint_name(name.name, cols, label))
            nw = at("constraints", i, "name") if c.name else cw
            if kind == "foreign_key":
                assert c.references is not None
                fk = self.foreign_key(name, cols, c.references, c.on_delete, c.on_update, cname, at("constraints", i, "references"))
                if fk is not None:
                    add(fk, nw, c.lint, cw)
            else:
                add(ir.Constraint(cname, kind, tuple(cols), comment=c.comment), nw, c.lint, cw)
        for con in constraints:  # a primary key's columns are NOT NULL
            if con.kind == "primary_key":
                columns = [ir.Column(**{**col.__dict__, "not_null": True}) if col.name in con.columns else col for col in columns]

        partition_by, partition_key, partitions = self.partitioning(name, t, columns, constraints, at)
        indexes = [ix for key, spec_ix in t.indexes.items() if (ix := self.index(name, key, spec_ix, column_names, partition_key, at("indexes", key))) is not None]
        policies = self.policies(name, t, at)
        if len(columns) != len(t.columns):
            return None
        return ir.Table(
            name=name,
            module=module,
            columns=tuple(columns),
            constraints=tuple(constraints),
            indexes=tuple(indexes),
            partition_by=partition_by,
            partition_key=partition_key,
            partitions=partitions,
            row_level_security=t.row_level_security,
            force_row_level_security=t.force_row_level_security,
            policies=policies,
            comment=t.comment,
        )

    @staticmethod
    def unused_name(table: str, refs: set[str], taken: dict[str, Where]) -> str:
        # PostgreSQL names an unnamed CHECK after its only column, else after the table.
        base = f"{table}_{next(iter(refs))}_check" if len(refs) == 1 else f"{table}_check"
        name, n = base, 0
        while name in taken:
            n += 1
            name = f"{base}{n}"
        return name

    def check_columns(self, refs: Iterable[tuple[tuple[str, ...], int | None]], columns: set[str], table: Name, where: Where) -> set[str]:
        """The columns of `table` among `refs` (names with their offsets in the fragment: sqlparse.column_refs_at); unknown ones are reported."""
        found: set[str] = set()
        for ref, offset in refs:
            col = ref[-1]
            if len(ref) > 1 and ref[-2] != table.name:
                continue  # qualified by another table or alias: not ours to check
            if col not in columns:
                self.error_in_fragment(where, offset, errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table.display}')
            else:
                found.add(col)
        return found

    def foreign_key(self, table: Name, cols: list[str], text: str, on_delete: str | None, on_update: str | None, cname: str | None, where: Where) -> ir.Constraint | None:
        ref = names.reference(text)
        if ref is None:
            self.error(where, errors.SPEC_INVALID, f'"{text}" is not a reference; write `table(column)` or `schema.table(column, ...)`')
            return None
        if ref.table not in self.known.tables and ref.table not in self.known.external_tables:
            self.error(where, errors.UNKNOWN_TABLE, f'foreign key references unknown table "{ref.table.display}" (declare it under tables or external.tables)')
            return None
        if len(ref.columns) != len(cols):
            self.error(where, errors.BAD_REFERENCE, f"foreign key has {len(cols)} column(s) but references {len(ref.columns)}")
            return None
        name = cname or names.derived_constraint_name(table.name, cols, "fkey")
        return ir.Constraint(name, "foreign_key", tuple(cols), ref_table=ref.table, ref_columns=ref.columns, on_delete=on_delete, on_update=on_update)

    def check_foreign_keys(self, table: ir.Table) -> None:
        """Second pass, once every table is resolved: target columns exist, are a key, and types match."""
        entry = self.known.tables[table.name]
        for i, fk in enumerate(table.foreign_keys):
            assert fk.ref_table is not None
            where = self._fk_where(entry[0], entry[1], fk)
            target = self.resolved_tables.get(fk.ref_table)
            if target is not None:
                target_cols = {c.name: c for c in target.columns}
                keys = {c.columns for c in target.constraints if c.kind in ("primary_key", "unique")}
            elif fk.ref_table in self.known.external_tables:
                ext = self.known.external_tables[fk.ref_table]
                target_cols = {c.name: c for c in ext.columns}
                keys = set(ext.unique) | ({ext.primary_key} if ext.primary_key else set())
            else:
                continue  # the target itself failed to resolve; already reported
            for col in fk.ref_columns:
                if col not in target_cols:
                    self.error(where, errors.UNKNOWN_COLUMN, f'foreign key references unknown column "{col}" of {fk.ref_table.display}')
                    break
            else:
                if tuple(fk.ref_columns) not in keys and set(fk.ref_columns) not in [set(k) for k in keys]:
                    self.error(where, errors.BAD_REFERENCE, f"foreign key target {fk.ref_table.display}({', '.join(fk.ref_columns)}) is not a primary key or unique constraint")
                for own, other in zip(fk.columns, fk.ref_columns):
                    a, b = table.column(own), target_cols[other]
                    if a is not None and a.base != b.base:
                        self.error(where, errors.BAD_REFERENCE, f"foreign key column {own} ({a.sql_type}) does not match {fk.ref_table.display}.{other} ({b.sql_type})")

    @staticmethod
    def _fk_where(t: spec.Table, where: Where, fk: ir.Constraint) -> Where:
        for i, c in enumerate(t.constraints):
            if c.foreign_key is not None and tuple(c.foreign_key) == fk.columns:
                return Where(where.pos, where.path + ("constraints", i, "references"))
        return Where(where.pos, where.path + ("columns", fk.columns[0], "references"))

    def partitioning(self, name: Name, t: spec.Table, columns: list[ir.Column], constraints: list[ir.Constraint], at: Any) -> tuple[str | None, tuple[str, ...], tuple[ir.Partition, ...]]:
        p = t.partitioning
        if p is None:
            return None, (), ()
        by_name = {c.name: c for c in columns}
        key = tuple(p.key)
        for i, col in enumerate(key):
            if col not in t.columns:
                self.error(at("partitioning", "key", i), errors.PARTITION, f'partition key column "{col}" is not a column of {name.display}')
                return None, (), ()
        for con in constraints:
            if con.kind in ("primary_key", "unique") and not set(key) <= set(con.columns):
                self.error(at("partitioning", "key"), errors.PARTITION, f'{con.kind.replace("_", " ")} "{con.name}" must include the partition key ({", ".join(key)}): PostgreSQL enforces uniqueness per partition')
        if len(key) != 1 and p.partitions:
            self.error(at("partitioning", "key"), errors.PARTITION, "partitions with a multi-column range key are not supported yet")
            return p.by.upper(), key, ()
        key_col = by_name.get(key[0])
        kind = pgtypes.ORDERED_BOUNDS.get(key_col.base if key_col else "", "text")
        parts: list[ir.Partition] = []
        ranges: list[tuple[Any, Any, str, Where]] = []
        default: str | None = None
        self.origin(("partitioning", name), at("partitioning"), t.lint, at())
        for pname, part in p.partitions.items():
            pw = at("partitioning", "partitions", pname)
            pn = Name(name.schema, pname)
            self.partitions.add(pn)
            self.origin(("partition", pn), pw, part.lint)
            self.ident(pname, pw, "partition name")
            self.claim(self.relations, pn, pw, "partition")
            self.claim(self.types, pn, pw, "partition")
            if part.default:
                if self.default_partition(name, pname, part, default, pw):
                    parts.append(ir.Partition(pn, "", "", part.comment, is_default=True))
                default = default or pname
                continue
            assert part.from_ is not None and part.to is not None  # spec.Partition requires them of a range partition
            lo = self.bound(part.from_, kind, Where(pw.pos, pw.path + ("from",)))
            hi = self.bound(part.to, kind, Where(pw.pos, pw.path + ("to",)))
            if lo is None or hi is None:
                continue
            if _cmp_key(lo) >= _cmp_key(hi):
                self.error(pw, errors.PARTITION, f'partition "{pname}" is empty: "from" ({part.from_}) must be below "to" ({part.to})', key=True)
                continue
            ranges.append((lo, hi, pname, pw))
            parts.append(ir.Partition(pn, _bound_sql(part.from_), _bound_sql(part.to), part.comment))
        ranges.sort(key=lambda r: _cmp_key(r[0]))
        for (lo1, hi1, n1, _w1), (lo2, _hi2, n2, w2) in zip(ranges, ranges[1:]):
            if _cmp_key(lo2) < _cmp_key(hi1):
                self.error(w2, errors.PARTITION, f'partition "{n2}" overlaps partition "{n1}"', key=True)
        return p.by.upper(), key, tuple(parts)

    def default_partition(self, table: Name, pname: str, part: spec.Partition, first: str | None, where: Where) -> bool:
        """Checks a `default: true` partition; True when it is the table's one and only, and has no bounds."""
        ok = True
        for key, value in (("from", part.from_), ("to", part.to)):
            if value is not None:
                self.error(Where(where.pos, where.path + (key,)), errors.PARTITION, f'partition "{pname}" is the default partition: it takes the rows outside every range and has no "{key}"', key=True)
                ok = False
        if first is not None:
            self.error(Where(where.pos, where.path + ("default",)), errors.PARTITION, f'partition "{pname}" is a second default partition of {table.display} (the first is "{first}"): a table has at most one', key=True)
            ok = False
        return ok

    def bound(self, text: str, kind: str, where: Where) -> Any:
        upper = text.strip().upper()
        if upper in ("MINVALUE", "MAXVALUE"):
            return upper
        try:
            if kind == "int":
                return int(text)
            if kind == "decimal":
                return Decimal(text)
            if kind == "date":
                return _dt.datetime.fromisoformat(text).replace(tzinfo=None)
        except (ValueError, InvalidOperation):
            self.error(where, errors.PARTITION, f'partition bound "{text}" is not a valid {kind} value')
            return None
        return text

    def index(self, table: Name, key: str, ix: spec.Index, columns: set[str], partition_key: tuple[str, ...], where: Where) -> ir.Index | None:
        name = Name(table.schema, key)
        self.ident(key, where, "index name")
        self.claim(self.relations, name, where, "index")
        self.origin(("index", name), where, ix.lint)
        elements: list[ir.IndexElement] = []
        for i, text in enumerate(ix.columns):
            ew = Where(where.pos, where.path + ("columns", i))
            self.origin(("index_element", name, i), ew, ix.lint, where, raw=text)
            try:
                elem = sqlparse.index_element(text)
            except sqlparse.FragmentError as exc:
                self.sql_error(ew, exc)
                continue
            desc = elem.ordering is not None and elem.ordering.name == "SORTBY_DESC"
            nulls = {"SORTBY_NULLS_FIRST": "first", "SORTBY_NULLS_LAST": "last"}.get(elem.nulls_ordering.name if elem.nulls_ordering is not None else "")
            if elem.name is not None:
                if elem.name not in columns:
                    self.error(ew, errors.UNKNOWN_COLUMN, f'unknown column "{elem.name}" in table {table.display}')
                elements.append(ir.IndexElement(elem.name, None, desc, nulls))
            else:
                self.check_columns(sqlparse.column_refs_at(elem.expr, len(sqlparse.INDEX_ELEMENT_PREFIX)), columns, table, ew)
                expr_text = text.strip()
                for suffix in ("NULLS FIRST", "NULLS LAST", "DESC", "ASC"):
                    if expr_text.upper().endswith(suffix):
                        expr_text = expr_text[: -len(suffix)].rstrip()
                elements.append(ir.IndexElement(None, expr_text, desc, nulls))
        for i, col in enumerate(ix.include):
            if col not in columns:
                self.error(Where(where.pos, where.path + ("include", i)), errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table.display}')
        where_sql = None
        if ix.where is not None:
            node = self.expr(ix.where, Where(where.pos, where.path + ("where",)))
            self.origin(("index_where", name), Where(where.pos, where.path + ("where",)), ix.lint, where, raw=ix.where)
            if node is not None:
                self.check_columns(sqlparse.expression_column_refs(ix.where), columns, table, Where(where.pos, where.path + ("where",)))
                where_sql = ix.where.strip()
        if ix.unique and partition_key and not set(partition_key) <= {e.column for e in elements}:
            self.error(where, errors.PARTITION, f"unique index {key} on a partitioned table must include the partition key ({', '.join(partition_key)})", key=True)
        if len(elements) != len(ix.columns):
            return None
        return ir.Index(name, table, tuple(elements), ix.unique, ix.method, where_sql, tuple(ix.include), ix.comment)

    # -- row level security ----------------------------------------------
    def policies(self, table: Name, t: spec.Table, at: Any) -> tuple[ir.Policy, ...]:
        result: list[ir.Policy] = []
        seen: dict[str, Where] = {}
        for key, p in t.policies.items():
            pw = at("policies", key)
            pol = self.policy(table, key, p.command, p.using, p.check, p.roles, p.restrictive, None, p.comment, pw, at("policies", key, "using"), at("policies", key, "check"))
            if pol is not None:
                self._add_policy(pol, pw, seen, result)
                self.origin(("policy", table, pol.name), pw, p.lint)
                self.origin(("policy_using", table, pol.name), at("policies", key, "using"), p.lint, pw, raw=p.using)
                self.origin(("policy_check", table, pol.name), at("policies", key, "check"), p.lint, pw, raw=p.check)
        for i, apply in enumerate(t.apply_policies):
            aw = at("apply_policies", i)
            entry = self.known.templates.get(apply.template)
            if entry is None:
                self.error(Where(aw.pos, aw.path + ("template",)), errors.UNKNOWN_TEMPLATE, f'unknown policy template "{apply.template}"')
                continue
            tpl, tw = entry
            prefix = apply.prefix or table.name
            for command in tpl.commands:
                pname = tpl.name.replace("{prefix}", prefix).replace("{command}", command).replace("{table}", table.name)
                subst = lambda s: None if s is None else s.replace("{table}", quoting.ident(table.name)).replace("{prefix}", prefix)  # noqa: E731
                using = subst(tpl.using) if command != "insert" else None
                check = subst(tpl.check if tpl.check is not None else tpl.using) if command in ("insert", "update", "all") else None
                pol = self.policy(table, pname, command, using, check, tpl.roles, tpl.restrictive, apply.template, None, aw, Where(tw.pos, tw.path + ("using",)), Where(tw.pos, tw.path + ("check" if tpl.check is not None else "using",)))
                if pol is not None:
                    self._add_policy(pol, aw, seen, result)
                    subs = (("{table}", quoting.ident(table.name)), ("{prefix}", prefix))
                    self.origin(("policy", table, pol.name), aw, apply.lint)
                    self.origin(("policy_using", table, pol.name), Where(tw.pos, tw.path + ("using",)), apply.lint, aw, raw=tpl.using, subs=subs)
                    check_key = "check" if tpl.check is not None else "using"
                    self.origin(("policy_check", table, pol.name), Where(tw.pos, tw.path + (check_key,)), apply.lint, aw, raw=getattr(tpl, check_key), subs=subs)
        return tuple(result)

    def _add_policy(self, pol: ir.Policy, where: Where, seen: dict[str, Where], result: list[ir.Policy]) -> None:
        if pol.name in seen:
            self.error(where, errors.DUPLICATE_NAME, f'policy "{pol.name}" is defined twice on table {pol.table.display}', key=True)
            return
        seen[pol.name] = where
        result.append(pol)

    def policy(self, table: Name, name: str, command: str, using: str | None, check: str | None, roles: list[str], restrictive: bool, template: str | None, comment: str | None, where: Where, using_at: Where, check_at: Where) -> ir.Policy | None:
        ok = self.ident(name, where, "policy name")
        if command == "insert" and using is not None:
            self.error(using_at, errors.SQL_SHAPE, "an INSERT policy takes only `check` (WITH CHECK), not `using`")
            ok = False
        if command in ("select", "delete") and check is not None:
            self.error(check_at, errors.SQL_SHAPE, f"a {command.upper()} policy takes only `using`, not `check`")
            ok = False
        if using is None and check is None:
            self.error(where, errors.SQL_SHAPE, f'policy "{name}" needs `using` or `check`', key=True)
            ok = False
        for text, w in ((using, using_at), (check, check_at)):
            if text is not None and not self.valid_expr(text, w):
                ok = False
        for i, role in enumerate(roles):
            if role not in self.known.roles:
                self.error(Where(where.pos, where.path + ("roles", i)), errors.UNKNOWN_ROLE, f'unknown role "{role}" (declare it under external.roles)')
                ok = False
        if not ok:
            return None
        return ir.Policy(name, table, command, tuple(roles), restrictive, _squash(using), _squash(check), template, comment)

    # -- functions, triggers, grants -------------------------------------
    def function(self, name: Name, f: spec.Function, where: Where, module: str) -> ir.Function | None:
        at = lambda *p: Where(where.pos, where.path + p)  # noqa: E731
        why = names.problem(f.language)
        if why:  # it is printed bare after LANGUAGE, so it must be a plain name
            self.error(at("language"), errors.SPEC_BAD_IDENTIFIER, f"language {why}")
            return None
        body = f.body if f.body.endswith("\n") else f.body + "\n"
        tag = "$$"
        n = 0
        while tag in body:
            n += 1
            tag = f"$body{n}$"
        try:
            shape, _ = sqlparse.function(name.name, f.args, f.returns, f.language, body, tag)
        except sqlparse.FragmentError as exc:
            self.sql_error(at(exc.part), exc)
            return None
        ok = True
        if f.search_path is not None:
            for i, s in enumerate(f.search_path):
                ok &= self.ident(s, at("search_path", i), "search_path schema")
        if not ok:
            return None
        arg_types = tuple(_canonical_arg(t) for t in shape.arg_types)
        return ir.Function(name, module, f.args.strip(), arg_types, f.returns.strip(), f.language, body, f.volatility, f.security, f.strict, tuple(f.search_path) if f.search_path is not None else None, shape.returns_trigger, f.comment)

    def triggers(self, f: LoadedFile) -> list[ir.Trigger]:
        result = []
        seen: set[tuple[Name, str]] = set()
        for key, t in f.spec.triggers.items():
            where = Where(f.pos, ("triggers", key))
            at = lambda *p: Where(where.pos, where.path + p)  # noqa: E731
            ok = self.ident(key, where, "trigger name")
            table_name = names.split(t.table)
            table = self.resolved_tables.get(table_name)
            if table_name not in self.known.tables:
                self.error(at("table"), errors.UNKNOWN_TABLE, f'trigger on unknown table "{t.table}"')
                ok = False
            fn_name = names.split(t.function)
            fn = self.known.functions.get(fn_name)
            if fn is None:
                self.error(at("function"), errors.UNKNOWN_FUNCTION, f'trigger calls unknown function "{t.function}"')
                ok = False
            elif fn[0].returns.strip().lower() != "trigger":
                self.error(at("function"), errors.SQL_SHAPE, f'function "{t.function}" does not return trigger')
                ok = False
            if (table_name, key) in seen:
                self.error(where, errors.DUPLICATE_NAME, f'trigger "{key}" is defined twice on {t.table}', key=True)
            seen.add((table_name, key))
            if table is not None:
                cols = {c.name for c in table.columns}
                for i, col in enumerate(t.sets):
                    if col not in cols:
                        self.error(at("sets", i), errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table_name.display}')
                        ok = False
            when = None
            if t.when is not None:
                if self.expr(t.when, at("when")) is None:
                    ok = False
                when = t.when.strip()
            if "truncate" in t.events and t.for_each == "row":
                self.error(at("events"), errors.SQL_SHAPE, "TRUNCATE triggers must be `for_each: statement`")
                ok = False
            if ok:
                result.append(ir.Trigger(key, table_name, t.timing, tuple(t.events), t.for_each, fn_name, when, tuple(t.sets), t.comment))
                self.origin(("trigger", table_name, key), where, t.lint)
        return result

    def mark_trigger_columns(self, triggers: list[ir.Trigger]) -> None:
        by_table: dict[Name, dict[str, list[str]]] = {}
        for trg in triggers:
            for col in trg.sets:
                by_table.setdefault(trg.table, {}).setdefault(col, []).append(trg.name)
        for tname, cols in by_table.items():
            table = self.resolved_tables[tname]
            new_cols = tuple(ir.Column(**{**c.__dict__, "set_by": tuple(cols[c.name])}) if c.name in cols else c for c in table.columns)
            self.resolved_tables[tname] = ir.Table(**{**table.__dict__, "columns": new_cols})

    def grants(self, f: LoadedFile) -> list[ir.Grant]:
        result: list[ir.Grant] = []
        for i, g in enumerate(f.spec.grants):
            where = Where(f.pos, ("grants", i))
            at = lambda *p: Where(where.pos, where.path + p)  # noqa: E731
            privileges = tuple(p.lower() for p in g.privileges)
            roles_ok = True
            for j, role in enumerate(g.to):
                if role not in self.known.roles:
                    self.error(at("to", j), errors.UNKNOWN_ROLE, f'unknown role "{role}" (declare it under external.roles)')
                    roles_ok = False
            targets: list[tuple[str, str, set[str], Where]] = []
            for j, t in enumerate(g.tables):
                n = names.split(t)
                if n not in self.known.tables and n not in self.known.external_tables and n not in self.partitions:
                    self.error(at("tables", j), errors.UNKNOWN_TABLE, f'grant on unknown table "{t}"')
                else:
                    targets.append(("table", n.q, TABLE_PRIVILEGES, at("privileges")))
                    self.origin(("grant", "table", n.q), at("tables", j), g.lint, where)
            for j, fn in enumerate(g.functions):
                n = names.split(fn)
                entry = self.known.functions.get(n)
                if entry is None:
                    self.error(at("functions", j), errors.UNKNOWN_FUNCTION, f'grant on unknown function "{fn}"')
                    continue
                resolved = self.function_signature(n)
                if resolved is not None:
                    targets.append(("function", resolved, FUNCTION_PRIVILEGES, at("privileges")))
                    self.origin(("grant", "function", resolved), at("functions", j), g.lint, where)
            for j, s in enumerate(g.sequences):
                n = names.split(s)
                if n not in self.sequences:
                    self.error(at("sequences", j), errors.UNKNOWN_TABLE, f'grant on unknown sequence "{s}" (sequences come from identity columns)')
                else:
                    targets.append(("sequence", n.q, SEQUENCE_PRIVILEGES, at("privileges")))
                    self.origin(("grant", "sequence", n.q), at("sequences", j), g.lint, where)
            if g.all_sequences_in_schema is not None:
                if g.all_sequences_in_schema not in self.known.schemas:
                    self.error(at("all_sequences_in_schema"), errors.UNKNOWN_SCHEMA, f'unknown schema "{g.all_sequences_in_schema}"')
                else:
                    targets.append(("all_sequences", quoting.ident(g.all_sequences_in_schema), SEQUENCE_PRIVILEGES, at("privileges")))
                    self.origin(("grant", "all_sequences", quoting.ident(g.all_sequences_in_schema)), at("all_sequences_in_schema"), g.lint, where)
            for kind, target, allowed, pw in targets:
                bad = [p for p in privileges if p not in allowed]
                if bad:
                    self.error(pw, errors.SPEC_INVALID, f"privilege {', '.join(bad).upper()} does not apply to a {kind.replace('all_', '').rstrip('s')}")
                    continue
                if roles_ok:
                    result.append(ir.Grant(privileges, kind, target, tuple(g.to), g.with_grant_option, f.module))
        return result

    def function_signature(self, name: Name) -> str | None:
        fn, where, _module = self.known.functions[name]
        try:
            shape, _ = sqlparse.function(name.name, fn.args, fn.returns, fn.language, fn.body + "\n", "$sig$")
        except sqlparse.FragmentError:
            return None  # reported where the function is resolved
        return f"{name.q}({', '.join(_canonical_arg(t) for t in shape.arg_types)})"


def _canonical_arg(type_text: str) -> str:
    base = pgtypes.BASE_TYPES.get(type_text)
    return base.sql if base else type_text


def _bound_sql(text: str) -> str:
    upper = text.strip().upper()
    return upper if upper in ("MINVALUE", "MAXVALUE") else quoting.literal(text.strip())


def _cmp_key(value: Any) -> tuple[int, Any]:
    if value == "MINVALUE":
        return (0, 0)
    if value == "MAXVALUE":
        return (2, 0)
    return (1, value)


def _squash(text: str | None) -> str | None:
    return None if text is None else text.strip()


def resolve(files: list[LoadedFile]) -> ir.Schema:
    return Resolver(files).run()


def resolve_with_origins(files: list[LoadedFile]) -> tuple[ir.Schema, Origins]:
    """The IR, and where each of its objects was written in the spec (for lint)."""
    resolver = Resolver(files)
    return resolver.run(), resolver.origins
