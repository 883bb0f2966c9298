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


class Generated(Model):
    """A generated column's expression, written out: `{expression: "upper(name)", virtual: true}`."""

    expression: SqlText = Field(description="SQL expression over the row's other columns (immutable functions only)")
    virtual: bool = Field(
        False,
        description="VIRTUAL: computed when read, never stored (PostgreSQL 18: postgres_version); default STORED",
    )


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
    generated: SqlText | Generated | None = Field(
        None,
        description="GENERATED ALWAYS AS (expression) STORED: a value PostgreSQL computes from the row's other "
        "columns (read-only in the models); `{expression: ..., virtual: true}` for VIRTUAL (PostgreSQL 18)",
    )
    collation: str | None = Field(
        None, description='COLLATE: the collation of a text column, e.g. `"C"` or `und-x-icu` (any the server has)'
    )


class Constraint(Linted):
    """A table constraint: exactly one of check, unique, primary_key, foreign_key, exclude."""

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
    # K3 exclusion constraints: EXCLUDE USING <using> (<element> WITH <operator>, ...) [INCLUDE (...)] [WHERE (...)].
    exclude: list[str] | None = Field(
        None,
        min_length=1,
        description="an exclusion constraint: each element a key as CREATE INDEX writes it, then WITH and an "
        'operator, e.g. `["room WITH =", "during WITH &&"]`: no two rows may have every comparison true',
    )
    using: Literal["btree", "hash", "gist", "spgist"] | None = Field(
        None, description="the index method of an exclusion constraint (PostgreSQL's default: btree; gist for ranges)"
    )
    where: SqlText | None = Field(
        None, description="an exclusion constraint's predicate: only the rows where it holds are compared"
    )
    include: list[str] | None = Field(None, description="an exclusion constraint's INCLUDE columns (gist, btree)")

    @model_validator(mode="after")
    def _one_kind(self) -> Constraint:
        kinds = [
            k for k in ("check", "unique", "primary_key", "foreign_key", "exclude") if getattr(self, k) is not None
        ]
        if len(kinds) != 1:
            raise ValueError("a constraint needs exactly one of check, unique, primary_key, foreign_key, exclude")
        if self.exclude is None and (self.using or self.where is not None or self.include is not None):
            raise ValueError("using, where and include apply to exclusion constraints (exclude) only")
        if (self.foreign_key is None) != (self.references is None):
            raise ValueError("`references` goes with `foreign_key`, and only with it")
        if self.foreign_key is None and (self.on_delete or self.on_update):
            raise ValueError("on_delete/on_update apply to foreign keys only")
        if self.nulls_not_distinct and self.unique is None:
            raise ValueError("nulls_not_distinct applies to unique constraints only")
        if self.deferrable and self.check is not None:
            raise ValueError("deferrable applies to primary_key, unique, foreign_key and exclude constraints only")
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


ListValue = Annotated[str | None, BeforeValidator(_bound_text)]


class Partition(Linted):
    """A range partition: `from` inclusive, `to` exclusive; MINVALUE / MAXVALUE allowed. Or the default partition.
    A list partition has `values`, a hash partition `modulus` and `remainder`."""

    from_: Bound | None = Field(None, alias="from", description="lower bound, inclusive (required unless `default`)")
    to: Bound | None = Field(None, description="upper bound, exclusive (required unless `default`)")
    default: bool = Field(
        False,
        description="the DEFAULT partition, without from/to: it takes the rows no range partition does, "
        "so a row past the last range is kept rather than refused (at most one per table)",
    )
    comment: str | None = None
    # K3 list and hash partitioning.
    values: list[ListValue] | None = Field(
        None,
        min_length=1,
        description="a list partition's values (FOR VALUES IN), each read by the key column's type; null takes NULL",
    )
    modulus: int | None = Field(None, ge=1, description="a hash partition's modulus (FOR VALUES WITH)")
    remainder: int | None = Field(None, ge=0, description="a hash partition's remainder, below its modulus")
    # K3 indexes and constraints of one partition (besides those it takes from its table).
    indexes: dict[str, Index] = Field({}, description="indexes of this partition alone (the table's it has anyway)")
    constraints: list[Constraint] = Field(
        [], description="constraints of this partition alone: check, unique, foreign_key, exclude"
    )

    @model_validator(mode="wrap")
    @classmethod
    def _bounds_required(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Partition:
        """A range partition misses `from` or `to` as any required key, reported with the other errors of the spec.

        (Optional fields, because the default partition has neither; a default
        partition that has one is an error of resolve, at the key.)
        """
        missing = (
            []
            if not isinstance(data, dict)
            or data.get("default") is True
            or any(k in data for k in ("values", "modulus", "remainder"))
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
    by: Literal["range", "list", "hash"] = Field(
        "range", description="range (from/to), list (values) or hash (modulus/remainder) partitions"
    )
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
    adopted: bool = Field(
        False,
        description="the table exists already in every database (made by an earlier migration, e.g. moved here "
        "from `external.tables`, or imported): the next migration takes it over as declared here (its indexes, "
        "constraints, policies and triggers included) after checking that it exists, without creating it; "
        "harmless once that migration is written",
    )


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
    set: dict[str, str | int | float] = Field(
        {},
        description="configuration parameters set while it runs (`SET work_mem = '64MB'`), e.g. `{work_mem: 64MB, "
        "statement_timeout: 5s}`; search_path has its own field",
    )
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
    set: dict[str, str | int | float] = Field(
        {},
        description="configuration parameters set while it runs (`SET work_mem = '64MB'`), e.g. `{work_mem: 64MB, "
        "statement_timeout: 5s}`; search_path has its own field",
    )


class EventTrigger(Linted):
    """An event trigger (CREATE EVENT TRIGGER): a function run on DDL in the whole database. Only a superuser
    may create one (Supabase: not through the API roles)."""

    event: Literal["ddl_command_start", "ddl_command_end", "sql_drop", "table_rewrite"]
    function: str = Field(description="a function returning event_trigger: of the spec, or external")
    tags: list[str] = Field(
        [], description="the command tags it fires for (WHEN TAG IN), e.g. `DROP TABLE`; all when empty"
    )
    comment: str | None = None


class Aggregate(Linted):
    """An aggregate (CREATE AGGREGATE), keyed by its signature, e.g. `product(numeric)`: a state of type `stype`,
    started at `initcond`, advanced by `sfunc(state, inputs...)` for each row, turned into the result by
    `finalfunc(state)` (the state itself when none)."""

    sfunc: str = Field(
        description="the state transition function, taking (stype, the input types): of the spec, "
        "external or built-in (e.g. `numeric_mul`)"
    )
    stype: str = Field(description="the state's type, e.g. `numeric`")
    finalfunc: str | None = Field(None, description="the final function, taking (stype); the result is what it returns")
    initcond: str | None = Field(
        None, description="the state's initial value, as text (e.g. `'1'`); none: NULL, the first input"
    )
    combinefunc: str | None = Field(
        None, description="combines two partial states (stype, stype) into one, for parallel aggregation"
    )
    parallel: Literal["unsafe", "restricted", "safe"] = "unsafe"
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
    renamed_from: str | None = Field(
        None, description="the old name, when this one was renamed (ALTER SEQUENCE ... RENAME: its values are kept)"
    )


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
    columns: list[str] = Field(
        [],
        description="columns of each of `tables`: a column-level grant (GRANT SELECT (id, name) ON ...), for "
        "select, insert, update and references",
    )

    @model_validator(mode="after")
    def _has_target(self) -> Grant:
        if not (self.tables or self.functions or self.sequences or self.all_sequences_in_schema or self.schemas):
            raise ValueError("a grant needs tables, functions, sequences, schemas or all_sequences_in_schema")
        return self


class Revoke(Linted):
    """Privileges taken away from roles: what an object gets without the spec's grants (PostgreSQL gives EXECUTE on
    a function to PUBLIC; default privileges, such as Supabase's, give anon and authenticated every table and
    function). The spec's grants apply after its revokes: `revoke all from authenticated` and `grant select to
    authenticated` leave SELECT."""

    privileges: list[str] = Field(min_length=1)
    tables: list[str] = []
    functions: list[str] = []
    sequences: list[str] = []
    schemas: list[str] = Field([], description="schemas (REVOKE ... ON SCHEMA)")
    from_: list[str] = Field(min_length=1, alias="from", description="roles, `public` for PUBLIC")

    @model_validator(mode="after")
    def _has_target(self) -> Revoke:
        if not (self.tables or self.functions or self.sequences or self.schemas):
            raise ValueError("a revoke needs tables, functions, sequences or schemas")
        return self


class DefaultPrivilege(Linted):
    """ALTER DEFAULT PRIVILEGES: what objects created later get (PostgreSQL's meaning: objects that exist keep their
    privileges). Either `to` (GRANT) or `from` (REVOKE, e.g. EXECUTE on functions from public)."""

    for_role: str | None = Field(
        None, description="the role whose new objects get them (FOR ROLE; default: the role running the migration)"
    )
    in_schema: str | None = Field(None, description="only objects created in this schema (IN SCHEMA; not for schemas)")
    on: Literal["tables", "sequences", "functions", "types", "schemas"]
    privileges: list[str] = Field(min_length=1)
    to: list[str] = Field([], description="roles granted them, `public` for PUBLIC")
    from_: list[str] = Field([], alias="from", description="roles they are revoked from, `public` for PUBLIC")

    @model_validator(mode="after")
    def _one_direction(self) -> DefaultPrivilege:
        if bool(self.to) == bool(self.from_):
            raise ValueError("a default privilege needs either to (GRANT) or from (REVOKE)")
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


class PublishedTable(Model):
    """A table of a publication with a column list or a row filter (PostgreSQL 15+: postgres_version)."""

    table: str
    columns: list[str] | None = Field(None, min_length=1, description="only these columns are published")
    where: SqlText | None = Field(None, description="only the rows for which this holds are published (SQL)")


class Publication(Model):
    """A publication (logical replication, Supabase Realtime): CREATE PUBLICATION ... FOR TABLE ...; one named in
    `external.publications` is made elsewhere, and schemagen only adds and drops the tables listed here."""

    tables: list[str | PublishedTable] = Field(
        [],
        description="the tables it publishes: `messages`, `public.rooms`, or `{table: messages, columns: [...], "
        "where: ...}` (PostgreSQL 15+)",
    )
    for_all_tables: bool = Field(
        False, description="FOR ALL TABLES: every table of the database, those made later too (needs a superuser)"
    )
    publish: list[Literal["insert", "update", "delete", "truncate"]] = Field(
        ["insert", "update", "delete", "truncate"],
        min_length=1,
        description="the operations it publishes (default all four)",
    )
    comment: str | None = None


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
    publications: list[str] = Field(
        default=[],
        description="publications made elsewhere (Supabase's `supabase_realtime`): schemagen only adds and drops the "
        "tables `publications:` lists for them",
    )


class Extension(Linted):
    """An extension: CREATE EXTENSION IF NOT EXISTS ... WITH SCHEMA ..., first in the migration."""

    schema_: str = Field(
        "public", alias="schema", description="where its objects go (default public; lint C314 suggests another)"
    )
    comment: str | None = Field(
        None, description="COMMENT ON EXTENSION (replaces the extension's own; left out, the extension's own stays)"
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


class Domain(Model):
    """A domain (CREATE DOMAIN): a type with its constraints, usable wherever a type is (columns, arrays,
    composite attributes)."""

    type: str = Field(description="the base type: built-in, an extension's or external one, an enum, a composite")
    not_null: bool = Field(False, description="NOT NULL: no value of the domain may be NULL")
    default: SqlText | None = Field(None, description="SQL expression: the default of every column of the domain")
    check: SqlText | None = Field(
        None, description="SQL boolean expression over VALUE, named <domain>_check as PostgreSQL names it"
    )
    checks: dict[str, SqlText] = Field({}, description="named CHECK constraints: name -> SQL expression over VALUE")
    collation: str | None = Field(None, description='COLLATE of a text domain, e.g. `"C"` or `und-x-icu`')
    comment: str | None = None
    renamed_from: str | None = Field(
        None, description="the old name, when this one was renamed (ALTER DOMAIN ... RENAME TO; columns keep it)"
    )


class CompositeAttribute(Model):
    """An attribute of a composite type."""

    type: str = Field(description="any type a column may have (arrays, domains, other composite types)")
    comment: str | None = None


class CompositeType(Model):
    """A composite type (CREATE TYPE ... AS (...)): a row value, usable as a column type (a Pydantic model in the
    generated models)."""

    attributes: dict[str, CompositeAttribute] = Field(min_length=1, description="name -> {type: ...}, in order")
    comment: str | None = None
    renamed_from: str | None = Field(
        None, description="the old name, when this one was renamed (ALTER TYPE ... RENAME TO; columns keep it)"
    )


class RangeType(Model):
    """A range type (CREATE TYPE ... AS RANGE), and its multirange (PostgreSQL 14+)."""

    subtype: str = Field(description="the type of its bounds, e.g. `float8`")
    subtype_opclass: str | None = Field(None, description="the btree operator class ordering the subtype")
    collation: str | None = Field(None, description="the collation ordering a text subtype")
    canonical: str | None = Field(None, description="the canonical function (a discrete range)")
    subtype_diff: str | None = Field(None, description="the difference function, e.g. `float8mi` (GiST performance)")
    multirange: str | None = Field(
        None, description="the multirange type's name (default as PostgreSQL makes it: range -> multirange)"
    )
    comment: str | None = None


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
    aggregates: dict[str, Aggregate] = Field(
        {}, description="CREATE AGGREGATE, keyed by signature: `name(types)`, e.g. `product(numeric)`"
    )
    event_triggers: dict[str, EventTrigger] = Field(
        {}, description="CREATE EVENT TRIGGER (database-wide, by name; a superuser applies them)"
    )
    grants: list[Grant] = []
    revokes: list[Revoke] = Field(
        [],
        description="privileges taken away (REVOKE), applied before the grants: e.g. EXECUTE on a SECURITY "
        "DEFINER function from public, anon and authenticated",
    )
    default_privileges: list[DefaultPrivilege] = Field(
        [], description="ALTER DEFAULT PRIVILEGES: what objects created later get (applied before the objects)"
    )
    tenancy: Tenancy | None = Field(None, description="how tenants are isolated (one spec file declares it)")
    schemas: dict[str, SchemaSpec] = Field(
        {}, description="schemas the spec creates, e.g. `private` for SECURITY DEFINER helpers (`public` exists)"
    )
    views: dict[str, View] = {}
    materialized_views: dict[str, MaterializedView] = {}
    domains: dict[str, Domain] = Field({}, description="CREATE DOMAIN: a base type with NOT NULL, DEFAULT, CHECKs")
    composite_types: dict[str, CompositeType] = Field({}, description="CREATE TYPE ... AS (attributes)")
    range_types: dict[str, RangeType] = Field({}, description="CREATE TYPE ... AS RANGE (subtype, ...)")
    publications: dict[str, Publication] = Field(
        {}, description="publications for logical replication (Supabase Realtime): `supabase_realtime: {tables: [...]}`"
    )
    allow_destructive: list[str] = Field(
        [],
        description="changes that destroy data, confirmed for the next migration only: `drop table T`, `drop column "
        "T.C`, `change type T.C` (or `change type T.C to TYPE`), `drop enum value E.V`, `drop partition "
        "P`, `delete rows T` (seed rows removed from the spec), `rewrite table T` (a STORED generated column added or "
        "changed: the table is rewritten under an ACCESS EXCLUSIVE lock); remove an entry once its migration is "
        "written",
    )


def json_schema() -> dict[str, Any]:
    schema = SpecFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "schemagen spec file"
    return schema
