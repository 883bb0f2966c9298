"""Names PostgreSQL chooses by itself, and the IR rewritten under a rename.

PostgreSQL names some objects after their table and columns at creation time
(NOT NULL constraints since version 18, identity sequences) and keeps those
names when the table or column is renamed later, while a database built from
scratch gets the new names. A rename therefore renames them too.
"""

from __future__ import annotations

import dataclasses

from .. import ir
from ..ir import Name


def rename_table(schema: ir.Schema, old: Name, new: Name) -> ir.Schema:
    def table_ref(n: Name | None) -> Name | None:
        return new if n == old else n

    tables = []
    for t in schema.tables:
        constraints = tuple(dataclasses.replace(c, ref_table=table_ref(c.ref_table)) for c in t.constraints)
        if t.name == old:
            t = dataclasses.replace(
                t,
                name=new,
                indexes=tuple(dataclasses.replace(ix, table=new) for ix in t.indexes),
                policies=tuple(dataclasses.replace(p, table=new) for p in t.policies),
            )
        tables.append(dataclasses.replace(t, constraints=constraints))
    triggers = tuple(dataclasses.replace(trg, table=new) if trg.table == old else trg for trg in schema.triggers)
    grants = tuple(
        dataclasses.replace(g, target=new.q) if g.kind == "table" and g.target == old.q else g for g in schema.grants
    )
    return dataclasses.replace(schema, tables=tuple(tables), triggers=triggers, grants=grants)


def rename_enum(schema: ir.Schema, old: Name, new: Name) -> ir.Schema:
    def column(c: ir.Column) -> ir.Column:
        if c.enum != old:
            return c
        return dataclasses.replace(c, enum=new, sql_type=new.q + "[]" * c.array_dims)

    enums = tuple(dataclasses.replace(e, name=new) if e.name == old else e for e in schema.enums)
    tables = tuple(dataclasses.replace(t, columns=tuple(column(c) for c in t.columns)) for t in schema.tables)
    return dataclasses.replace(schema, enums=enums, tables=tables)


def rename_column(schema: ir.Schema, table: Name, old: str, new: str) -> ir.Schema:
    def col(c: str) -> str:
        return new if c == old else c

    def cols(cs: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(col(c) for c in cs)

    tables = []
    for t in schema.tables:
        constraints = tuple(
            dataclasses.replace(c, ref_columns=cols(c.ref_columns)) if c.ref_table == table else c
            for c in t.constraints
        )
        if t.name == table:
            t = dataclasses.replace(
                t,
                columns=tuple(dataclasses.replace(c, name=col(c.name)) for c in t.columns),
                indexes=tuple(
                    dataclasses.replace(
                        ix,
                        elements=tuple(
                            dataclasses.replace(e, column=col(e.column)) if e.column else e for e in ix.elements
                        ),
                        include=cols(ix.include),
                    )
                    for ix in t.indexes
                ),
                partition_key=cols(t.partition_key),
            )
            constraints = tuple(dataclasses.replace(c, columns=cols(c.columns)) for c in constraints)
        tables.append(dataclasses.replace(t, constraints=constraints))
    triggers = tuple(
        dataclasses.replace(trg, sets=cols(trg.sets), update_of=cols(trg.update_of)) if trg.table == table else trg
        for trg in schema.triggers
    )
    return dataclasses.replace(schema, tables=tuple(tables), triggers=triggers)


def rename_enum_value(schema: ir.Schema, enum: Name, old: str, new: str) -> ir.Schema:
    enums = tuple(
        dataclasses.replace(e, values=tuple(new if v == old else v for v in e.values)) if e.name == enum else e
        for e in schema.enums
    )
    return dataclasses.replace(schema, enums=enums)
