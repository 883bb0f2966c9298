"""One table: its columns and constraints, with its partitions (partitions.py) and indexes (indexes.py).

Its policies are resolved by policies.py, and its foreign keys' targets are
checked by foreign_keys.py once every table is resolved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .. import errors, ir
from ..ir import Name, names
from ..pg import datatypes, sqlparse
from ..spec import model
from . import (
    comparisons,
    defaults,
    exclusions,
    foreign_keys,
    indexes,
    listparts,
    partition_objects,
    partitions,
    timeparts,
)
from . import generated as generated_kind
from . import sequences as sequence_kind
from .registry import Claim, Entry, Registry
from .report import Report, Where, expression, fragment_columns, ident
from .types import ColumnType, OtherType, column_type


@dataclass(frozen=True)
class Resolved:
    """A table as resolved (None when a column's type is wrong: its other problems are still reported), with the
    names it takes besides its own (for registry.check_namespaces and the grants)."""

    table: ir.Table | None
    claims: tuple[Claim, ...]
    sequences: tuple[Name, ...]  # of its identity columns
    partitions: tuple[Name, ...]
    serials: tuple[ir.Sequence, ...] = ()  # the sequences of its serial columns
    sequence_uses: tuple[tuple[str, Where], ...] = ()  # each DEFAULT that may name a sequence, and where


def table(
    name: Name,
    entry: Entry[model.Table],
    registry: Registry,
    report: Report,
    others: Mapping[Name, OtherType] | None = None,
    extensions: Collection[str] | None = None,
) -> Resolved:
    t, where, at = entry.spec, entry.where, entry.where.at
    columns: list[ir.Column] = []
    constraints: list[ir.Constraint] = []
    constraint_at: dict[str, Where] = {}
    claims: list[Claim] = []
    sequences: list[Name] = []
    serials: list[ir.Sequence] = []
    sequence_uses: list[tuple[str, Where]] = []
    checks: list[tuple[str, Where]] = []  # each CHECK that parses, judged once every column's type is known
    pk_columns = [c for c, col in t.columns.items() if col.primary_key]
    table_pk = [c for c in t.constraints if c.primary_key is not None]
    if len(pk_columns) > 1 or (pk_columns and table_pk) or len(table_pk) > 1:
        report.error(
            at("columns"),
            errors.DUPLICATE_NAME,
            f"table {name.display} declares more than one primary key; use one `primary_key: [a, b]` "
            "constraint for a composite key",
            key=True,
        )

    # A bad table name is reported once, not again in every constraint name derived from it.
    derived_ok = names.problem(name.name) is None

    def add(c: ir.Constraint, w: Where, lint: Any, holder: Where, raw_check: str | None = None) -> None:
        if c.name in constraint_at:
            report.error(w, errors.DUPLICATE_NAME, f'constraint "{c.name}" is defined twice on table {name.display}')
            return
        if not derived_ok or ident(report, c.name, w, "constraint name"):
            constraint_at[c.name] = w
            constraints.append(c)
            report.origin(("constraint", name, c.name), w, lint, holder)
            if raw_check is not None:
                report.origin(("constraint_check", name, c.name), holder.at("check"), lint, holder, raw=raw_check)
            if c.kind in ("primary_key", "unique", "exclude"):
                claims.append(Claim("relation", Name(name.schema, c.name), w, "index of constraint"))

    for col_name, col in t.columns.items():
        cw = at("columns", col_name)
        ident(report, col_name, cw, "column name")
        report.origin(("column", name, col_name), cw, col.lint)
        serial = datatypes.SERIAL_TYPES.get(col.type.strip().lower())
        type_text = datatypes.BASE_TYPES[serial].sql if serial else col.type
        typ = column_type(type_text, registry.enums, report, cw.at("type"), others)
        default = None
        if col.default is not None and expression(report, col.default, default_at := cw.at("default")) is not None:
            default = col.default.strip()
            sequence_uses.append((col.default, default_at))
            if typ is not None:
                _check_default(col.default, typ, registry, report, default_at)
        if col.identity and default is not None:
            report.error(cw.at("identity"), errors.SPEC_INVALID, "an identity column cannot also have a default")
        if serial and (col.default is not None or col.identity):
            report.error(
                cw.at("default" if col.default is not None else "identity"),
                errors.SPEC_INVALID,
                f"a {col.type} column has its own default (nextval of its sequence): use integer, bigint or "
                "smallint to give another",
                key=True,
            )
        elif serial and col.generated is not None:
            report.error(cw.at("generated"), errors.SPEC_INVALID, f"a {col.type} column cannot be generated")
        elif serial:
            made = sequence_kind.serial_sequence(name, col_name, serial, entry.module)
            claims.append(Claim("relation", made.name, cw.at("type"), "sequence of serial column"))
            serials.append(made)
            default = sequence_kind.nextval(made.name)
        generation = generated_kind.generation(col, t.columns, name, report, cw)
        collation = generated_kind.collation(col, typ.base if typ is not None else None, report, cw)
        if typ is not None:
            columns.append(
                ir.Column(
                    col_name,
                    typ.sql,
                    typ.base,
                    typ.enum,
                    typ.mods,
                    typ.array_dims,
                    col.not_null or col.primary_key or serial is not None,
                    default,
                    col.identity,
                    col.comment,
                    python_type=col.python_type or typ.python_type,
                    generated=generation.expression if generation is not None else None,
                    virtual=generation is not None and generation.virtual,
                    collation=collation,
                )
            )
        if col.identity:
            seq = Name(name.schema, names.make_object_name(name.name, col_name, "seq"))
            claims.append(Claim("relation", seq, cw, "identity sequence"))
            sequences.append(seq)
        if col.primary_key:
            pkey = ir.Constraint(names.make_object_name(name.name, None, "pkey"), "primary_key", (col_name,))
            add(pkey, cw.at("primary_key"), col.lint, cw)
        if col.unique:
            key = names.derived_constraint_name(name.name, [col_name], "key")
            add(ir.Constraint(key, "unique", (col_name,)), cw.at("unique"), col.lint, cw)
        if col.check is not None and expression(report, col.check, check_at := cw.at("check")) is not None:
            refs = sqlparse.expression_column_refs(col.check)
            fragment_columns(report, refs, t.columns, name, check_at)
            checks.append((col.check, check_at))
            check = ir.Constraint(
                names.make_object_name(name.name, col_name, "check"), "check", check=col.check.strip()
            )
            add(check, check_at, col.lint, cw, col.check)
        if col.references is not None:
            fk = foreign_keys.foreign_key(
                name,
                [col_name],
                col.references,
                col.on_delete,
                col.on_update,
                None,
                registry,
                report,
                cw.at("references"),
            )
            if fk is not None:
                add(fk, cw.at("references"), col.lint, cw)
        elif col.on_delete or col.on_update:
            report.error(
                cw.at("on_delete" if col.on_delete else "on_update"),
                errors.SPEC_INVALID,
                "on_delete/on_update need `references`",
                key=True,
            )

    column_names = set(t.columns)
    for i, c in enumerate(t.constraints):
        cw = at("constraints", i)
        if c.check is not None:
            if expression(report, c.check, cw.at("check")) is None:
                continue
            used = fragment_columns(
                report, sqlparse.expression_column_refs(c.check), column_names, name, cw.at("check")
            )
            checks.append((c.check, cw.at("check")))
            cname = c.name or _unused_check_name(name.name, used, constraint_at)
            check = ir.Constraint(cname, "check", check=c.check.strip(), comment=c.comment, not_valid=c.not_valid)
            add(check, cw.at("name") if c.name else cw, c.lint, cw, c.check)
            continue
        if c.exclude is not None:
            typed_so_far = {col.name: col for col in columns}
            excl = exclusions.exclusion(name, c, typed_so_far, extensions, report, cw)
            if excl is not None:
                add(excl, cw.at("name") if c.name else cw, c.lint, cw)
            continue
        kind = "unique" if c.unique is not None else "primary_key" if c.primary_key is not None else "foreign_key"
        cols = list(c.unique or c.primary_key or c.foreign_key or [])
        ok = True
        for j, col_name in enumerate(cols):
            if col_name not in column_names:
                report.error(
                    cw.at(kind, j), errors.UNKNOWN_COLUMN, f'unknown column "{col_name}" in table {name.display}'
                )
                ok = False
        if not cols or not ok:
            if not cols:
                report.error(
                    cw.at(kind), errors.SPEC_INVALID, f"a {kind.replace('_', ' ')} constraint needs at least one column"
                )
            continue
        label = {"unique": "key", "primary_key": "pkey", "foreign_key": "fkey"}[kind]
        cname = c.name or (
            names.make_object_name(name.name, None, "pkey")
            if kind == "primary_key"
            else names.derived_constraint_name(name.name, cols, label)
        )
        nw = cw.at("name") if c.name else cw
        if kind == "foreign_key":
            assert c.references is not None
            fk = foreign_keys.foreign_key(
                name, cols, c.references, c.on_delete, c.on_update, cname, registry, report, cw.at("references")
            )
            if fk is not None:
                fk = dataclasses.replace(
                    fk,
                    comment=c.comment,
                    not_valid=c.not_valid,
                    deferrable=c.deferrable,
                    initially_deferred=c.initially_deferred,
                )
                add(fk, nw, c.lint, cw)
        else:
            keyed = ir.Constraint(
                cname,
                kind,
                tuple(cols),
                comment=c.comment,
                deferrable=c.deferrable,
                initially_deferred=c.initially_deferred,
                nulls_not_distinct=c.nulls_not_distinct,
            )
            add(keyed, nw, c.lint, cw)
    for con in constraints:  # a primary key's columns are NOT NULL
        if con.kind == "primary_key":
            columns = [
                ir.Column(**{**col.__dict__, "not_null": True}) if col.name in con.columns else col for col in columns
            ]

    typed = {c.name: c for c in columns}
    for text, check_at in checks:
        for problem in comparisons.problems(text, typed, name):
            report.error_in_fragment(check_at, problem.offset, problem.code, problem.message)
    layout = partitions.partitioning(name, t, columns, constraints, report, where)
    generated_kind.not_in_partition_key(layout.key, typed, report, where)
    if t.partitioning is not None:
        for i, c in enumerate(t.constraints):
            if c.exclude is not None:
                report.error(
                    at("constraints", i, "exclude"),
                    errors.PARTITION,
                    f"an exclusion constraint is not available on a partitioned table ({name.display}): PostgreSQL "
                    "14 to 16 refuse one (17 takes one that holds the partition key compared with =)",
                )
            if c.not_valid:
                report.error(
                    at("constraints", i, "not_valid"),
                    errors.PARTITION,
                    f"not_valid is not available on a partitioned table ({name.display}): PostgreSQL checks every "
                    "partition's rows when the constraint is added",
                )
    claims += layout.claims
    if t.partitioning is not None:  # K3: the indexes and constraints of one partition; a list's enum labels
        typed_all = {col.name: col for col in columns}
        key_column = typed_all.get(t.partitioning.key[0]) if t.partitioning.key else None
        listparts.check_labels(name, t.partitioning, key_column, registry.enums, report, where)
        own = partition_objects.own_objects(
            name, layout.partitions, t.partitioning, typed_all, constraints, registry, extensions, report, where
        )
        layout = dataclasses.replace(layout, partitions=own[0])
        claims += own[1]
    table_indexes = []
    for key, spec_ix in t.indexes.items():
        index_where = at("indexes", key)
        claims.append(Claim("relation", Name(name.schema, key), index_where, "index"))
        ix = indexes.index(name, key, spec_ix, typed, column_names, layout.key, report, index_where)
        if ix is not None:
            table_indexes.append(ix)
            generated_kind.no_virtual_keys(ix, typed, report, index_where)
    resolved = None
    if len(columns) == len(t.columns):
        resolved = ir.Table(
            name=name,
            module=entry.module,
            columns=tuple(columns),
            constraints=tuple(constraints),
            indexes=tuple(table_indexes),
            partition_by=layout.by,
            partition_key=layout.key,
            partitions=layout.partitions,
            row_level_security=t.row_level_security,
            force_row_level_security=t.force_row_level_security,
            comment=t.comment,
            time_partitions=layout.time_partitions,
        )
        timeparts.overlaps(resolved, report, where)
    return Resolved(resolved, tuple(claims), tuple(sequences), layout.names, tuple(serials), tuple(sequence_uses))


def _check_default(text: str, typ: ColumnType, registry: Registry, report: Report, where: Where) -> None:
    """What PostgreSQL would refuse in a column's DEFAULT, at its place in the fragment (defaults.py)."""
    enum = registry.enums[typ.enum] if typ.enum is not None else None
    column = defaults.Column(
        typ.sql, typ.base, typ.mods, typ.array_dims, enum.name.display if enum else "", enum.values if enum else ()
    )
    for problem in defaults.check(text, column, registry.spec_function_names):
        report.error_in_fragment(where, problem.offset, problem.code, problem.message)


def _unused_check_name(table: str, refs: set[str], taken: dict[str, Where]) -> str:
    """The name PostgreSQL gives an unnamed CHECK: after its only column, else after the table; on a clash
    it numbers the label (`t_a_check1`), as ChooseConstraintName does."""
    column = next(iter(refs)) if len(refs) == 1 else None
    name, n = names.make_object_name(table, column, "check"), 0
    while name in taken:
        n += 1
        name = names.make_object_name(table, column, f"check{n}")
    return name
