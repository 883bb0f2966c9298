"""The resolver's shared state: the registry of every name the spec defines or
declares external, and the helpers that report problems at their YAML position.

The package's __init__ drives the passes; tables.py, policies.py and
routines.py resolve one kind of object each, on this state.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from .. import errors, ir
from ..ir import Name, names
from ..pg import datatypes, sqlparse
from ..spec import model
from ..spec.loader import LoadedFile
from ..spec.origins import Origin, Origins
from ..spec.positions import Path, Positions
from . import columnrefs

BUILTIN_SCHEMAS = {"public", "pg_catalog"}


@dataclass(frozen=True)
class Where:
    pos: Positions
    path: Path

    def at(self, *path: str | int) -> Where:
        """The place `path` below this one."""
        return Where(self.pos, self.path + path)


@dataclass
class _Known:
    """Everything that can be referred to, spec-defined or external."""

    roles: set[str] = field(default_factory=lambda: {"public"})
    schemas: set[str] = field(default_factory=lambda: set(BUILTIN_SCHEMAS))
    enums: dict[Name, ir.Enum] = field(default_factory=dict)
    tables: dict[Name, tuple[model.Table, Where, str]] = field(default_factory=dict)
    external_tables: dict[Name, ir.ExternalTable] = field(default_factory=dict)
    functions: dict[Name, tuple[model.Function, Where, str]] = field(default_factory=dict)
    external_functions: dict[Name, ir.ExternalFunction] = field(default_factory=dict)
    templates: dict[str, tuple[model.PolicyTemplate, Where]] = field(default_factory=dict)


class ResolverBase:
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
        self.needs_of_templates: dict[
            tuple[str, str], tuple[columnrefs.Needs, Origin]
        ] = {}  # policies.py: a template's needs, by its text

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
            self.error(
                where,
                errors.DUPLICATE_NAME,
                f'{what} "{name.display}" collides with another object of that name ({first.pos.file}:{line})',
                key=True,
            )
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

    def origin(
        self,
        key: tuple[Any, ...],
        where: Where,
        lint: Any = None,
        holder: Where | None = None,
        *,
        raw: str | None = None,
        subs: tuple[tuple[str, str], ...] = (),
        stripped: bool = True,
    ) -> None:
        self.origins.add(
            key,
            where.pos,
            where.path,
            lint,
            None if holder is None else holder.path,
            raw=raw,
            subs=subs,
            stripped=stripped,
        )

    def expr(self, text: str, where: Where) -> Any | None:
        try:
            return sqlparse.expression(text)
        except sqlparse.FragmentError as exc:
            self.sql_error(where, exc)
            return None

    @functools.cached_property
    def spec_function_names(self) -> frozenset[str]:
        """Unqualified names of the spec's functions (collected by the first pass)."""
        return frozenset(n.name for n in self.known.functions)

    def table_columns(self, name: Name) -> frozenset[str] | None:
        """The columns of a spec or external table (an external one: those it declares); None for any other relation."""
        entry = self.known.tables.get(name)
        if entry is not None:
            return frozenset(entry[0].columns)
        external = self.known.external_tables.get(name)
        return None if external is None else frozenset(c.name for c in external.columns)

    def check_schema(self, name: Name, where: Where) -> None:
        if name.schema not in self.known.schemas:
            self.error(
                where,
                errors.UNKNOWN_SCHEMA,
                f'unknown schema "{name.schema}" (declare it under external.schemas)',
                key=True,
            )

    # -- types -----------------------------------------------------------
    def column_type(self, text: str, where: Where) -> tuple[str, str, Name | None, tuple[int, ...], int] | None:
        try:
            ref = sqlparse.type_name(text)
        except sqlparse.FragmentError as exc:
            self.sql_error(where, exc)
            return None
        sql = type_sql(ref)
        if ref.schema in (None, "pg_catalog") and ref.name in datatypes.BASE_TYPES:
            base = datatypes.BASE_TYPES[ref.name]
            if sql is None:
                self.error(where, errors.UNKNOWN_TYPE, f'type "{text}" takes at most {base.max_mods} modifier(s)')
                return None
            return sql, ref.name, None, ref.mods, ref.array_dims
        name = Name(ref.schema or "public", ref.name)
        if name in self.known.enums and not ref.mods and sql is not None:
            return sql, "enum", name, (), ref.array_dims
        self.error(
            where, errors.UNKNOWN_TYPE, f'unknown type "{text}" (not a supported built-in type or an enum of the spec)'
        )
        return None


def type_sql(ref: sqlparse.TypeRef) -> str | None:
    """How a column of type `ref` spells it (ir.Column.sql_type); None when it takes fewer modifiers."""
    suffix = "[]" * ref.array_dims
    if ref.schema in (None, "pg_catalog") and ref.name in datatypes.BASE_TYPES:
        base = datatypes.BASE_TYPES[ref.name]
        if len(ref.mods) > base.max_mods:
            return None
        mods = f"({','.join(str(m) for m in ref.mods)})" if ref.mods else ""
        return base.sql + mods + suffix
    return None if ref.mods else Name(ref.schema or "public", ref.name).q + suffix
