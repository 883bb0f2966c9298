"""The rows the tenancy checks start from: two tenants, a user of each, and a row of each tenant in every
table the tenancy covers, parents first.

Every row is derived from the IR. A column gets a value when the row needs one: the tenant column
(the tenant's id), the membership table's user and tenant columns, a foreign key (the same tenant's
parent row, made first: the tenant table's, the membership's, a covered table's, or one made for
it, external tables included, from their declared columns), a partition key (a value inside the
first bounded partition), a key (a value no other test row has), and every NOT NULL column
without a default (a value of its type: values.py, moved where the table's CHECKs want it). The
rest keep their defaults or NULL; a nullable foreign key to a row the tenant has is filled too.
A column's `sample:` in the spec wins over all of this. Ids are uuid5s (stable, so the file is the
same on every build) and numbers far from what sequences hand out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import ir
from ..ir import Name
from ..pg import quoting, sqlparse
from ..templating import environment
from . import values

TENANTS = ("a", "b")


@dataclass(frozen=True)
class Sql:
    """A value written as SQL (a sample, a partition bound): inserted as it is, unknown to the CHECK evaluator."""

    text: str


@dataclass
class Relation:
    """A spec table or an external one, as the rows need it."""

    name: Name
    columns: tuple[ir.Column, ...]
    keys: tuple[tuple[str, ...], ...]  # primary key, unique constraints and unique indexes' columns
    foreign_keys: tuple[ir.Constraint, ...]
    checks: tuple[str, ...] = ()
    table: ir.Table | None = None

    def column(self, name: str) -> ir.Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Row:
    relation: Name
    tenant: str
    number: int  # 1: a tenant's row; 2: a user's insert for its own tenant; 3: its insert for the other tenant
    values: tuple[tuple[str, Any], ...]  # column -> Python value or Sql, in the table's column order
    overriding: bool = False  # values for GENERATED ALWAYS identity columns

    def value(self, column: str) -> Any:
        return dict(self.values).get(column)


@dataclass
class Rows:
    schema: ir.Schema
    tenancy: ir.Tenancy
    made: list[Row] = field(default_factory=list)  # in the order they are made: parents first
    notes: list[str] = field(default_factory=list)
    _memo: dict[tuple[Name, str, int], Row] = field(default_factory=dict)
    _making: set[tuple[Name, str, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.relations = _relations(self.schema)
        self.samples = {(s.table, s.column): Sql(s.sql) for s in self.tenancy.samples}
        self.labels = {e.name: e.values for e in self.schema.enums}
        self.covered = {t.table: t.column for t in self.tenancy.tables}

    # -- who is who ------------------------------------------------------
    def tenant_id(self, tenant: str) -> Any:
        return self._id(self.tenancy.membership, self.tenancy.membership_tenant, f"tenant {tenant}", 1)

    def user_id(self, tenant: str) -> Any:
        return self._id(self.tenancy.membership, self.tenancy.membership_user, f"user {tenant}", 2)

    def _id(self, table: Name, column: str, tag: str, index: int) -> Any:
        relation = self.relations.get(table)
        c = relation.column(column) if relation is not None else None
        if c is None:
            return values.stable_uuid(tag)
        return values.unique_value(c, table, tag, 100 + index + 10 * TENANTS.index(tag[-1]), ())

    def pins(self, name: Name, tenant: str) -> dict[str, Any]:
        """The values a row of `name` must have to be tenant `tenant`'s."""
        t = self.tenancy
        pinned: dict[str, Any] = {}
        if name == t.tenant_table and t.tenant_key is not None:
            pinned[t.tenant_key] = self.tenant_id(tenant)
        if name == t.membership:
            pinned[t.membership_user] = self.user_id(tenant)
            pinned[t.membership_tenant] = self.tenant_id(tenant)
        if name in self.covered:
            pinned[self.covered[name]] = self.tenant_id(tenant)
        return pinned

    # -- rows ------------------------------------------------------------
    def row(self, name: Name, tenant: str, number: int = 1, pinned: dict[str, Any] | None = None) -> Row | None:
        """Tenant `tenant`'s row `number` of `name` (made once, with its parents), or None when it cannot be made."""
        key = (name, tenant, number)
        if key in self._memo:
            return self._memo[key]
        relation = self.relations.get(name)
        if relation is None or key in self._making:
            return None
        self._making.add(key)
        try:
            made = self._make(relation, tenant, number, {**self.pins(name, tenant), **(pinned or {})})
        finally:
            self._making.discard(key)
        self._memo[key] = made
        self.made.append(made)
        return made

    def _make(self, r: Relation, tenant: str, number: int, pinned: dict[str, Any]) -> Row:
        chosen: dict[str, Any] = dict(pinned)
        for c in r.columns:
            sample = self.samples.get((r.name, c.name))
            if sample is not None:
                chosen[c.name] = sample
        for fk in r.foreign_keys:
            self._parent(r, fk, tenant, chosen)
        typed: set[str] = set()  # columns whose value is only a value of their type: free to move for a CHECK
        tag = f"{tenant}{number}"
        index = 10 * TENANTS.index(tenant) + number
        if r.table is not None:
            for column, value in self._partition(r.table).items():
                chosen.setdefault(column, value)
        key_columns = {k for key in r.keys for k in key}
        for c in r.columns:
            if c.name in chosen or c.generated is not None:  # PostgreSQL computes a generated column
                continue
            labels = self.labels.get(c.enum, ()) if c.enum is not None else ()
            if c.name in key_columns:
                chosen[c.name] = values.unique_value(c, r.name, tag, index, labels)
            elif c.not_null and c.default is None and c.identity is None:
                chosen[c.name] = values.plain_value(c, labels)
                typed.add(c.name)
            else:
                continue
            if chosen[c.name] is None:
                del chosen[c.name]
                self.notes.append(
                    f"generated/tests: no value known for {r.name.display}.{c.name} ({c.sql_type}): give the "
                    "column a `sample:` in the spec"
                )
        chosen = self._checked(r, chosen, typed)
        overriding = any(c.identity == "always" and c.name in chosen for c in r.columns)
        ordered = tuple((c.name, chosen[c.name]) for c in r.columns if c.name in chosen)
        return Row(r.name, tenant, number, ordered, overriding)

    def _parent(self, r: Relation, fk: ir.Constraint, tenant: str, chosen: dict[str, Any]) -> None:
        """Fill the foreign key's columns from the tenant's parent row (made first)."""
        assert fk.ref_table is not None
        target = fk.ref_table
        if all(c in chosen for c in fk.columns):
            given = {rc: chosen[c] for c, rc in zip(fk.columns, fk.ref_columns, strict=True)}
            if any(isinstance(v, Sql) for v in given.values()):
                return  # a sample: the spec's word that the parent exists
            parent = self.row(target, tenant, 1, given)
            if parent is not None and all(parent.value(rc) == v for rc, v in given.items()):
                return
            self.row(target, tenant, 10 + len(self.made), given)  # another parent, with the values the row has
            return
        required = any(c.not_null for c in self._columns(r, fk.columns))
        fillable = target in (self.tenancy.tenant_table, self.tenancy.membership) or target in self.covered
        if not (required or fillable):
            return
        parent = self.row(target, tenant, 1)
        if parent is None:
            if required:
                self.notes.append(
                    f"generated/tests: no row of {target.display} can be made for {r.name.display}'s foreign key "
                    f"{fk.name} (a cycle of NOT NULL foreign keys, or a table the spec does not declare)"
                )
            return
        for c, rc in zip(fk.columns, fk.ref_columns, strict=True):
            if parent.value(rc) is not None:
                chosen.setdefault(c, parent.value(rc))

    @staticmethod
    def _columns(r: Relation, names: tuple[str, ...]) -> list[ir.Column]:
        return [c for c in r.columns if c.name in names]

    def _partition(self, t: ir.Table) -> dict[str, Any]:
        """A value for each partition key column, inside the first partition with a lower bound (a time
        partitioning's: now, whose period its maintenance has made)."""
        if t.time_partitions is not None:
            return {t.partition_key[0]: Sql("now()")}
        for p in t.partitions:
            if p.is_list:  # K3 list partitions: a value the first one lists (NULL when that is all it lists)
                value = next((v for v in p.values if v != "NULL"), p.values[0])
                return {t.partition_key[0]: Sql(value)}
            if p.is_hash:  # K3 hash partitions: any value has one (a layout with gaps refuses some)
                return {}
            if p.is_default or p.lower.upper().startswith("MINVALUE"):
                continue
            parts = [v.strip() for v in p.lower.split(",")] if len(t.partition_key) > 1 else [p.lower]
            if len(parts) == len(t.partition_key):
                return {k: Sql(v) for k, v in zip(t.partition_key, parts, strict=True)}
        return {}

    def _checked(self, r: Relation, chosen: dict[str, Any], typed: set[str]) -> dict[str, Any]:
        """`chosen` with the typed columns moved so that no CHECK of the table is false."""
        parts = [c for text in r.checks for c in values.conjuncts(text)]
        if not parts:
            return chosen
        row = {c.name: _known(chosen[c.name]) if c.name in chosen else _default(c) for c in r.columns}
        false = [p for p in parts if values.evaluate(p, row) is False]
        if not false:
            return chosen
        named = {c for p in false for c in values.columns_of(p)}
        seen = [v for p in parts for v in values.constants(p)]
        free = {
            c.name: list(dict.fromkeys(values.candidates(c, seen, self.labels.get(c.enum, ()) if c.enum else ())))
            for c in r.columns
            if c.name in typed and c.name in named
        }
        solved, stuck = values.solve(parts, row, {k: v for k, v in free.items() if v})
        if stuck:
            self.notes.append(
                f"generated/tests: no value found for {', '.join(sorted(stuck & typed)) or 'the columns'} of "
                f"{r.name.display} that its CHECKs take: give the column(s) a `sample:` in the spec"
            )
        return {k: solved[k] if k in typed else v for k, v in chosen.items()}

    # -- statements ------------------------------------------------------
    def insert(self, row: Row) -> str:
        return (
            environment()
            .get_template("dbtests/statements/insert.sql.j2")
            .render(
                table=row.relation.q,
                columns=", ".join(quoting.ident(c) for c, _ in row.values),
                overriding="OVERRIDING SYSTEM VALUE " if row.overriding else "",
                values=", ".join(literal(v) for _, v in row.values),
            )
            .strip()
        )


def literal(value: Any) -> str:
    """A value as SQL."""
    if isinstance(value, Sql):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return quoting.literal(str(value))


def _known(value: Any) -> Any:
    return values.UNKNOWN if isinstance(value, Sql) else value


def _default(c: ir.Column) -> Any:
    """What a column left out holds, as far as the evaluator can tell: NULL, a constant default, or UNKNOWN."""
    if c.identity is not None or c.generated is not None:
        return values.UNKNOWN
    if c.default is None:
        return None
    try:
        return values.evaluate(sqlparse.expression_json(c.default), {})
    except sqlparse.FragmentError:
        return values.UNKNOWN


def _relations(schema: ir.Schema) -> dict[Name, Relation]:
    found = {}
    for t in schema.tables:
        keys = [c.columns for c in t.constraints if c.kind in ("primary_key", "unique")]
        keys += [
            tuple(e.column for e in i.elements if e.column is not None)
            for i in t.indexes
            if i.unique and i.where is None
        ]
        checks = tuple(c.check for c in t.constraints if c.kind == "check" and c.check is not None)
        found[t.name] = Relation(t.name, t.columns, tuple(keys), t.foreign_keys, checks, t)
    for e in schema.external.tables:
        keys = ([e.primary_key] if e.primary_key else []) + list(e.unique)
        found[e.name] = Relation(e.name, e.columns, tuple(keys), e.foreign_keys)
    return found
