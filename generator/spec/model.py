"""Spec models: the YAML format, as Pydantic models that mirror it.

Unknown keys are rejected everywhere (`extra="forbid"`), so a typo is an error,
not a silently ignored setting. These models only check shape; names, SQL and
cross-references are checked when the spec is resolved into the IR
(resolve/), where every object's position in the YAML is known.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import InitErrorDetails


def _sql_text(value: Any) -> Any:
    # `default: 0` or `default: true` is natural YAML; it is SQL text all the same.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _bound_text(value: Any) -> Any:
    # A bound is a literal (quoted in the SQL): an unquoted date is the date written.
    return _sql_text(value)


SqlText = Annotated[str, BeforeValidator(_sql_text)]
Action = Literal["cascade", "set null", "set default", "restrict", "no action"]
Command = Literal["all", "select", "insert", "update", "delete"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Lint(Model):
    """Findings of `schemagen lint` this object is an exception to, each with the reason why."""

    ignore: dict[str, Reason] = Field(
        min_length=1, description="rule id (e.g. P203) -> why this object is an exception"
    )


class Linted(Model):
    """An object that `schemagen lint` reports on, and so may carry suppressions."""

    lint: Lint | None = None


class Column(Linted):
    """A table column. `type` is any PostgreSQL type, e.g. `varchar(255)` or an enum."""

    type: str
    not_null: bool = False
    primary_key: bool = False
    unique: bool = False
    default: SqlText | None = Field(None, description="SQL expression")
    check: SqlText | None = Field(None, description="SQL boolean expression")
    identity: Literal["always", "by default"] | None = None
    references: str | None = Field(None, description="Foreign key target: `table(column)` or `schema.table(column)`")
    on_delete: Action | None = None
    on_update: Action | None = None
    comment: str | None = None
    python_type: str | None = Field(
        None,
        description="Python type of a value (of each element, for an array) in the generated models, "
        "e.g. `str` or `ipaddress.IPv4Interface`; needed for a type the models do not know, overrides the "
        "default otherwise",
    )
    renamed_from: str | None = Field(
        None, description="the old name, when this one was renamed (a rename keeps the data; see README, Migrations)"
    )
    sample: SqlText | None = Field(
        None,
        description="a value for the rows the generated database tests make (generated/tests/), as SQL, e.g. "
        "`'EUR'`; needed only where schemagen cannot derive one from the type and CHECKs",
    )


class Constraint(Linted):
    """A table constraint: exactly one of check, unique, primary_key, foreign_key."""

    name: str | None = None
    check: SqlText | None = None
    unique: list[str] | None = None
    primary_key: list[str] | None = None
    foreign_key: list[str] | None = None
    references: str | None = Field(None, description="`table(col, ...)` for a foreign_key")
    on_delete: Action | None = None
    on_update: Action | None = None
    comment: str | None = None
    nulls_not_distinct: bool = Field(
        False,
        description="UNIQUE NULLS NOT DISTINCT: NULLs count as equal, so one row at most has NULL (PostgreSQL 15+)",
    )
    deferrable: bool = Field(
        False, description="DEFERRABLE (primary key, unique, foreign key): may be checked at the transaction's end"
    )
    initially_deferred: bool = Field(
        False,
        description="INITIALLY DEFERRED: checked at COMMIT unless SET CONSTRAINTS says otherwise (needs deferrable)",
    )
    not_valid: bool = Field(
        False,
        description="a CHECK or foreign key declared NOT VALID: added without checking the rows already there (new "
        "rows are checked); removing it validates the constraint (VALIDATE CONSTRAINT, which blocks no writer)",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Constraint:
        kinds = [k for k in ("check", "unique", "primary_key", "foreign_key") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a constraint needs exactly one of check, unique, primary_key, foreign_key")
        if (self.foreign_key is None) != (self.references is None):
            raise ValueError("`references` goes with `foreign_key`, and only with it")
        if self.foreign_key is None and (self.on_delete or self.on_update):
            raise ValueError("on_delete/on_update apply to foreign keys only")
        if self.nulls_not_distinct and self.unique is None:
            raise ValueError("nulls_not_distinct applies to unique constraints only")
        if self.deferrable and self.check is not None:
            raise ValueError("deferrable applies to primary_key, unique and foreign_key constraints only")
        if self.initially_deferred and not self.deferrable:
            raise ValueError("initially_deferred needs deferrable: true")
        if self.not_valid and self.check is None and self.foreign_key is None:
            raise ValueError("not_valid applies to check and foreign_key constraints only")
        return self


class Index(Linted):
    """An index. Each entry of `columns` is one key as CREATE INDEX writes it: a column or expression, optionally
    `COLLATE "C"`, an operator class with its parameters (`text_pattern_ops`, `gist_trgm_ops (siglen = 32)`),
    `ASC`/`DESC`, `NULLS FIRST`/`NULLS LAST`."""

    columns: list[str] = Field(min_length=1)
    unique: bool = False
    method: Literal["btree", "hash", "gist", "gin", "spgist", "brin", "hnsw", "ivfflat"] = Field(
        "btree", description="the access method; hnsw and ivfflat are the vector extension's"
    )
    where: SqlText | None = Field(None, description="partial-index predicate")
    include: list[str] = []
    nulls_not_distinct: bool = Field(
        False, description="a unique index whose NULLs count as equal: NULLS NOT DISTINCT (PostgreSQL 15+)"
    )
    with_: dict[str, SqlText] = Field(
        {},
        alias="with",
        description="storage parameters, WITH (...): e.g. `{fillfactor: 70}`, `{m: 16, ef_construction: 64}` (hnsw)",
    )
    comment: str | None = None


Bound = Annotated[str, BeforeValidator(_bound_text)]


class Partition(Linted):
    """A range partition: `from` inclusive, `to` exclusive; MINVALUE / MAXVALUE allowed. Or the default partition."""

    from_: Bound | None = Field(None, alias="from", description="lower bound, inclusive (required unless `default`)")
    to: Bound | None = Field(None, description="upper bound, exclusive (required unless `default`)")
    default: bool = Field(
        False,
        description="the DEFAULT partition, without from/to: it takes the rows no range partition does, "
        "so a row past the last range is kept rather than refused (at most one per table)",
    )
    comment: str | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _bounds_required(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Partition:
        """A range partition misses `from` or `to` as any required key, reported with the other errors of the spec.

        (Optional fields, because the default partition has neither; a default
        partition that has one is an error of resolve, at the key.)
        """
        missing = (
            []
            if not isinstance(data, dict) or data.get("default") is True
            else [k for k in ("from", "to") if data.get(k) is None]
        )
        errors = [InitErrorDetails(type="missing", loc=(k,), input=data) for k in missing]
        try:
            part: Partition = handler(data)
        except ValidationError as exc:
            if not errors:
                raise
            found = [
                InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"], ctx=e.get("ctx", {}))
                for e in exc.errors()
            ]
            raise ValidationError.from_exception_data(exc.title, found + errors) from None
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return part


class Partitioning(Model):
    by: Literal["range"] = "range"
    key: list[str] = Field(min_length=1)
    partitions: dict[str, Partition] = {}
    # Time partitions declared as a rule (README, "Time partitions"): made and retired by a maintenance function.
    interval: str | None = Field(
        None,
        description="time partitions made by the table's maintenance function, one per period: 1 day, 1 week "
        "(from Monday), 1 month, 1 quarter or 1 year; the key is a date, timestamp or timestamptz column",
    )
    start: Bound | None = Field(None, description="the first period's first day (required with `interval`)")
    premake: int = Field(4, ge=0, description="periods made ahead of the current one")
    retain: str | None = Field(
        None, description="how long partitions are kept before the current period (e.g. 24 months); default: forever"
    )
    retired: Literal["detach", "drop"] = Field(
        "detach",
        description="what happens to a partition older than `retain`: detached (kept as a table of its own) or "
        "dropped with its rows",
    )
    default: bool = Field(
        False, description="a DEFAULT partition (<table>_default) keeps rows outside every period (late or early)"
    )
    timezone: str = Field("UTC", description="the tz database zone whose midnights bound the periods")
    schedule: str | None = Field(
        None, description="a pg_cron schedule (e.g. '0 3 * * *') for the maintenance, made when pg_cron is installed"
    )


class Policy(Linted):
    command: Command = "all"
    using: SqlText | None = None
    check: SqlText | None = None
    roles: list[str] = ["public"]
    restrictive: bool = False
    comment: str | None = None


class PolicyTemplate(Model):
    """One policy pattern, applied to many tables. `{table}` and `{prefix}`, `{command}` are substituted."""

    description: str | None = None
    commands: list[Command] = Field(min_length=1)
    name: str = "{prefix}_{command}"
    using: SqlText | None = None
    check: SqlText | None = None
    roles: list[str] = ["public"]
    restrictive: bool = False


class ApplyPolicy(Linted):
    template: str
    prefix: str | None = Field(None, description="defaults to the table name")


SeedValue = str | int | float | bool | None | datetime.date | datetime.datetime | dict[str, Any] | list[Any]


class Rows(Model):
    """Rows the schema needs (lookup rows, a storage bucket): written by the migrations after the table exists,
    one `INSERT ... ON CONFLICT (key)` per row, and diffed by key (rows added, changed, removed)."""

    key: list[str] = Field(
        min_length=1, description="the columns that identify a row: the table's primary key or a unique key"
    )
    on_conflict: Literal["update", "nothing"] = Field(
        "update",
        description="a row whose key the table already has: `update` sets it to the spec's values (`DO UPDATE`), "
        "`nothing` keeps it as it is (`DO NOTHING`: the spec seeds it once, users may change it)",
    )
    data: list[dict[str, SeedValue]] = Field(
        min_length=1,
        description="the rows, column: value (a YAML scalar, read by the column's type as a quoted SQL constant; "
        "a mapping or list for a json/jsonb column); a column left out gets its default",
    )


class ReplicaIndex(Model):
    """`REPLICA IDENTITY USING INDEX`: a unique, non-partial index (or the primary key or a unique constraint) on
    NOT NULL columns of the table."""

    index: str = Field(description="the index's name, e.g. `messages_pkey`")


class Table(Linted):
    comment: str | None = None
    columns: dict[str, Column] = Field(min_length=1)
    constraints: list[Constraint] = []
    indexes: dict[str, Index] = {}
    partitioning: Partitioning | None = None
    row_level_security: bool = False
    force_row_level_security: bool = False
    policies: dict[str, Policy] = {}
    apply_policies: list[ApplyPolicy] = []
    replica_identity: Literal["default", "full", "nothing"] | ReplicaIndex = Field(
        "default",
        description="what logical replication (Supabase Realtime, publications) sends of an old row: `default` (its "
        "primary key), `full` (every column), `nothing`, or `{index: name}`",
    )
    triggers: dict[str, TableTrigger] = Field(
        {}, description="the table's triggers, by name (unique per table, as in PostgreSQL)"
    )
    renamed_from: str | None = Field(
        None, description="the old name, when this one was renamed (a rename keeps the data; see README, Migrations)"
    )
    rows: Rows | None = Field(None, description="seed rows: rows the schema needs, diffed by key")


class Enum(Model):
    values: list[str] = Field(min_length=1)
    comment: str | None = None
    renamed_from: str | None = Field(
        None, description="the old name, when this one was renamed (a rename keeps the data; see README, Migrations)"
    )
    renamed_values: dict[str, str] = Field(
        {}, description="new value: old value, for values renamed since the last migration"
    )


class Function(Linted):
    args: str = Field("", description="SQL parameter list, e.g. `p_org uuid, p_limit integer DEFAULT 10`")
    returns: str
    language: str = "plpgsql"
    volatility: Literal["volatile", "stable", "immutable"] = "volatile"
    security: Literal["invoker", "definer"] = "invoker"
    strict: bool = False
    search_path: list[str] | None = Field(None, description="fixed search_path; [] means ''")
    body: str
    comment: str | None = None
    parallel: Literal["unsafe", "restricted", "safe"] = Field(
        "unsafe", description="PARALLEL SAFE / RESTRICTED: whether parallel query may run it (default unsafe)"
    )
    leakproof: bool = Field(
        False, description="LEAKPROOF: reveals nothing about its arguments but its result (a superuser creates it)"
    )
    cost: float | None = Field(None, gt=0, description="COST: its estimated cost, in units of cpu_operator_cost")
    rows: float | None = Field(None, gt=0, description="ROWS: the rows a set-returning function is estimated to return")
    renamed_from: str | None = Field(
        None,
        description="the old name (same schema, same input types), when this one was renamed (ALTER FUNCTION ... "
        "RENAME: grants, comment and the triggers that call it kept)",
    )


class Procedure(Linted):
    """A procedure (CREATE PROCEDURE; run with CALL): no result, and it may COMMIT. Overloads as for functions."""

    args: str = Field("", description="SQL parameter list, e.g. `cutoff date, INOUT moved integer DEFAULT 0`")
    language: str = "plpgsql"
    security: Literal["invoker", "definer"] = "invoker"
    search_path: list[str] | None = Field(None, description="fixed search_path; [] means ''")
    body: str
    comment: str | None = None


class EventTrigger(Linted):
    """An event trigger (CREATE EVENT TRIGGER): a function run on DDL in the whole database. Only a superuser
    may create one (Supabase: not through the API roles)."""

    event: Literal["ddl_command_start", "ddl_command_end", "sql_drop", "table_rewrite"]
    function: str = Field(description="a function returning event_trigger: of the spec, or external")
    tags: list[str] = Field(
        [], description="the command tags it fires for (WHEN TAG IN), e.g. `DROP TABLE`; all when empty"
    )
    comment: str | None = None


class TransitionTables(Model):
    """`REFERENCING OLD TABLE AS ... NEW TABLE AS ...`: the rows a statement changed, as tables an AFTER trigger's
    function reads."""

    old_table: str | None = Field(None, description="name of the rows before the statement (UPDATE, DELETE)")
    new_table: str | None = Field(None, description="name of the rows after the statement (INSERT, UPDATE)")


def _argument_text(value: Any) -> Any:
    # `args: [5, true]` is natural YAML; a trigger argument is a string all the same.
    return _sql_text(value)


TriggerArgument = Annotated[str, BeforeValidator(_argument_text)]


class TableTrigger(Linted):
    """A trigger declared with its table (`tables.<table>.triggers`): its name is unique per table, as in
    PostgreSQL."""

    timing: Literal["before", "after", "instead of"]
    events: list[Literal["insert", "update", "delete", "truncate"]] = Field(min_length=1)
    update_of: list[str] = Field(
        [], description="`UPDATE OF col, ...`: the update event fires only when one of these columns is set"
    )
    for_each: Literal["row", "statement"] = "row"
    referencing: TransitionTables | None = Field(
        None, description="transition tables of an AFTER trigger: `{old_table: name, new_table: name}`"
    )
    function: str = Field(
        description="the trigger function: a spec function returning trigger, an external one, or a built-in one "
        "(`suppress_redundant_updates_trigger`, `tsvector_update_trigger`, `tsvector_update_trigger_column`)"
    )
    args: list[TriggerArgument] = Field(
        [], description="arguments passed to the function (TG_ARGV), each written as a string literal"
    )
    when: SqlText | None = None
    sets: list[str] = Field([], description="columns the trigger function computes")
    comment: str | None = None


class Sequence(Model):
    """A sequence (CREATE SEQUENCE). Every option left out takes PostgreSQL's default."""

    as_: Literal["smallint", "integer", "bigint"] = Field(
        "bigint", alias="as", description="the type of its values (default bigint)"
    )
    start: int | None = Field(None, description="the first value (default: min for an ascending sequence, else max)")
    increment: int = Field(1, description="added to the last value; negative for a descending sequence")
    min: int | None = Field(None, description="the least value (default 1, or the type's least when descending)")
    max: int | None = Field(None, description="the greatest value (default the type's greatest, or -1 when descending)")
    cache: int = Field(1, ge=1, description="how many values a session reserves at once")
    cycle: bool = Field(False, description="start again at min (max) after max (min), instead of an error")
    owned_by: str | None = Field(
        None,
        description="`table.column` (or `schema.table.column`): the sequence is dropped with that column, as a "
        "serial column's is",
    )
    comment: str | None = None


class Trigger(TableTrigger):
    """A trigger in the top-level `triggers:` mapping, naming its table (one trigger name per spec file: declare
    triggers under their table to use a name on several tables)."""

    table: str


class Grant(Linted):
    privileges: list[str] = Field(min_length=1)
    tables: list[str] = []
    functions: list[str] = []
    sequences: list[str] = []
    all_sequences_in_schema: str | None = None
    to: list[str] = Field(min_length=1)
    with_grant_option: bool = False
    schemas: list[str] = Field([], description="schemas, for `usage` or `create` (GRANT ... ON SCHEMA)")

    @model_validator(mode="after")
    def _has_target(self) -> Grant:
        if not (self.tables or self.functions or self.sequences or self.all_sequences_in_schema or self.schemas):
            raise ValueError("a grant needs tables, functions, sequences, schemas or all_sequences_in_schema")
        return self


class ExternalColumn(Model):
    type: str
    primary_key: bool = False
    unique: bool = False
    not_null: bool = False
    references: str | None = None
    sample: SqlText | None = Field(
        None,
        description="a value for the rows the generated database tests make (generated/tests/), as SQL, e.g. "
        "`'EUR'`; needed only where schemagen cannot derive one from the type and CHECKs",
    )


class ExternalTable(Model):
    """A table an earlier migration (or another tool, e.g. Supabase's `auth.users`, `storage.objects`) created.

    schemagen never creates, alters or drops it; the policies and (in `triggers:`) triggers the spec attaches
    to it, and its grants, are the spec's: created, diffed and dropped like those of the spec's own tables."""

    columns: dict[str, ExternalColumn] = Field(min_length=1)
    row_level_security: bool = Field(
        False,
        description="the table has row level security enabled by whoever made it (Supabase's storage.objects "
        "does): stated so that lint and the stand-ins (`schemagen standins`) know; migrations never change it",
    )
    policies: dict[str, Policy] = Field(
        {}, description="policies of the spec on this table (e.g. storage policies on storage.objects)"
    )
    rows: Rows | None = Field(None, description="seed rows the spec puts in it (e.g. Supabase's storage bucket row)")
    indexes: dict[str, Index] = Field(
        {},
        description="indexes of the spec on this table (e.g. on storage.objects): created CONCURRENTLY by a migration, "
        "diffed and dropped; the table itself is never created",
    )


class ExternalFunction(Model):
    args: str = ""
    returns: str
    stand_in: SqlText | None = Field(None, description="SQL body used for test databases only")


class ExternalType(Model):
    """A type made outside the spec (by an extension not installed here, such as PostGIS's geography)."""

    schema_: str = Field("public", alias="schema", description="the schema it is in (default public)")
    python_type: str | None = Field(
        None, description="Python type of a value in the generated models (else each column of it needs one)"
    )


class External(Model):
    """Objects an earlier migration created: referenced and checked, never created."""

    roles: list[str] = []
    schemas: list[str] = []
    tables: dict[str, ExternalTable] = {}
    functions: dict[str, ExternalFunction] = {}
    types: dict[str, ExternalType] = Field(
        default={},
        description="types made elsewhere, usable as column types: `geography: {schema: public, python_type: str}`",
    )


class Extension(Linted):
    """An extension: CREATE EXTENSION IF NOT EXISTS ... WITH SCHEMA ..., first in the migration."""

    schema_: str = Field(
        "public", alias="schema", description="where its objects go (default public; lint C314 suggests another)"
    )


class TenancyUser(Model):
    """How a session says which user it is."""

    function: str = Field(description="the function that gives the session's user, e.g. `auth.uid`")
    setting: str = Field(
        description="the setting that function reads, e.g. `request.jwt.claim.sub`: a test session sets it to its "
        "user's id"
    )


class TenancyMembership(Model):
    """The table that says which tenant each user belongs to."""

    table: str = Field(description="e.g. `auth.users_extended`")
    user: str = Field(description="its column holding the user's id, e.g. `id`")
    tenant: str = Field(description="its column holding the user's tenant, e.g. `org_id`")


class TenancyTable(Model):
    column: str = Field(description="the column that holds the row's tenant")


class Tenancy(Model):
    """How the schema isolates tenants, stated once; `schemagen build` writes database tests from it
    (generated/tests/<module>.sql, `schemagen test`)."""

    user: TenancyUser
    membership: TenancyMembership
    role: str | None = Field(
        None,
        description="the role a user's session runs as (default: the role the tenant tables' policies name, else "
        "the one granted on them)",
    )
    anonymous_role: str | None = Field(
        None,
        description="the role of a session without a user, which must read nothing (e.g. `anon`; default: a role "
        "without grants, made for the test)",
    )
    tables: dict[str, TenancyTable] = Field(
        {},
        description="the tenant column of a table, where its policies do not show it (default: every table whose "
        "policies compare a column with the user's tenant, that column)",
    )


class SchemaSpec(Model):
    """A schema the spec creates (CREATE SCHEMA); its tables, enums and functions are named `schema.name`."""

    comment: str | None = None
    renamed_from: str | None = Field(
        None,
        description="the old name, when this one was renamed (ALTER ... RENAME: grants, comments, dependents kept)",
    )


class ViewColumn(Model):
    """An output column of a view: its type where schemagen cannot infer it from the query, its docs."""

    type: str | None = Field(
        None,
        description="the column's SQL type; needed unless the column is a plain column of a table or view of the "
        "spec, a cast (`x::numeric`) or count(...)",
    )
    comment: str | None = None
    python_type: str | None = Field(None, description="Python type of a value in the generated models")


class View(Linted):
    """A view (CREATE VIEW): the query, and how PostgreSQL runs it."""

    query: str = Field(description="one SELECT; each output column named (a column, or `AS name`)")
    security_invoker: bool = Field(
        False,
        description="check privileges and row level security as the querying role, not the view's owner "
        "(PostgreSQL 15+)",
    )
    check_option: Literal["local", "cascaded"] | None = Field(
        None, description="WITH CHECK OPTION: an INSERT or UPDATE through the view must satisfy its WHERE"
    )
    columns: dict[str, ViewColumn] = {}
    comment: str | None = None
    renamed_from: str | None = Field(
        None,
        description="the old name, when this one was renamed (ALTER ... RENAME: grants, comments, dependents kept)",
    )


class MaterializedView(Linted):
    """A materialized view (CREATE MATERIALIZED VIEW), with its indexes."""

    query: str = Field(description="one SELECT; each output column named (a column, or `AS name`)")
    columns: dict[str, ViewColumn] = {}
    indexes: dict[str, Index] = Field(
        {}, description="a unique index on plain columns lets `REFRESH MATERIALIZED VIEW CONCURRENTLY` run"
    )
    comment: str | None = None
    renamed_from: str | None = Field(
        None,
        description="the old name, when this one was renamed (ALTER ... RENAME: grants, comments, dependents kept)",
    )


class Migration(Model):
    version: int = Field(ge=1, le=9999)
    name: str = Field(pattern=r"^[a-z0-9_]+$")


class SpecFile(Model):
    """One spec module (one YAML file)."""

    module: str | None = Field(None, pattern=r"^[a-z_][a-z0-9_]*$")
    description: str | None = None
    migration: Migration | None = None
    external: External = External()
    extensions: dict[str, Extension] = Field(
        {}, description="extensions to install (their types become column types: `vector(1536)`, `extensions.citext`)"
    )
    enums: dict[str, Enum] = {}
    policy_templates: dict[str, PolicyTemplate] = {}
    tables: dict[str, Table] = {}
    sequences: dict[str, Sequence] = Field(
        {}, description="CREATE SEQUENCE; `type: serial` (bigserial, smallserial) makes one per column by itself"
    )
    functions: dict[str, Function] = {}
    procedures: dict[str, Procedure] = Field(
        {}, description="CREATE PROCEDURE (CALL name(...)); keyed like functions: `name` or `name(types)`"
    )
    triggers: dict[str, Trigger] = {}
    event_triggers: dict[str, EventTrigger] = Field(
        {}, description="CREATE EVENT TRIGGER (database-wide, by name; a superuser applies them)"
    )
    grants: list[Grant] = []
    tenancy: Tenancy | None = Field(None, description="how tenants are isolated (one spec file declares it)")
    schemas: dict[str, SchemaSpec] = Field(
        {}, description="schemas the spec creates, e.g. `private` for SECURITY DEFINER helpers (`public` exists)"
    )
    views: dict[str, View] = {}
    materialized_views: dict[str, MaterializedView] = {}
    allow_destructive: list[str] = Field(
        [],
        description="changes that destroy data, confirmed for the next migration only: `drop table T`, `drop column "
        "T.C`, `change type T.C` (or `change type T.C to TYPE`), `drop enum value E.V`, `drop partition "
        "P`, `delete rows T` (seed rows removed from the spec); remove an entry once its migration is written",
    )


def json_schema() -> dict[str, Any]:
    schema = SpecFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "schemagen spec file"
    return schema
