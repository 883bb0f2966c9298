"""What a spec says about the way from the last migration to it: renames and confirmed data loss; and the tables
whose missing row level security it says is intended (`lint: {ignore: {S105: why}}`), for the database tests.

`renamed_from` (tables, columns, enums) and `renamed_values` (enums) declare
renames, so the diff renames instead of dropping and adding (which would lose
the data). `allow_destructive` lists the changes that destroy data which the
author confirms. Both are checked here for shape and against the spec itself;
whether they match the previous state is the diff's business.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable
from typing import Protocol

from .. import errors, ir
from ..ir import Name, names
from ..pg import sqlparse
from ..spec.loader import LoadedFile
from ..spec.origins import Origins, Place
from .report import Report, Where, ident
from .types import type_sql

# Each confirmable change and how many name parts its object has after an
# optional schema: a table or partition is one name, a column or value two.
DESTRUCTIVE = {
    "drop table": 1,
    "drop partition": 1,
    "drop column": 2,
    "change type": 2,
    "drop enum value": 2,
    "drop sequence": 1,  # K2: its current value goes
    "delete rows": 1,  # seed rows removed from the spec: deleted from the table
    "drop attribute": 2,  # types5: an attribute of a composite type, its values in every column of the type
    "rewrite table": 1,  # K1 generated columns: a STORED one added or changed rewrites the table, locked
}


def intent(files: list[LoadedFile], report: Report) -> ir.Intent:
    """The renames the spec declares and the destructive changes it confirms."""
    renames: list[ir.Rename] = []
    allowed: list[str] = []
    adopted: list[ir.Name] = []
    without_rls: list[Name] = []
    for f in files:
        for key, t in f.spec.tables.items():
            name = names.split(key)
            where = Where(f.pos, ("tables", key))
            if t.adopted:
                adopted.append(name)
            if not t.row_level_security and t.lint is not None and "S105" in t.lint.ignore:
                without_rls.append(name)
            if t.renamed_from is not None:
                renames += _renamed(report, "table", name, t.renamed_from, where.at("renamed_from"))
            for col_name, col in t.columns.items():
                if col.renamed_from is None:
                    continue
                if ident(report, col.renamed_from, where.at("columns", col_name, "renamed_from"), "renamed_from"):
                    renames.append(ir.Rename("column", col.renamed_from, col_name, owner=name))
        for key, e in f.spec.enums.items():
            name = names.split(key)
            where = Where(f.pos, ("enums", key))
            if e.renamed_from is not None:
                renames += _renamed(report, "enum", name, e.renamed_from, where.at("renamed_from"))
            for new_value, old_value in e.renamed_values.items():
                if new_value not in e.values:
                    report.error(
                        where.at("renamed_values", new_value),
                        errors.MIGRATION,
                        f'renamed value "{new_value}" is not a value of enum {name.display}',
                        key=True,
                    )
                else:
                    renames.append(ir.Rename("enum_value", old_value, new_value, owner=name))
        for section, kind, renamed in (  # types5
            ("domains", "domain", {k: d.renamed_from for k, d in f.spec.domains.items()}),
            ("composite_types", "composite_type", {k: c.renamed_from for k, c in f.spec.composite_types.items()}),
        ):
            for key, old in renamed.items():
                if old is not None:
                    where = Where(f.pos, (section, key, "renamed_from"))
                    renames += _renamed(report, kind, names.split(key), old, where)
        for key, fn in f.spec.functions.items():  # funcs5: ALTER FUNCTION ... RENAME (each overload by its types)
            if fn.renamed_from is not None:
                where = Where(f.pos, ("functions", key, "renamed_from"))
                found = _renamed(report, "function", names.split(key.partition("(")[0].strip()), fn.renamed_from, where)
                renames += [r for r in found if r not in renames]
        for section in ("views", "materialized_views"):  # funcs5: ALTER [MATERIALIZED] VIEW ... RENAME
            for key, v in getattr(f.spec, section).items():
                if v.renamed_from is not None:
                    where = Where(f.pos, (section, key, "renamed_from"))
                    renames += _renamed(report, "view", names.split(key), v.renamed_from, where)
        for key, seq in f.spec.sequences.items():  # aggs6: ALTER SEQUENCE ... RENAME
            if seq.renamed_from is not None:
                where = Where(f.pos, ("sequences", key, "renamed_from"))
                renames += _renamed(report, "sequence", names.split(key), seq.renamed_from, where)
        for key, ns in f.spec.schemas.items():  # funcs5: ALTER SCHEMA ... RENAME
            if ns.renamed_from is not None and ident(
                report, ns.renamed_from, Where(f.pos, ("schemas", key, "renamed_from")), "renamed_from"
            ):
                renames.append(ir.Rename("schema", ns.renamed_from, key, schema=key))
        for i, text in enumerate(f.spec.allow_destructive):
            entry = allowance(text)
            where = Where(f.pos, ("allow_destructive", i))
            if entry is None:
                verbs = (
                    ", ".join(f"`{v} ...`" for v in DESTRUCTIVE)
                    + " (`change type t.c to TYPE` confirms only that type)"
                )
                report.error(where, errors.MIGRATION, f'"{text}" is not a confirmable change; write one of {verbs}')
            else:
                allowed.append(entry)
                report.origin(("allow_destructive", entry), where)
    return ir.Intent(
        tuple(renames), tuple(sorted(set(allowed))), tuple(sorted(set(adopted), key=str)), tuple(without_rls)
    )


def _renamed(report: Report, kind: str, name: Name, text: str, where: Where) -> list[ir.Rename]:
    """The rename of a table or enum to `name` from `text`, an old name in the same schema.

    Whether it applies is the diff's business (diff/renames.py): only when the last
    migration has the old name and not the new one; once done, it stays harmless,
    even when the old name is used again for a new object.
    """
    old = names.split(text, name.schema)
    if old.schema != name.schema:
        report.error(
            where,
            errors.MIGRATION,
            f"a {kind} cannot move to another schema by renaming ({old.schema} -> {name.schema})",
        )
        return []
    if not ident(report, old.name, where, "renamed_from"):
        return []
    return [ir.Rename(kind, old.name, name.name, schema=name.schema)]


def spent_entries(origins: Origins, spent: Collection[str], migration: str) -> list[tuple[errors.Diagnostic, str]]:
    """Each allow_destructive entry of the spec that migration `migration` used up, as an
    E063 at the entry (with its normal form): a confirmation applies to one migration."""
    found = []
    for entry in spent:
        if origins.get(("allow_destructive", entry)) is None:
            continue  # not in the spec (any more)
        message = (
            f"`{entry}` in allow_destructive confirmed a change of migration {migration} and is spent: "
            "remove it (a confirmation applies to the one migration that used it)"
        )
        found.append(
            (origins.diagnostic(errors.DESTRUCTIVE, message, (("allow_destructive", entry), ()), at_key=False), entry)
        )
    return sorted(found)


def allowance(text: str) -> str | None:
    """An allow_destructive entry in its normal form (`drop column public.t.c`), or None if malformed.

    A type change may name the new type (`change type t.c to varchar(5)`): it then
    confirms only that change, written with the type as the column spells it.
    """
    stripped = " ".join(text.split())
    for verb, parts in DESTRUCTIVE.items():
        if not stripped.lower().startswith(verb + " "):
            continue
        obj = stripped[len(verb) + 1 :]
        to = None
        if verb == "change type" and (split := re.split(r" to ", obj, maxsplit=1, flags=re.IGNORECASE))[1:]:
            obj, type_text = split
            try:
                sql = type_sql(sqlparse.type_name(type_text))
            except sqlparse.FragmentError:
                return None
            if sql is None:
                return None
            to = sql
        written = names.parts(obj)
        if written is None or not 1 + (parts == 2) <= len(written) <= 2 + (parts == 2) or not all(written):
            return None
        member = written[-1:] if parts == 2 else []
        owner = written[: len(written) - len(member)]
        schema, name = owner if len(owner) == 2 else ["public", *owner]
        return ir.destructive_entry(verb, schema, name, *member, to=to)
    return None


class Refused(Protocol):
    """A refusal of the diff (diff.model.Refusal), as far as placing it reads it."""

    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def locator(self) -> tuple[Hashable, ...]: ...


def place(refusal: Refused, origins: Origins) -> errors.Diagnostic:
    """A refusal of the diff as a diagnostic at the place in the spec it is about.

    What was removed has no place of its own: the table (or the first `tables:`
    mapping) it was removed from stands in.
    """
    kind, *rest = refusal.locator  # see diff.model.Refusal
    parts = [str(p) for p in rest]  # the names in a locator: a column, a partition, an enum value
    tables: Place = (("section", "tables"), ())
    enums: Place = (("section", "enums"), ())
    places: list[Place] = [tables]
    if kind == "rename":
        what, owner, member = parts[0], rest[1], parts[2:]
        if what == "table":
            places = [(("table", owner), ("renamed_from",)), tables]
        elif what == "column":
            places = [(("table", owner), ("columns", *member, "renamed_from")), tables]
        elif what == "enum":
            places = [(("enum", owner), ("renamed_from",)), enums]
        elif what == "function":  # funcs5: the overload's key
            places = [(("function", owner), ("renamed_from",)), tables]
        elif what in ("view", "schema", "sequence") or what in ("domain", "composite_type"):  # funcs5, aggs6
            places = [((what, owner), ("renamed_from",)), tables]
        else:
            places = [(("enum", owner), ("renamed_values", *member)), enums]
    elif kind == "table":
        places = [(("table", rest[0]), ()), tables]
    elif kind == "column":
        places = [(("table", rest[0]), ("columns", parts[1])), tables]
    elif kind == "enum":
        places = [(("enum", rest[0]), ("values",)), enums]
    elif kind == "rows":  # seed rows of a table or of an external table
        places = [(("rows", rest[0]), ("data",)), (("table", rest[0]), ()), tables]
    elif kind == "partition":
        places = [(("partitioning", rest[0]), ("partitions", parts[1])), (("table", rest[0]), ()), tables]
    elif kind == "sequence":  # K2
        places = [(("sequence", rest[0]), ()), (("section", "sequences"), ()), tables]
    elif kind in ("domain", "composite_type", "range_type"):  # types5
        places = [((kind, rest[0]), ()), tables]
    elif kind == "extension":  # K2
        places = [(("extension", rest[0]), ("schema",)), tables]
    elif kind == "publication":  # K1
        places = [(("publication", rest[0]), ()), tables]
    return origins.diagnostic(refusal.code, refusal.message, *places)
