"""Names PostgreSQL chooses by itself, and the IR rewritten under a rename.

PostgreSQL names some objects after their table and columns at creation time
(NOT NULL constraints since version 18, identity sequences) and keeps those
names when the table or column is renamed later, while a database built from
scratch gets the new names. A rename therefore renames them too.
"""

from __future__ import annotations

import dataclasses
import re

from .. import ir
from ..ir import Name
from ..pg import quoting


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


def rename_view(schema: ir.Schema, old: Name, new: Name) -> ir.Schema:
    """A view or materialized view renamed: its indexes' table, the views that read it, the grants on it."""

    def view(v: ir.View) -> ir.View:
        reads = tuple(new if r == old else r for r in v.reads)
        if v.name != old:
            return v if reads == v.reads else dataclasses.replace(v, reads=reads)
        indexes = tuple(dataclasses.replace(ix, table=new) for ix in v.indexes)
        return dataclasses.replace(v, name=new, reads=reads, indexes=indexes)

    grants = tuple(
        dataclasses.replace(g, target=new.q) if g.kind == "table" and g.target == old.q else g for g in schema.grants
    )
    return dataclasses.replace(schema, views=tuple(view(v) for v in schema.views), grants=grants)


def rename_sequence(schema: ir.Schema, old: Name, new: Name) -> ir.Schema:
    """A sequence renamed (aggs6): the column defaults calling nextval on it follow (PostgreSQL stores the sequence's
    oid in them, so the catalog prints the new name), and so do the grants on it."""
    spelled = re.compile(
        r"(nextval\(')(?:" + re.escape(old.name) + "|" + re.escape(f"{old.schema}.{old.name}") + r")(')"
    )

    def column(c: ir.Column) -> ir.Column:
        if c.default is None or "nextval" not in c.default:
            return c
        return dataclasses.replace(c, default=spelled.sub(lambda m: m.group(1) + new.name + m.group(2), c.default))

    tables = tuple(
        dataclasses.replace(t, columns=tuple(column(c) for c in t.columns)) if t.name.schema == old.schema else t
        for t in schema.tables
    )
    sequences = tuple(dataclasses.replace(q, name=new) if q.name == old else q for q in schema.sequences)
    grants = tuple(
        dataclasses.replace(g, target=new.q) if g.kind == "sequence" and g.target == old.q else g for g in schema.grants
    )
    return dataclasses.replace(schema, tables=tables, sequences=sequences, grants=grants)


def rename_schema(schema: ir.Schema, old: str, new: str) -> ir.Schema:
    """A schema renamed: every object in it is in the new one (ALTER SCHEMA ... RENAME moves them all); each name
    of the state in it, and each grant's target, follows. Texts (a function's body, a view's query) are left as
    written: the spec's new texts replace them where they name the schema."""
    renamed = _moved(schema, old, new)
    assert isinstance(renamed, ir.Schema)
    return renamed


def _moved(value: object, old: str, new: str) -> object:
    if isinstance(value, Name):
        return Name(new, value.name) if value.schema == old else value
    if isinstance(value, ir.Namespace):
        return dataclasses.replace(value, name=new) if value.name == old else value
    if isinstance(value, ir.Grant):
        return dataclasses.replace(value, target=_target(value, old, new))
    if isinstance(value, tuple):
        return tuple(_moved(v, old, new) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _moved(getattr(value, f.name), old, new) for f in dataclasses.fields(value)}
        if isinstance(value, ir.Column) and value.enum is not None and value.enum.schema == old:
            changes["sql_type"] = Name(new, value.enum.name).q + "[]" * value.array_dims
        return dataclasses.replace(value, **changes)
    return value


def _target(g: ir.Grant, old: str, new: str) -> str:
    """A grant's target (quoted SQL) in the renamed schema."""
    q_old, q_new = quoting.ident(old), quoting.ident(new)
    if g.kind in ("schema", "all_sequences"):
        return q_new if g.target == q_old else g.target
    return q_new + g.target[len(q_old) :] if g.target.startswith(q_old + ".") else g.target


def rename_function(schema: ir.Schema, old: ir.FunctionKey, new: Name) -> ir.Schema:
    """A function (one overload) renamed: the triggers that call it, the views that call it, the grants on it."""
    functions = tuple(dataclasses.replace(f, name=new) if f.key == old else f for f in schema.functions)
    renamed = next(f for f in functions if f.key == (new, old[1]))
    before = next(f for f in schema.functions if f.key == old)
    triggers = tuple(
        dataclasses.replace(t, function=new) if t.function == old[0] and not old[1] else t for t in schema.triggers
    )
    views = tuple(
        dataclasses.replace(v, calls=tuple(sorted({new if c == old[0] else c for c in v.calls}, key=str)))
        if old[0] in v.calls
        else v
        for v in schema.views
    )
    grants = tuple(
        dataclasses.replace(g, target=renamed.signature)
        if g.kind in ("function", "procedure") and g.target == before.signature
        else g
        for g in schema.grants
    )
    return dataclasses.replace(schema, functions=functions, triggers=triggers, views=views, grants=grants)
