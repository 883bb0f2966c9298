"""The intermediate representation: the resolved schema that every output reads, as data.

References are resolved, names are checked, and lists are in a deterministic
order. Fields are plain data, so a Schema can be saved as JSON beside each
migration (codec.py) and compared with the next one (the diff works on two of
these). The few properties are derived, never saved, and write no SQL: an
object's name as SQL spells it (`q`: quoted and qualified; a function's
`signature`), since that is how every output names it; statements and clauses
are written by sql/ (clauses.py, and the templates through views.py).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from ..pg import bounds as _bounds
from ..pg import periods, quoting


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
    generated: str | None = None  # K1 generated columns: GENERATED ALWAYS AS (this expression)
    virtual: bool = False  # K1 generated columns: VIRTUAL (PostgreSQL 18) rather than STORED
    collation: str | None = None  # K1 column collation: COLLATE this (the name as PostgreSQL stores it)

    @property
    def q(self) -> str:
        return quoting.ident(self.name)


@dataclass(frozen=True)
class ExclusionElement:
    """One element of an exclusion constraint (K3): a key as an index has it, and the operator that compares it, as
    written (`=`, `&&`, `OPERATOR(public.&&)`)."""

    key: IndexElement
    operator: str


@dataclass(frozen=True)
class Constraint:
    name: str
    kind: str  # "primary_key" | "unique" | "check" | "foreign_key" | "exclude"
    columns: tuple[str, ...] = ()
    check: str | None = None
    ref_table: Name | None = None
    ref_columns: tuple[str, ...] = ()
    on_delete: str | None = None
    on_update: str | None = None
    comment: str | None = None
    # K3: declared NOT VALID (a CHECK or foreign key whose existing rows PostgreSQL has not checked).
    not_valid: bool = False
    # K3: DEFERRABLE [INITIALLY DEFERRED] (primary key, unique, foreign key).
    deferrable: bool = False
    initially_deferred: bool = False
    nulls_not_distinct: bool = False  # K3: UNIQUE NULLS NOT DISTINCT (PostgreSQL 15+)
    # K3 exclusion constraints: the elements, the index method, the predicate and the INCLUDE columns.
    exclusion: tuple[ExclusionElement, ...] = ()
    method: str | None = None
    where: str | None = None
    include: tuple[str, ...] = ()

    @property
    def q(self) -> str:
        return quoting.ident(self.name)

    @property
    def is_foreign_key(self) -> bool:
        return self.kind == "foreign_key"


@dataclass(frozen=True)
class IndexElement:
    column: str | None  # a plain column, or
    expression: str | None  # an expression (parsed SQL)
    descending: bool = False
    nulls: str | None = None  # "first" | "last" when given
    # Index keys (K3): COLLATE, the operator class and its parameters, as SQL (names quoted where needed;
    # parameters as (name, value) with the value's text). None / () when the key takes the defaults.
    collation: str | None = None
    opclass: str | None = None
    opclass_params: tuple[tuple[str, str], ...] = ()


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
    # WITH (...) storage parameters (K3), sorted by name: (name, value text).
    parameters: tuple[tuple[str, str], ...] = ()
    nulls_not_distinct: bool = False  # K3: a unique index's NULLS NOT DISTINCT (PostgreSQL 15+)


@dataclass(frozen=True)
class Partition:
    name: Name
    lower: str  # SQL literal or MINVALUE; "" for the default partition
    upper: str  # SQL literal or MAXVALUE; "" for the default partition
    comment: str | None = None
    # The DEFAULT partition: it takes the rows no range partition does. False
    # by default, so states saved before it existed load as range partitions.
    is_default: bool = False
    # K3 list and hash partitioning: a list partition's values (SQL literals, NULL), a hash partition's
    # modulus and remainder (lower and upper "" for both).
    values: tuple[str, ...] = ()
    modulus: int | None = None
    remainder: int | None = None
    # K3: indexes and constraints of this partition alone (besides those it takes from its table).
    indexes: tuple[Index, ...] = ()
    constraints: tuple[Constraint, ...] = ()

    @property
    def bounds(self) -> tuple[str, str, bool, tuple[str, ...], int | None, int | None]:
        """What the partition holds, whatever its name (the diff pairs renamed partitions by it)."""
        return (self.lower, self.upper, self.is_default, self.values, self.modulus, self.remainder)

    @property
    def is_list(self) -> bool:
        return bool(self.values)

    @property
    def has_own_objects(self) -> bool:
        return bool(self.indexes or self.constraints)

    @property
    def is_hash(self) -> bool:
        return self.modulus is not None


@dataclass(frozen=True)
class TimePartitions:
    """Range partitions by time, declared as a rule (`partitioning: {interval: ...}`), made and retired by the
    table's maintenance function (`function`) as time passes: the state holds the rule, never the list, so a
    build never depends on today's date. The periods: pg/periods.py."""

    interval: str  # day | week | month | quarter | year
    start: str  # ISO date: the first period's first day, never a partition before it
    premake: int  # periods made ahead of the current one
    retain: int | None  # periods kept before the current one; None keeps every one
    retired: str  # "detach" (kept as a table of its own) | "drop"
    timezone: str  # where a day starts, for a timestamptz key and for `now`
    function: Name  # <schema>.maintain_<table>_partitions
    schedule: str | None = None  # a pg_cron schedule, when the migration should make one

    @property
    def first_day(self) -> _dt.date:
        return _dt.date.fromisoformat(self.start)


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


@dataclass(frozen=True)
class SeedRows:
    """Rows the spec puts in a table (`rows:`), each as (column, SQL constant) pairs in the spec's order."""

    key: tuple[str, ...]
    on_conflict: str  # "update" | "nothing"
    data: tuple[tuple[tuple[str, str], ...], ...]

    def key_of(self, row: tuple[tuple[str, str], ...]) -> tuple[str, ...] | None:
        """A row's key values (None when it lacks one of the key's columns)."""
        values = dict(row)
        if any(k not in values for k in self.key):
            return None
        return tuple(values[k] for k in self.key)


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
    time_partitions: TimePartitions | None = None  # declared time partitioning: the rule
    rows: SeedRows | None = None  # seed rows
    replica_identity: str = "default"  # "default" | "full" | "nothing" | "index"
    replica_index: str | None = None  # the index, for "index"

    @property
    def inline_constraints(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if not c.is_foreign_key)

    @property
    def foreign_keys(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if c.is_foreign_key)

    @property
    def created_constraints(self) -> tuple[Constraint, ...]:
        """The constraints CREATE TABLE defines: a NOT VALID one is added after it (CREATE TABLE would validate it)."""
        return tuple(c for c in self.inline_constraints if not c.not_valid)

    @property
    def not_valid_checks(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.inline_constraints if c.not_valid)

    def owns(self, p: Partition) -> bool:
        """Whether `p` is one of the partitions the table's time partitioning makes: its name and bounds are a
        period's (a timestamptz bound without an offset read in the rule's time zone)."""
        rule = self.time_partitions
        if rule is None or p.is_default:
            return False
        day = periods.period_of(self.name.name, p.name.name, rule.interval, rule.first_day)
        key = self.column(self.partition_key[0]) if len(self.partition_key) == 1 else None
        if day is None or key is None:
            return False
        kind = _bounds.kind_of(key.base)
        ends = (day, periods.shift(day, rule.interval, 1))
        return all(
            _same_instant(text, periods.bound_value(d, kind, rule.timezone), kind, d)
            for text, d in zip((p.lower, p.upper), ends, strict=True)
        )

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None

    def own_table(self, p: Partition) -> Table:
        """Partition `p` as a table of its own (K3): the table's columns, and only the partition's own indexes and
        constraints, which the diff and the SQL treat as an ordinary table's."""
        return Table(p.name, self.module, self.columns, p.constraints, p.indexes, comment=p.comment)


def _same_instant(literal: str, expected: _dt.date | _dt.datetime, kind: str, day: _dt.date) -> bool:
    text = literal[1:-1].replace("''", "'") if literal.startswith("'") else literal
    try:
        b = _bounds.value(text, kind)
    except _bounds.BadBound:
        return False
    if b.local:  # a timestamptz written without an offset: the rule's zone's midnight, as written
        return bool(b.value == _dt.datetime(day.year, day.month, day.day))
    return bool(b.rank == 1 and b.value == expected)


@dataclass(frozen=True)
class Enum:
    name: Name
    module: str
    values: tuple[str, ...]
    comment: str | None = None


@dataclass(frozen=True)
class DomainCheck:
    """A CHECK constraint of a domain, over VALUE."""

    name: str
    check: str

    @property
    def q(self) -> str:
        return quoting.ident(self.name)


@dataclass(frozen=True)
class Domain:
    """CREATE DOMAIN (types5): `sql_type`/`base` as a column of its base type has them."""

    name: Name
    module: str
    sql_type: str
    base: str
    enum: Name | None = None
    mods: tuple[int, ...] = ()
    array_dims: int = 0
    not_null: bool = False
    default: str | None = None
    checks: tuple[DomainCheck, ...] = ()
    collation: str | None = None  # as SQL: quoted where needed
    comment: str | None = None

    @property
    def base_column(self) -> Column:
        """A column of the base type (what the models and the docs read)."""
        return Column("", self.sql_type, self.base, self.enum, self.mods, self.array_dims)


@dataclass(frozen=True)
class CompositeType:
    """CREATE TYPE ... AS (...) (types5): its attributes are columns with only a name, a type and a comment."""

    name: Name
    module: str
    attributes: tuple[Column, ...]
    comment: str | None = None


@dataclass(frozen=True)
class RangeType:
    """CREATE TYPE ... AS RANGE (types5); `multirange` is always the multirange's name (PostgreSQL's default when
    the spec names none), `named_multirange` whether the spec names it."""

    name: Name
    module: str
    subtype: str  # as a column of it spells it
    subtype_base: str
    multirange: str
    named_multirange: bool = False
    subtype_opclass: str | None = None  # as SQL
    collation: str | None = None  # as SQL
    canonical: str | None = None  # a function, as SQL
    subtype_diff: str | None = None  # a function, as SQL
    comment: str | None = None


@dataclass(frozen=True)
class Sequence:
    """A sequence, every option as PostgreSQL stores it (the spec's omissions filled with its defaults)."""

    name: Name
    module: str
    data_type: str  # "smallint" | "integer" | "bigint"
    start: int
    increment: int
    min_value: int
    max_value: int
    cache: int = 1
    cycle: bool = False
    owner: Name | None = None  # OWNED BY owner.owner_column
    owner_column: str | None = None
    comment: str | None = None
    serial: bool = False  # made by a serial column (no entry of `sequences:`)


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
    parallel: str = "unsafe"  # funcs5: PARALLEL unsafe | restricted | safe
    leakproof: bool = False  # funcs5: LEAKPROOF
    cost: float | None = None  # funcs5: COST (None: PostgreSQL's default)
    rows: float | None = None  # funcs5: ROWS of a set-returning function (None: PostgreSQL's default)
    kind: str = "function"  # funcs5: "function" | "procedure" (CREATE PROCEDURE: no result, no volatility)
    settings: tuple[tuple[str, str], ...] = ()  # aggs6: SET name = 'value' (but search_path), in order

    @property
    def signature(self) -> str:
        """Name and input types, as GRANT, COMMENT and DROP want it."""
        return f"{self.name.q}({', '.join(self.arg_types)})"

    @property
    def key(self) -> FunctionKey:
        """What tells it from its overloads (functions of the same name): the name and the input types."""
        return (self.name, self.arg_types)

    @property
    def label(self) -> str:
        """As the spec names it among its overloads: `area(circle)` (`private.is_admin(uuid)`)."""
        return f"{self.name.display}({', '.join(self.arg_types)})"


# A function's identity: its name and input argument types (overloads share the name).
FunctionKey = tuple[Name, tuple[str, ...]]


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
    update_of: tuple[str, ...] = ()  # UPDATE OF these columns
    old_table: str | None = None  # REFERENCING OLD TABLE AS
    new_table: str | None = None  # REFERENCING NEW TABLE AS
    args: tuple[str, ...] = ()  # the function's arguments (TG_ARGV), as text

    @property
    def q(self) -> str:
        return quoting.ident(self.name)


@dataclass(frozen=True)
class Aggregate:
    """CREATE AGGREGATE name(arg_types) (SFUNC, STYPE, ...) (aggs6): its support functions by name (a built-in one
    in pg_catalog)."""

    name: Name
    module: str
    arg_types: tuple[str, ...]
    sfunc: Name
    stype: str
    finalfunc: Name | None = None
    initcond: str | None = None
    combinefunc: Name | None = None
    parallel: str = "unsafe"
    comment: str | None = None

    @property
    def signature(self) -> str:
        """Name and input types, as GRANT, COMMENT and DROP want it."""
        return f"{self.name.q}({', '.join(self.arg_types)})"

    @property
    def key(self) -> FunctionKey:
        return (self.name, self.arg_types)

    @property
    def label(self) -> str:
        return f"{self.name.display}({', '.join(self.arg_types)})"

    @property
    def support(self) -> tuple[Name, ...]:
        """The functions it calls."""
        return tuple(f for f in (self.sfunc, self.finalfunc, self.combinefunc) if f is not None)


@dataclass(frozen=True)
class EventTrigger:
    """CREATE EVENT TRIGGER name ON event [WHEN TAG IN (tags)] EXECUTE FUNCTION function() (funcs5)."""

    name: str
    module: str
    event: str
    function: Name
    tags: tuple[str, ...] = ()
    comment: str | None = None

    @property
    def q(self) -> str:
        return quoting.ident(self.name)


@dataclass(frozen=True)
class Grant:
    privileges: tuple[str, ...]
    kind: str  # "table" | "function" | "sequence" | "all_sequences"
    target: str  # ready-to-print object: qualified table, function signature, or schema
    roles: tuple[str, ...]
    with_grant_option: bool = False
    module: str = ""  # the spec module that declares it, so its docs page can list it
    columns: tuple[str, ...] = ()  # privileges K5: a column-level grant on these columns of the table


@dataclass(frozen=True)
class DefaultPrivilege:
    """ALTER DEFAULT PRIVILEGES [FOR ROLE for_role] [IN SCHEMA schema] GRANT|REVOKE privileges ON <on> TO|FROM roles
    (privileges K5)."""

    for_role: str | None  # None: the role running the migration
    schema: str | None  # None: every schema
    on: str  # "tables" | "sequences" | "functions" | "types" | "schemas"
    privileges: tuple[str, ...]
    roles: tuple[str, ...]
    revoke: bool = False
    module: str = ""


@dataclass(frozen=True)
class ExternalTable:
    name: Name
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[Constraint, ...] = ()
    # The spec's objects attached to it (external tables): its row level security as stated (never changed
    # by a migration) and the spec's policies on it, which migrations create, alter and drop.
    row_level_security: bool = False
    policies: tuple[Policy, ...] = ()
    rows: SeedRows | None = None  # seed rows (Supabase's storage bucket row)
    module: str = ""  # the spec module that declares it, when it has policies or seed rows (shown on its docs page)
    indexes: tuple[Index, ...] = ()  # funcs5: the spec's indexes on it


@dataclass(frozen=True)
class ExternalFunction:
    name: Name
    args: str
    returns: str
    stand_in: str | None = None


@dataclass(frozen=True)
class ExternalType:
    name: Name
    python_type: str | None = None


@dataclass(frozen=True)
class External:
    roles: tuple[str, ...] = ()
    schemas: tuple[str, ...] = ()
    tables: tuple[ExternalTable, ...] = ()
    functions: tuple[ExternalFunction, ...] = ()
    types: tuple[ExternalType, ...] = ()  # K2 (state format 3)


@dataclass(frozen=True)
class Extension:
    """CREATE EXTENSION IF NOT EXISTS name WITH SCHEMA schema."""

    name: str
    schema: str
    module: str
    comment: str | None = None  # K1 comments: the spec's (None: the extension's own, left as it is)

    @property
    def q(self) -> str:
        return quoting.ident(self.name)


@dataclass(frozen=True)
class Namespace:
    """A schema the spec creates (PostgreSQL's pg_namespace; `Schema` is the whole spec)."""

    name: str
    module: str
    comment: str | None = None

    @property
    def q(self) -> str:
        return quoting.ident(self.name)


@dataclass(frozen=True)
class View:
    """A view or materialized view. `columns` are its output columns in order (types inferred from the
    query or given by the spec); `reads` the relations of the spec its query reads, `calls` the spec
    functions it calls: it is created after them, and dropped and created again when they change."""

    name: Name
    module: str
    query: str
    columns: tuple[Column, ...]
    reads: tuple[Name, ...] = ()
    calls: tuple[Name, ...] = ()
    materialized: bool = False
    security_invoker: bool = False
    check_option: str | None = None  # "local" | "cascaded"
    indexes: tuple[Index, ...] = ()
    comment: str | None = None

    @property
    def kind(self) -> str:
        """As COMMENT ON and DROP name it."""
        return "materialized view" if self.materialized else "view"


@dataclass(frozen=True)
class PublishedTable:
    """A table of a publication that publishes only some columns, or only some rows (PostgreSQL 15+)."""

    table: Name
    columns: tuple[str, ...] = ()  # none: every column
    where: str | None = None


@dataclass(frozen=True)
class Publication:
    """A publication: CREATE PUBLICATION, or, for one made elsewhere (`external`), only its tables added."""

    name: str
    module: str
    tables: tuple[Name, ...] = ()  # in the order written
    all_tables: bool = False  # FOR ALL TABLES
    publish: tuple[str, ...] = ("insert", "update", "delete", "truncate")  # in that order
    external: bool = False  # made elsewhere (external.publications): schemagen adds and drops its tables only
    comment: str | None = None
    filters: tuple[PublishedTable, ...] = ()  # the tables with a column list or row filter

    def filter_of(self, table: Name) -> PublishedTable | None:
        return next((f for f in self.filters if f.table == table), None)

    @property
    def q(self) -> str:
        return quoting.ident(self.name)


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
    adopted: tuple[Name, ...] = ()  # tables that exist already: the next migration takes them over (`adopted:`)
    # Tables whose missing row level security the spec says is intended (lint S105 ignored on the table): the
    # database tests do not fail them for it, with or without a `tenancy:`.
    without_rls: tuple[Name, ...] = ()


def destructive_entry(verb: str, *parts: str, to: str | None = None) -> str:
    """An allow_destructive entry in its normal form, as `Intent.allow_destructive` holds it
    (resolve/intent.py writes them, the diff looks a change up by it): `drop column public.t.c`;
    with `to`, a type change that names its new type: `change type public.t.c to varchar(5)`."""
    entry = f"{verb} {'.'.join(parts)}"
    return entry if to is None else f"{entry} to {to}"


# -- tenancy: how the schema isolates tenants, the data the generated database tests are made from.
# Not part of the schema a migration produces: a saved state leaves it out (as it does `Intent`),
# so stating or changing it never makes a migration.
@dataclass(frozen=True)
class TenantTable:
    """A table whose rows belong to a tenant, through `column`."""

    table: Name
    column: str
    stated: bool = False  # written under tenancy.tables, rather than read from the policies


@dataclass(frozen=True)
class Sample:
    """A value the spec gives for a column of the test rows (`sample:`), as SQL."""

    table: Name
    column: str
    sql: str


@dataclass(frozen=True)
class Tenancy:
    user_function: Name  # gives the session's user: auth.uid
    setting: str  # what it reads: request.jwt.claim.sub
    membership: Name  # a user's tenant: auth.users_extended
    membership_user: str  # id
    membership_tenant: str  # org_id
    tenant_table: Name | None  # what membership_tenant references (organization), when declared
    tenant_key: str | None  # its column (id)
    role: str  # a user's session runs as it: authenticated
    anonymous_role: str | None  # a session without a user (anon); None: a role without grants, made by the test
    tables: tuple[TenantTable, ...]
    module: str  # the spec module that declares it
    samples: tuple[Sample, ...] = ()

    def column_of(self, table: Name) -> str | None:
        for t in self.tables:
            if t.table == table:
                return t.column
        return None


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
    # How tenants are isolated (Tenancy): what the database tests are made from. Like `intent`,
    # never part of a saved state.
    tenancy: Tenancy | None = None
    # The schemas the spec creates (`schemas:`), in the order written (views K4).
    schemas: tuple[Namespace, ...] = ()
    # Views and materialized views, in the order written (views K4).
    views: tuple[View, ...] = ()
    sequences: tuple[Sequence, ...] = ()  # K2: sequences (state format 3)
    extensions: tuple[Extension, ...] = ()  # K2: extensions (state format 3)
    domains: tuple[Domain, ...] = ()  # types5: domains (state format 4)
    composite_types: tuple[CompositeType, ...] = ()  # types5: composite types (state format 4)
    range_types: tuple[RangeType, ...] = ()  # types5: range types (state format 4)
    # Privileges K5 (state format 4): privileges taken away (`roles` are the roles they are revoked from);
    # applied before `grants`, which win where both name a privilege.
    revokes: tuple[Grant, ...] = ()
    default_privileges: tuple[DefaultPrivilege, ...] = ()  # privileges K5 (state format 4)
    publications: tuple[Publication, ...] = ()  # K1 publications (state format 4)
    event_triggers: tuple[EventTrigger, ...] = ()  # funcs5: event triggers (state format 4)
    aggregates: tuple[Aggregate, ...] = ()  # aggs6: aggregates (state format 4)


class _InModule(Protocol):
    @property
    def module(self) -> str: ...


_M = TypeVar("_M", bound=_InModule)


def by_module(objects: Iterable[_M]) -> dict[str, list[_M]]:
    """Objects grouped by the spec module that declares them, each group in the order given."""
    groups: dict[str, list[_M]] = {}
    for obj in objects:
        groups.setdefault(obj.module, []).append(obj)
    return groups
