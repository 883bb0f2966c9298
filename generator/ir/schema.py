"""The intermediate representation: the resolved schema that every output reads.

References are resolved, names are checked, objects carry everything a
template needs as ready-to-print properties (quoted names, SQL clauses), and
lists are in a deterministic order. Fields are plain data, so a Schema can be
saved as JSON beside each migration and compared with the next one (the diff
works on two of these); properties are derived, never saved.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..pg import quoting


@dataclass(frozen=True)
class Name:
    schema: str
    name: str

    @property
    def q(self) -> str:
        """Quoted and schema-qualified, ready for SQL."""
        return quoting.qualified(self.schema, self.name)

    @property
    def display(self) -> str:
        return self.name if self.schema == "public" else f"{self.schema}.{self.name}"

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # canonical spelling, e.g. "varchar(255)" or "public.sync_type"
    base: str  # key into pg.datatypes.BASE_TYPES, or "enum"
    enum: Name | None = None
    mods: tuple[int, ...] = ()
    array_dims: int = 0
    not_null: bool = False
    default: str | None = None
    identity: str | None = None
    comment: str | None = None
    set_by: tuple[str, ...] = ()  # triggers that compute this column
    python_type: str | None = None  # the spec's explicit Python type for the models

    @property
    def q(self) -> str:
        return quoting.ident(self.name)

    @property
    def ddl(self) -> str:
        parts = [self.q, self.sql_type]
        if self.identity:
            parts.append(f"GENERATED {self.identity.upper()} AS IDENTITY")
        if self.not_null:
            parts.append("NOT NULL")
        if self.default is not None:
            parts.append(f"DEFAULT {self.default}")
        return " ".join(parts)


@dataclass(frozen=True)
class Constraint:
    name: str
    kind: str  # "primary_key" | "unique" | "check" | "foreign_key"
    columns: tuple[str, ...] = ()
    check: str | None = None
    ref_table: Name | None = None
    ref_columns: tuple[str, ...] = ()
    on_delete: str | None = None
    on_update: str | None = None
    comment: str | None = None

    @property
    def q(self) -> str:
        return quoting.ident(self.name)

    @property
    def columns_sql(self) -> str:
        return ", ".join(quoting.ident(c) for c in self.columns)

    @property
    def body(self) -> str:
        """The constraint's definition after its name."""
        if self.kind == "check":
            return f"CHECK ({self.check})"
        if self.kind == "primary_key":
            return f"PRIMARY KEY ({self.columns_sql})"
        if self.kind == "unique":
            return f"UNIQUE ({self.columns_sql})"
        assert self.ref_table is not None
        refs = ", ".join(quoting.ident(c) for c in self.ref_columns)
        sql = f"FOREIGN KEY ({self.columns_sql}) REFERENCES {self.ref_table.q}({refs})"
        if self.on_delete:
            sql += f" ON DELETE {self.on_delete.upper()}"
        if self.on_update:
            sql += f" ON UPDATE {self.on_update.upper()}"
        return sql

    @property
    def is_foreign_key(self) -> bool:
        return self.kind == "foreign_key"


@dataclass(frozen=True)
class IndexElement:
    column: str | None  # a plain column, or
    expression: str | None  # an expression (parsed SQL)
    descending: bool = False
    nulls: str | None = None  # "first" | "last" when given

    @property
    def sql(self) -> str:
        sql = quoting.ident(self.column) if self.column is not None else f"({self.expression})"
        if self.descending:
            sql += " DESC"
        if self.nulls:
            sql += f" NULLS {self.nulls.upper()}"
        return sql


@dataclass(frozen=True)
class Index:
    name: Name
    table: Name
    elements: tuple[IndexElement, ...]
    unique: bool = False
    method: str = "btree"
    where: str | None = None
    include: tuple[str, ...] = ()
    comment: str | None = None

    @property
    def ddl(self) -> str:
        return self._create("")

    @property
    def concurrent_ddl(self) -> str:
        """For a table that already holds rows: builds without blocking writes, outside a transaction."""
        return self._create(" CONCURRENTLY IF NOT EXISTS")

    @property
    def missing_ddl(self) -> str:
        """Built only if missing (a statement that may run again)."""
        return self._create(" IF NOT EXISTS")

    def _create(self, how: str) -> str:
        head = ("CREATE UNIQUE INDEX" if self.unique else "CREATE INDEX") + how
        using = "" if self.method == "btree" else f" USING {self.method}"
        sql = (
            f"{head} {quoting.ident(self.name.name)} ON {self.table.q}{using} "
            f"({', '.join(e.sql for e in self.elements)})"
        )
        if self.include:
            sql += f" INCLUDE ({', '.join(quoting.ident(c) for c in self.include)})"
        if self.where:
            sql += f" WHERE {self.where}"
        return sql


@dataclass(frozen=True)
class Partition:
    name: Name
    lower: str  # SQL literal or MINVALUE; "" for the default partition
    upper: str  # SQL literal or MAXVALUE; "" for the default partition
    comment: str | None = None
    # The DEFAULT partition: it takes the rows no range partition does. False
    # by default, so states saved before it existed load as range partitions.
    is_default: bool = False

    @property
    def bound_sql(self) -> str:
        return "DEFAULT" if self.is_default else f"FOR VALUES FROM ({self.lower}) TO ({self.upper})"

    @property
    def bounds(self) -> tuple[str, str, bool]:
        """What the partition holds, whatever its name (the diff pairs renamed partitions by it)."""
        return (self.lower, self.upper, self.is_default)


@dataclass(frozen=True)
class Policy:
    name: str
    table: Name
    command: str
    roles: tuple[str, ...] = ("public",)
    restrictive: bool = False
    using: str | None = None
    check: str | None = None
    template: str | None = None
    comment: str | None = None

    @property
    def q(self) -> str:
        return quoting.ident(self.name)

    @property
    def ddl(self) -> str:
        sql = f"CREATE POLICY {self.q} ON {self.table.q}"
        if self.restrictive:
            sql += "\n    AS RESTRICTIVE"
        sql += f"\n    FOR {self.command.upper()}"
        if self.roles != ("public",):
            sql += f"\n    TO {', '.join(role_sql(r) for r in self.roles)}"
        if self.using is not None:
            sql += f"\n    USING ({self.using})"
        if self.check is not None:
            sql += f"\n    WITH CHECK ({self.check})"
        return sql


@dataclass(frozen=True)
class Table:
    name: Name
    module: str
    columns: tuple[Column, ...]
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    partition_by: str | None = None  # e.g. "RANGE"
    partition_key: tuple[str, ...] = ()
    partitions: tuple[Partition, ...] = ()
    row_level_security: bool = False
    force_row_level_security: bool = False
    policies: tuple[Policy, ...] = ()
    comment: str | None = None

    @property
    def inline_constraints(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if not c.is_foreign_key)

    @property
    def foreign_keys(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if c.is_foreign_key)

    @property
    def body_lines(self) -> list[str]:
        """Column and constraint lines of CREATE TABLE, each but the last ending in a comma."""
        lines = [c.ddl for c in self.columns] + [f"CONSTRAINT {c.q} {c.body}" for c in self.inline_constraints]
        return [line + "," for line in lines[:-1]] + lines[-1:]

    @property
    def partition_clause(self) -> str:
        if not self.partition_by:
            return ""
        return f" PARTITION BY {self.partition_by} ({', '.join(quoting.ident(c) for c in self.partition_key)})"

    @property
    def rls_statements(self) -> list[str]:
        statements = [f"ALTER TABLE {self.name.q} ENABLE ROW LEVEL SECURITY"] if self.row_level_security else []
        if self.force_row_level_security:
            statements.append(f"ALTER TABLE {self.name.q} FORCE ROW LEVEL SECURITY")
        return statements

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None


@dataclass(frozen=True)
class Enum:
    name: Name
    module: str
    values: tuple[str, ...]
    comment: str | None = None

    @property
    def values_sql(self) -> list[str]:
        quoted = [quoting.literal(v) for v in self.values]
        return [v + "," for v in quoted[:-1]] + quoted[-1:]


@dataclass(frozen=True)
class Function:
    name: Name
    module: str
    args: str
    arg_types: tuple[str, ...]
    returns: str
    language: str
    body: str
    volatility: str = "volatile"
    security: str = "invoker"
    strict: bool = False
    search_path: tuple[str, ...] | None = None
    returns_trigger: bool = False
    comment: str | None = None

    @property
    def signature(self) -> str:
        """Name and input types, as GRANT, COMMENT and DROP want it."""
        return f"{self.name.q}({', '.join(self.arg_types)})"

    @property
    def dollar(self) -> str:
        """A dollar-quote tag that does not occur in the body."""
        tag = "$$"
        n = 0
        while tag in self.body:
            n += 1
            tag = f"$body{n if n > 1 else ''}$"
        return tag

    @property
    def attributes(self) -> list[str]:
        attrs = [f"LANGUAGE {self.language}"]
        if self.volatility != "volatile":
            attrs.append(self.volatility.upper())
        if self.strict:
            attrs.append("STRICT")
        if self.security == "definer":
            attrs.append("SECURITY DEFINER")
        if self.search_path is not None:
            value = ", ".join(quoting.ident(s) for s in self.search_path) or "''"
            attrs.append(f"SET search_path = {value}")
        return attrs


@dataclass(frozen=True)
class Trigger:
    name: str
    table: Name
    timing: str
    events: tuple[str, ...]
    level: str
    function: Name
    when: str | None = None
    sets: tuple[str, ...] = ()
    comment: str | None = None

    @property
    def q(self) -> str:
        return quoting.ident(self.name)

    @property
    def when_lines(self) -> list[str]:
        return [f"WHEN ({self.when})"] if self.when else []

    @property
    def events_sql(self) -> str:
        return " OR ".join(e.upper() for e in self.events)


@dataclass(frozen=True)
class Grant:
    privileges: tuple[str, ...]
    kind: str  # "table" | "function" | "sequence" | "all_sequences"
    target: str  # ready-to-print object: qualified table, function signature, or schema
    roles: tuple[str, ...]
    with_grant_option: bool = False
    module: str = ""  # the spec module that declares it, so its docs page can list it

    @property
    def ddl(self) -> str:
        on = {
            "table": "",
            "function": "FUNCTION ",
            "sequence": "SEQUENCE ",
            "all_sequences": "ALL SEQUENCES IN SCHEMA ",
        }[self.kind]
        sql = (
            f"GRANT {', '.join(p.upper() for p in self.privileges)} ON {on}{self.target} TO "
            f"{', '.join(role_sql(r) for r in self.roles)}"
        )
        if self.with_grant_option:
            sql += " WITH GRANT OPTION"
        return sql


@dataclass(frozen=True)
class Comment:
    kind: str  # "TABLE", "COLUMN", "TYPE", "FUNCTION", ...
    target: str  # ready-to-print object
    text: str

    @property
    def ddl(self) -> str:
        return f"COMMENT ON {self.kind} {self.target} IS {quoting.literal(self.text)}"


@dataclass(frozen=True)
class ExternalTable:
    name: Name
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[Constraint, ...] = ()


@dataclass(frozen=True)
class ExternalFunction:
    name: Name
    args: str
    returns: str
    stand_in: str | None = None


@dataclass(frozen=True)
class External:
    roles: tuple[str, ...] = ()
    schemas: tuple[str, ...] = ()
    tables: tuple[ExternalTable, ...] = ()
    functions: tuple[ExternalFunction, ...] = ()


@dataclass(frozen=True)
class Module:
    name: str
    file: str
    description: str | None = None


@dataclass(frozen=True)
class Rename:
    """A rename the spec declares (`renamed_from`, `renamed_values`): the old name becomes `new`.

    `owner` is the (new) table of a column or the enum of a value; None for
    tables and enums themselves, which keep their schema. (Indexes, constraints,
    partitions, policies and triggers need no declaration: the diff renames one
    whose definition is unchanged under a new name.)
    """

    kind: str  # "table" | "column" | "enum" | "enum_value"
    old: str
    new: str
    owner: Name | None = None
    schema: str = "public"


@dataclass(frozen=True)
class Intent:
    """What the spec says about how to get from the last migration to it.

    Not part of the schema a migration produces: saved states leave it out,
    and it only matters for the next diff.
    """

    renames: tuple[Rename, ...] = ()
    allow_destructive: tuple[str, ...] = ()  # normalised entries, e.g. "drop column public.t.c"


def destructive_entry(verb: str, *parts: str) -> str:
    """An allow_destructive entry in its normal form, as `Intent.allow_destructive` holds it
    (resolve/intent.py writes them, the diff looks a change up by it): `drop column public.t.c`."""
    return f"{verb} {'.'.join(parts)}"


@dataclass(frozen=True)
class Schema:
    version: int
    name: str
    modules: tuple[Module, ...]
    enums: tuple[Enum, ...]
    tables: tuple[Table, ...]
    functions: tuple[Function, ...]
    triggers: tuple[Trigger, ...]
    grants: tuple[Grant, ...]
    external: External = field(default_factory=External)
    intent: Intent = field(default_factory=Intent)
    # In a saved state: the allow_destructive entries the migration that wrote it used up
    # (a confirmation applies to that one migration). Always empty for a spec.
    confirmed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schema:
        """The inverse of to_json: a saved state back as IR (missing fields take their defaults)."""
        return _decode(cls, data)  # type: ignore[no-any-return]


def _decode(tp: Any, value: Any) -> Any:
    """Rebuild a value of type `tp` (dataclass, tuple[X, ...], X | None, scalar) from JSON data."""
    return _decoder(tp)(value)


def _same(value: Any) -> Any:
    return value


@functools.cache
def _decoder(tp: Any) -> Any:
    """The function that rebuilds a value of type `tp`, worked out once per type: a saved
    state holds half a million values for 1,000 tables, and asking `typing` about each
    one's type took longer than reading the JSON."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        decode = _decoder(inner)
        return _same if decode is _same else lambda value: None if value is None else decode(value)
    if origin is tuple:
        inner, _ellipsis = typing.get_args(tp)
        decode = _decoder(inner)
        return tuple if decode is _same else lambda value: tuple(map(decode, value))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        decoders = {name: _decoder(hint) for name, hint in _hints(tp).items()}
        nested = {name: decode for name, decode in decoders.items() if decode is not _same}

        def decode_dataclass(value: dict[str, Any]) -> Any:
            unknown = value.keys() - decoders.keys()
            if unknown:
                raise ValueError(f"{tp.__name__}: unknown field(s) {', '.join(sorted(unknown))} in saved state")
            return tp(**{k: nested[k](v) if k in nested else v for k, v in value.items()})

        return decode_dataclass
    return _same


def matches_json(value: Any, data: Any, skip: frozenset[str] = frozenset()) -> bool:
    """Whether `from_json(data) == value`, found without building the IR (the top level's `skip` fields left out).

    A build whose spec did not change compares it with the last saved state;
    decoding that state (half a million values for 1,000 tables) only to
    compare it and throw it away cost more than the comparison. True only when
    decoding would give an equal value; a False leaves the caller to decode
    (which also reports a state it cannot read).
    """
    tp: Any = type(value)
    if not (isinstance(tp, type) and dataclasses.is_dataclass(tp)) or not isinstance(data, dict):
        return False
    match: Callable[[Any, Any, frozenset[str]], bool] = _matcher(tp)
    return match(value, data, skip)


def _equal(value: Any, data: Any) -> bool:
    return bool(value == data)


def _nothing(_value: Any) -> None:
    return None


def _default(f: dataclasses.Field[Any]) -> Any:
    return f.default_factory() if callable(f.default_factory) else f.default


@functools.cache
def _matcher(tp: Any) -> Any:
    """The function `(value, data) -> bool` for type `tp`, the counterpart of `_decoder(tp)`."""
    if _decoder(tp) is _same:  # scalars, and optional scalars: decoding keeps the data as it is
        return _equal
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        match = _matcher(inner)
        return lambda value, data: (
            value is None and data is None or value is not None and data is not None and match(value, data)
        )
    if origin is tuple:
        inner, _ellipsis = typing.get_args(tp)
        if _matcher(inner) is _equal:
            return lambda value, data: type(value) is tuple and type(data) is list and value == tuple(data)
        match = _matcher(inner)
        return lambda value, data: (
            type(value) is tuple and type(data) is list and len(value) == len(data) and all(map(match, value, data))
        )
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        matchers = {name: _matcher(hint) for name, hint in _hints(tp).items()}
        names = matchers.keys()
        defaults = {
            f.name: _default(f)
            for f in dataclasses.fields(tp)
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        }

        # The usual case, every field saved and none skipped: the plain fields in one
        # comparison of two tuples, then the nested ones (a third of the time of each in turn).
        plain = [name for name, match in matchers.items() if match is _equal]
        nested = [(name, match) for name, match in matchers.items() if match is not _equal]
        plain_of_value = operator.attrgetter(*plain) if plain else _nothing
        plain_of_data = operator.itemgetter(*plain) if plain else _nothing

        def match_dataclass(value: Any, data: Any, skip: frozenset[str] = frozenset()) -> bool:
            if type(value) is not tp or type(data) is not dict:
                return False
            if not skip and len(data) == len(names):  # then every field is saved, or a key is unknown
                if data.keys() != names or plain_of_value(value) != plain_of_data(data):
                    return False
                for name, match in nested:
                    if not match(getattr(value, name), data[name]):
                        return False
                return True
            if not data.keys() <= names:
                return False
            for name, match in matchers.items():
                if name in skip:
                    continue
                if name in data:
                    if not match(getattr(value, name), data[name]):
                        return False
                elif name not in defaults or getattr(value, name) != defaults[name]:
                    return False
            return True

        return match_dataclass
    return _equal


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def role_sql(role: str) -> str:
    return "PUBLIC" if role == "public" else quoting.ident(role)
