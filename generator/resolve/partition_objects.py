"""Indexes and constraints of one partition (`partitions: {p: {indexes: ..., constraints: ...}}`): what a partition
has besides what it takes from its table.

PostgreSQL's rules, checked here: a partition takes every index, key and CHECK of its table, so a constraint of its
own may not reuse one of their names; it may not have a primary key of its own when the table has one (a relation has
one primary key); a partition is a table of its own for the rest (a unique key, a foreign key, an exclusion
constraint, a CHECK, NOT VALID included). A time partitioning's partitions are made by its maintenance function: only a
partition the spec lists may carry objects of its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from .. import errors, ir
from ..ir import Name, names
from ..pg import sqlparse
from ..spec import model
from . import exclusions, foreign_keys, indexes
from .registry import Claim, Registry
from .report import Report, Where, expression, fragment_columns, ident


def own_objects(
    table: Name,
    parts: tuple[ir.Partition, ...],
    spec: model.Partitioning,
    typed: Mapping[str, ir.Column],
    table_constraints: Collection[ir.Constraint],
    registry: Registry,
    extensions: Collection[str] | None,
    report: Report,
    where: Where,
) -> tuple[tuple[ir.Partition, ...], list[Claim]]:
    """The partitions, each with its own indexes and constraints; and the names those take."""
    claims: list[Claim] = []
    result = []
    for p in parts:
        written = spec.partitions.get(p.name.name)
        if written is None or not (written.indexes or written.constraints):
            result.append(p)
            continue
        pw = where.at("partitioning", "partitions", p.name.name)
        own_indexes = []
        for key, ix in written.indexes.items():
            iw = pw.at("indexes", key)
            claims.append(Claim("relation", Name(table.schema, key), iw, "index"))
            resolved = indexes.index(p.name, key, ix, typed, typed.keys(), (), report, iw)
            if resolved is not None:
                own_indexes.append(resolved)
        taken = {c.name for c in table_constraints}
        own: list[ir.Constraint] = []
        for i, c in enumerate(written.constraints):
            cw = pw.at("constraints", i)
            con = _constraint(table, p.name, c, typed, table_constraints, registry, extensions, report, cw)
            if con is None:
                continue
            nw = cw.at("name") if c.name else cw
            if con.name in taken:
                report.error(
                    nw,
                    errors.DUPLICATE_NAME,
                    f'constraint "{con.name}" of partition {p.name.display} is already one of it: the partition takes '
                    f"{table.display}'s constraints, and their names",
                )
                continue
            if not ident(report, con.name, nw, "constraint name"):
                continue
            taken.add(con.name)
            report.origin(("constraint", p.name, con.name), nw, c.lint, cw)
            if con.kind in ("primary_key", "unique", "exclude"):
                claims.append(Claim("relation", Name(table.schema, con.name), nw, "index of constraint"))
            own.append(con)
        result.append(dataclasses.replace(p, indexes=tuple(own_indexes), constraints=tuple(own)))
    for pname, written in spec.partitions.items():
        if (written.indexes or written.constraints) and written.default and spec.interval is not None:
            report.error(
                where.at("partitioning", "partitions", pname),
                errors.PARTITION,
                "a time partitioning's DEFAULT partition has no objects of its own here",
                key=True,
            )
    return tuple(result), claims


def _constraint(
    table: Name,
    partition: Name,
    c: model.Constraint,
    typed: Mapping[str, ir.Column],
    table_constraints: Collection[ir.Constraint],
    registry: Registry,
    extensions: Collection[str] | None,
    report: Report,
    where: Where,
) -> ir.Constraint | None:
    if c.exclude is not None:
        return exclusions.exclusion(partition, c, typed, extensions, report, where)
    if c.check is not None:
        if expression(report, c.check, where.at("check")) is None:
            return None
        used = fragment_columns(report, sqlparse.expression_column_refs(c.check), typed, partition, where.at("check"))
        column = next(iter(used)) if len(used) == 1 else None
        name = c.name or names.make_object_name(partition.name, column, "check")
        return ir.Constraint(name, "check", check=c.check.strip(), comment=c.comment, not_valid=c.not_valid)
    kind = "unique" if c.unique is not None else "primary_key" if c.primary_key is not None else "foreign_key"
    cols = list(c.unique or c.primary_key or c.foreign_key or [])
    unknown = [col for col in cols if col not in typed]
    for col in unknown:
        report.error(
            where.at(kind, cols.index(col)), errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table.display}'
        )
    if unknown or not cols:
        return None
    if kind == "primary_key" and any(t.kind == "primary_key" for t in table_constraints):
        report.error(
            where.at(kind),
            errors.PARTITION,
            f"partition {partition.display} takes the primary key of {table.display}: a relation has one primary key "
            "(declare a unique key instead)",
        )
        return None
    if kind == "foreign_key":
        assert c.references is not None
        fk = foreign_keys.foreign_key(
            partition, cols, c.references, c.on_delete, c.on_update, c.name, registry, report, where.at("references")
        )
        if fk is None:
            return None
        return dataclasses.replace(
            fk,
            comment=c.comment,
            not_valid=c.not_valid,
            deferrable=c.deferrable,
            initially_deferred=c.initially_deferred,
        )
    label = "pkey" if kind == "primary_key" else "key"
    name = c.name or (
        names.make_object_name(partition.name, None, label)
        if kind == "primary_key"
        else names.derived_constraint_name(partition.name, cols, label)
    )
    return ir.Constraint(
        name,
        kind,
        tuple(cols),
        comment=c.comment,
        deferrable=c.deferrable,
        initially_deferred=c.initially_deferred,
        nulls_not_distinct=c.nulls_not_distinct,
    )


def check_targets(tables: Mapping[Name, ir.Table], registry: Registry, report: Report) -> None:
    """Each foreign key of a partition's own references a primary key or unique constraint of its target, as a
    table's must (foreign_keys.check_targets), reported at the partition's constraints."""
    for t in tables.values():
        entry = registry.tables.get(t.name)
        for p in t.partitions if entry is not None else ():
            for fk in p.constraints:
                if not fk.is_foreign_key or fk.ref_table is None:
                    continue
                target = tables.get(fk.ref_table)
                external = registry.external_tables.get(fk.ref_table)
                if target is not None:
                    keys = [set(c.columns) for c in target.constraints if c.kind in ("primary_key", "unique")]
                elif external is not None:
                    keys = [
                        set(k) for k in (*external.unique, *((external.primary_key,) if external.primary_key else ()))
                    ]
                else:
                    continue
                if set(fk.ref_columns) not in keys:
                    assert entry is not None
                    report.error(
                        entry.where.at("partitioning", "partitions", p.name.name, "constraints"),
                        errors.BAD_REFERENCE,
                        f"foreign key {fk.name} of partition {p.name.display}: target {fk.ref_table.display}"
                        f"({', '.join(fk.ref_columns)}) is not a primary key or unique constraint",
                    )
