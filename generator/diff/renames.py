"""Declared renames: carried out first, so the rest of the diff compares like with like.

A rename keeps the object and its data (a drop plus an add would lose them).
Each rename is applied to the previous state too, so that afterwards the
tables, columns and types line up by name with the new spec. A rename applies
when the previous state has the old name and not the new one (and the spec no
longer has the old name: it cannot be both renamed and kept). Once the new name
is there, the rename is done and the `renamed_from` left in the spec is
harmless, even when the old name is used again for a new object. A rename
whose old and new names the previous state both lack is a mistake (refused).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import errors, ir
from ..ir import Name
from ..ir.names import make_object_name
from ..pg import quoting
from ..sql.views import Object
from . import names as pgnames
from . import statements as st
from . import usertypes
from .context import Names
from .steps import Part

RENAME_NOTE = "Renamed in the spec (renamed_from): clients that use the old name must change with it."
CATALOG_LOCK = "Takes an ACCESS EXCLUSIVE lock on {} for a moment: a catalog change, no rewrite."


@dataclass(frozen=True)
class Renamed:
    """The last state under the spec's new names, what was renamed, and the steps that rename."""

    schema: ir.Schema
    names: Names
    part: Part


def apply(old: ir.Schema, new: ir.Schema) -> Renamed:
    """The declared renames of `new` that apply to `old` (see the module's docstring), carried out."""
    schema = old
    out = Part()
    node = out.rename_node()
    not_null: dict[Name, dict[str, str]] = {}
    before_table: dict[Name, Name] = {}
    before_enum: dict[Name, Name] = {}
    before_column: dict[tuple[Name, str], str] = {}
    before_value: dict[tuple[Name, str], str] = {}
    renamed_columns: dict[Name, set[str]] = {}
    by_kind: dict[str, list[ir.Rename]] = {}
    for r in new.intent.renames:
        by_kind.setdefault(r.kind, []).append(r)

    for r in by_kind.get("schema", []):  # first: the other renames name their objects in the new schema (funcs5)
        spaces = {ns.name for ns in schema.schemas}
        kept = any(ns.name == r.old for ns in new.schemas)
        if not _applicable(
            out,
            r.old in spaces,
            r.new in spaces,
            kept,
            ("rename", "schema", r.new),
            f"schema {r.new}",
            f'schema "{r.old}"',
        ):
            continue
        out.add(
            node,
            st.Rename(Object("schema", quoting.ident(r.old)), quoting.ident(r.new)),
            notes=(RENAME_NOTE + " Every object in it moves with it.",),
            ignore=("renaming-object",),
        )
        schema = pgnames.rename_schema(schema, r.old, r.new)
        out.change(f"rename schema {r.old} to {r.new}")
        out.plan.renamed.append(r)

    for r in by_kind.get("table", []):
        tables = {t.name: t for t in schema.tables}
        old_name, new_name = Name(r.schema, r.old), Name(r.schema, r.new)
        kept = any(t.name == old_name for t in new.tables)
        if not _applicable(
            out,
            old_name in tables,
            new_name in tables,
            kept,
            ("rename", "table", new_name),
            f"table {new_name.display}",
            f'table "{r.old}"',
        ):
            continue
        table = tables[old_name]
        out.add(
            node,
            st.Rename(Object("table", old_name.q), quoting.ident(r.new)),
            notes=(RENAME_NOTE, CATALOG_LOCK.format(old_name.display)),
            ignore=("renaming-table",),
        )
        for c in table.columns:
            if c.identity:
                _sequence(out, r.schema, make_object_name(r.old, c.name, "seq"), make_object_name(r.new, c.name, "seq"))
            if c.not_null:
                not_null.setdefault(new_name, {})[c.name] = make_object_name(r.new, c.name, "not_null")
        schema = pgnames.rename_table(schema, old_name, new_name)
        before_table[new_name] = old_name
        out.change(f"rename table {old_name.display} to {r.new}")
        out.plan.renamed.append(r)

    for r in by_kind.get("enum", []):
        enums = {e.name for e in schema.enums}
        old_name, new_name = Name(r.schema, r.old), Name(r.schema, r.new)
        kept = any(e.name == old_name for e in new.enums)
        if not _applicable(
            out,
            old_name in enums,
            new_name in enums,
            kept,
            ("rename", "enum", new_name),
            f"enum {new_name.display}",
            f'enum "{r.old}"',
        ):
            continue
        out.add(
            node,
            st.Rename(Object("type", old_name.q), quoting.ident(r.new)),
            notes=(RENAME_NOTE,),
            ignore=("renaming-object",),
        )
        before_enum[new_name] = old_name
        schema = pgnames.rename_enum(schema, old_name, new_name)
        out.change(f"rename enum {old_name.display} to {r.new}")
        out.plan.renamed.append(r)

    for kind in ("domain", "composite_type"):  # types5
        for r in by_kind.get(kind, []):
            have = {o.name for o in (schema.domains if kind == "domain" else schema.composite_types)}
            spec_has = {o.name for o in (new.domains if kind == "domain" else new.composite_types)}
            old_name, new_name = Name(r.schema, r.old), Name(r.schema, r.new)
            what = "domain" if kind == "domain" else "composite type"
            if not _applicable(
                out,
                old_name in have,
                new_name in have,
                old_name in spec_has,
                ("rename", kind, new_name),
                f"{what} {new_name.display}",
                f'{what} "{r.old}"',
            ):
                continue
            target = Object("domain" if kind == "domain" else "type", old_name.q)
            out.add(node, st.Rename(target, quoting.ident(r.new)), notes=(RENAME_NOTE,), ignore=("renaming-object",))
            if kind == "domain":
                for check in usertypes.renamed_checks(schema, old_name, new_name):
                    out.add(
                        node,
                        check,
                        notes=("Named after the domain, as a fresh database names it.",),
                        ignore=("renaming-object",),
                    )
            schema = usertypes.rename(schema, kind, old_name, new_name)
            out.change(f"rename {what} {old_name.display} to {r.new}")
            out.plan.renamed.append(r)

    for r in by_kind.get("function", []):  # each overload of the new name, by its input types (funcs5)
        old_name, new_name = Name(r.schema, r.old), Name(r.schema, r.new)
        applied = False
        for types in [f.arg_types for f in new.functions if f.name == new_name]:
            there = {f.key: f for f in schema.functions}
            kept = any(f.key == (old_name, types) for f in new.functions)
            label = f"{new_name.display}({', '.join(types)})"
            if not _applicable(
                out,
                (old_name, types) in there,
                (new_name, types) in there,
                kept,
                ("rename", "function", (new_name, types)),
                f"function {label}",
                f'function "{r.old}({", ".join(types)})"',
            ):
                continue
            out.add(
                node,
                st.Rename(
                    Object(there[(old_name, types)].kind, there[(old_name, types)].signature), quoting.ident(r.new)
                ),
                notes=(RENAME_NOTE,),
                ignore=("renaming-object",),
            )
            schema = pgnames.rename_function(schema, (old_name, types), new_name)
            out.change(f"rename function {old_name.display}({', '.join(types)}) to {r.new}")
            applied = True
        if applied:
            out.plan.renamed.append(r)

    for r in by_kind.get("view", []):  # a view or materialized view (funcs5)
        views = {v.name: v for v in schema.views}
        old_name, new_name = Name(r.schema, r.old), Name(r.schema, r.new)
        kept = any(v.name == old_name for v in new.views)
        if not _applicable(
            out,
            old_name in views,
            new_name in views,
            kept,
            ("rename", "view", new_name),
            f"view {new_name.display}",
            f'view "{r.old}"',
        ):
            continue
        kind = views[old_name].kind
        out.add(
            node,
            st.Rename(Object(kind, old_name.q), quoting.ident(r.new)),
            notes=(RENAME_NOTE, CATALOG_LOCK.format(old_name.display)),
            ignore=("renaming-object",),
        )
        schema = pgnames.rename_view(schema, old_name, new_name)
        out.change(f"rename {kind} {old_name.display} to {r.new}")
        out.plan.renamed.append(r)

    for r in by_kind.get("sequence", []):  # aggs6: ALTER SEQUENCE ... RENAME; nextval defaults follow by oid
        sequences = {q.name for q in schema.sequences}
        old_name, new_name = Name(r.schema, r.old), Name(r.schema, r.new)
        kept = any(q.name == old_name for q in new.sequences)
        if not _applicable(
            out,
            old_name in sequences,
            new_name in sequences,
            kept,
            ("rename", "sequence", new_name),
            f"sequence {new_name.display}",
            f'sequence "{r.old}"',
        ):
            continue
        out.add(
            node,
            st.Rename(Object("sequence", old_name.q), quoting.ident(r.new)),
            notes=(RENAME_NOTE,),
            ignore=("renaming-object",),
        )
        schema = pgnames.rename_sequence(schema, old_name, new_name)
        out.change(f"rename sequence {old_name.display} to {r.new}")
        out.plan.renamed.append(r)

    for r in by_kind.get("column", []):
        assert r.owner is not None
        owner = next((t for t in schema.tables if t.name == r.owner), None)
        columns = {c.name: c for c in owner.columns} if owner else {}
        where = ("rename", "column", r.owner, r.new)
        spec_owner = next((t for t in new.tables if t.name == r.owner), None)
        kept = spec_owner is not None and spec_owner.column(r.old) is not None
        if not _applicable(
            out,
            r.old in columns,
            r.new in columns,
            kept,
            where,
            f"column {r.owner.display}.{r.new}",
            f'column "{r.old}" in table {r.owner.display}',
        ):
            continue
        column = columns[r.old]
        out.add(
            node,
            st.RenameColumn(r.owner.q, quoting.ident(r.old), quoting.ident(r.new)),
            notes=(RENAME_NOTE, CATALOG_LOCK.format(r.owner.display)),
            ignore=("renaming-column",),
        )
        if column.identity:
            _sequence(
                out,
                r.owner.schema,
                make_object_name(r.owner.name, r.old, "seq"),
                make_object_name(r.owner.name, r.new, "seq"),
            )
        if column.not_null:
            not_null.setdefault(r.owner, {})[r.new] = make_object_name(r.owner.name, r.new, "not_null")
        schema = pgnames.rename_column(schema, r.owner, r.old, r.new)
        before_column[(r.owner, r.new)] = before_column.pop((r.owner, r.old), r.old)
        renamed_columns.setdefault(r.owner, set()).add(r.new)
        out.change(f"rename column {r.owner.display}.{r.old} to {r.new}")
        out.plan.renamed.append(r)

    for r in by_kind.get("enum_value", []):
        assert r.owner is not None
        enum = next((e for e in schema.enums if e.name == r.owner), None)
        values = set(enum.values) if enum else set()
        where = ("rename", "enum_value", r.owner, r.new)
        spec_enum = next((e for e in new.enums if e.name == r.owner), None)
        kept = spec_enum is not None and r.old in spec_enum.values
        if not _applicable(
            out,
            r.old in values,
            r.new in values,
            kept,
            where,
            f"value {r.new} of enum {r.owner.display}",
            f'value "{r.old}" in enum {r.owner.display}',
        ):
            continue
        out.add(
            node,
            st.RenameValue(r.owner.q, quoting.literal(r.old), quoting.literal(r.new)),
            notes=(RENAME_NOTE,),
            ignore=("renaming-object",),
        )
        before_value[(r.owner, r.new)] = r.old
        schema = pgnames.rename_enum_value(schema, r.owner, r.old, r.new)
        out.change(f"rename value {r.old} of enum {r.owner.display} to {r.new}")
        out.plan.renamed.append(r)

    for table_name, wanted in not_null.items():
        out.add(
            node,
            st.NotNullNames.of(table_name, wanted),
            notes=(
                (
                    "PostgreSQL 18 names NOT NULL constraints after table and column: rename them as a fresh "
                    "database names them (no-op before 18)."
                ),
            ),
        )
    names = Names(
        before_table,
        before_column,
        before_enum,
        before_value,
        {table: frozenset(columns) for table, columns in renamed_columns.items()},
    )
    return Renamed(schema, names, out)


def _sequence(out: Part, schema: str, old: str, new: str) -> None:
    out.add(
        out.rename_node(),
        st.Rename(Object("sequence", quoting.qualified(schema, old)), quoting.ident(new)),
        notes=("The identity sequence follows its column's name, as in a fresh database.",),
        ignore=("renaming-object",),
    )


def _applicable(
    out: Part, old_there: bool, new_there: bool, kept: bool, locator: tuple[object, ...], what: str, old_what: str
) -> bool:
    """Whether a declared rename is carried out now (see the module's docstring); `kept`: the spec still has the old
    name."""
    if new_there:
        return False  # done by an earlier migration: the renamed_from left in the spec is harmless
    if not old_there:
        out.refuse(
            errors.RENAME,
            f"{what} is renamed from {old_what}, which the last migration does not have (remove "
            "renamed_from if the rename is done)",
            *locator,
        )
        return False
    if kept:
        out.refuse(
            errors.RENAME,
            f"{what} is renamed from {old_what}, which the spec still has: a name is either renamed or "
            "kept (remove renamed_from, or the old one)",
            *locator,
        )
        return False
    return True
