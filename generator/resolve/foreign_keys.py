"""Foreign keys: read with their table, and their targets checked once every table is resolved."""

from __future__ import annotations

from collections.abc import Mapping

from .. import errors, ir
from ..ir import Name, names
from ..pg import comparable as comparable_types
from ..spec import model
from .registry import Registry
from .report import Report, Where


def foreign_key(
    table: Name,
    cols: list[str],
    text: str,
    on_delete: str | None,
    on_update: str | None,
    cname: str | None,
    registry: Registry,
    report: Report,
    where: Where,
) -> ir.Constraint | None:
    """The constraint `table(cols) REFERENCES text`, or None (reported): the target table must be known."""
    ref = names.reference(text)
    if ref is None:
        report.error(
            where,
            errors.SPEC_INVALID,
            f'"{text}" is not a reference; write `table(column)` or `schema.table(column, ...)`',
        )
        return None
    if ref.table not in registry.tables and ref.table not in registry.external_tables:
        report.error(
            where,
            errors.UNKNOWN_TABLE,
            f'foreign key references unknown table "{ref.table.display}" (declare it under tables or external.tables)',
        )
        return None
    if len(ref.columns) != len(cols):
        report.error(
            where, errors.BAD_REFERENCE, f"foreign key has {len(cols)} column(s) but references {len(ref.columns)}"
        )
        return None
    name = cname or names.derived_constraint_name(table.name, cols, "fkey")
    return ir.Constraint(
        name,
        "foreign_key",
        tuple(cols),
        ref_table=ref.table,
        ref_columns=ref.columns,
        on_delete=on_delete,
        on_update=on_update,
    )


def check_targets(tables: Mapping[Name, ir.Table], registry: Registry, report: Report) -> None:
    """Every foreign key's target columns exist, are a key of their table, and have its columns' types."""
    for table in tables.values():
        entry = registry.tables[table.name]
        for fk in table.foreign_keys:
            assert fk.ref_table is not None
            where = _where(entry.spec, entry.where, fk)
            target = tables.get(fk.ref_table)
            if target is not None:
                target_cols = {c.name: c for c in target.columns}
                keys = {c.columns for c in target.constraints if c.kind in ("primary_key", "unique")}
            elif fk.ref_table in registry.external_tables:
                ext = registry.external_tables[fk.ref_table]
                target_cols = {c.name: c for c in ext.columns}
                keys = set(ext.unique) | ({ext.primary_key} if ext.primary_key else set())
            else:
                continue  # the target itself failed to resolve; already reported
            for col in fk.ref_columns:
                if col not in target_cols:
                    report.error(
                        where,
                        errors.UNKNOWN_COLUMN,
                        f'foreign key references unknown column "{col}" of {fk.ref_table.display}',
                    )
                    break
            else:
                if tuple(fk.ref_columns) not in keys and set(fk.ref_columns) not in [set(k) for k in keys]:
                    report.error(
                        where,
                        errors.BAD_REFERENCE,
                        f"foreign key target {fk.ref_table.display}({', '.join(fk.ref_columns)}) is not a "
                        "primary key or unique constraint",
                    )
                for own, other in zip(fk.columns, fk.ref_columns):
                    a, b = table.column(own), target_cols[other]
                    if a is not None and not comparable(a, b):
                        report.error(
                            where,
                            errors.BAD_REFERENCE,
                            f"foreign key column {own} ({a.sql_type}) does not match "
                            f"{fk.ref_table.display}.{other} ({b.sql_type}): PostgreSQL has no equality between "
                            "the two types for a foreign key",
                        )


def comparable(own: ir.Column, other: ir.Column) -> bool:
    """Whether PostgreSQL lets column `own` reference column `other` (pg/comparable.py)."""
    if own.array_dims or other.array_dims:
        same = (own.base, own.enum, own.array_dims) == (other.base, other.enum, other.array_dims)
        return same and comparable_types.can_reference_array(own.base)
    if own.base == "enum" or other.base == "enum":
        return own.enum == other.enum
    return comparable_types.can_reference(own.base, other.base)


def _where(t: model.Table, where: Where, fk: ir.Constraint) -> Where:
    for i, c in enumerate(t.constraints):
        if c.foreign_key is not None and tuple(c.foreign_key) == fk.columns:
            return where.at("constraints", i, "references")
    return where.at("columns", fk.columns[0], "references")
