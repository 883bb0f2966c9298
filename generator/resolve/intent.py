"""What a spec says about the way from the last migration to it: renames and confirmed data loss.

`renamed_from` (tables, columns, enums) and `renamed_values` (enums) declare
renames, so the diff renames instead of dropping and adding (which would lose
the data). `allow_destructive` lists the changes that destroy data which the
author confirms. Both are checked here for shape and against the spec itself;
whether they match the previous state is the diff's business.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable
from typing import TYPE_CHECKING, Any, Protocol

from .. import errors, ir
from ..ir import Name, names
from ..pg import sqlparse
from .base import ResolverBase, Where, type_sql

if TYPE_CHECKING:
    from ..spec.loader import LoadedFile

# Each confirmable change and how many name parts its object has after an
# optional schema: a table or partition is one name, a column or value two.
DESTRUCTIVE = {"drop table": 1, "drop partition": 1, "drop column": 2, "change type": 2, "drop enum value": 2}


def resolve_intent(r: ResolverBase) -> ir.Intent:
    renames: list[ir.Rename] = []
    allowed: list[str] = []
    for f in r.files:
        for key, t in f.spec.tables.items():
            name = names.split(key)
            where = Where(f.pos, ("tables", key))
            if t.renamed_from is not None:
                renames += _renamed(r, "table", name, t.renamed_from, Where(f.pos, ("tables", key, "renamed_from")))
            for col_name, col in t.columns.items():
                if col.renamed_from is None:
                    continue
                cw = Where(where.pos, where.path + ("columns", col_name, "renamed_from"))
                if r.ident(col.renamed_from, cw, "renamed_from"):
                    renames.append(ir.Rename("column", col.renamed_from, col_name, owner=name))
        for key, e in f.spec.enums.items():
            name = names.split(key)
            where = Where(f.pos, ("enums", key))
            if e.renamed_from is not None:
                renames += _renamed(r, "enum", name, e.renamed_from, Where(f.pos, ("enums", key, "renamed_from")))
            for new_value, old_value in e.renamed_values.items():
                vw = Where(where.pos, where.path + ("renamed_values", new_value))
                if new_value not in e.values:
                    r.error(
                        vw,
                        errors.MIGRATION,
                        f'renamed value "{new_value}" is not a value of enum {name.display}',
                        key=True,
                    )
                else:
                    renames.append(ir.Rename("enum_value", old_value, new_value, owner=name))
        for i, text in enumerate(f.spec.allow_destructive):
            entry = allowance(text)
            if entry is None:
                verbs = (
                    ", ".join(f"`{v} ...`" for v in DESTRUCTIVE)
                    + " (`change type t.c to TYPE` confirms only that type)"
                )
                r.error(
                    Where(f.pos, ("allow_destructive", i)),
                    errors.MIGRATION,
                    f'"{text}" is not a confirmable change; write one of {verbs}',
                )
            else:
                allowed.append(entry)
                r.origin(("allow_destructive", entry), Where(f.pos, ("allow_destructive", i)))
    return ir.Intent(tuple(renames), tuple(sorted(set(allowed))))


def _renamed(r: ResolverBase, kind: str, name: Name, text: str, where: Where) -> list[ir.Rename]:
    """The rename of a table or enum to `name` from `text`, an old name in the same schema.

    Whether it applies is the diff's business (diff/renames.py): only when the last
    migration has the old name and not the new one; once done, it stays harmless,
    even when the old name is used again for a new object.
    """
    old = names.split(text, name.schema)
    if old.schema != name.schema:
        r.error(
            where,
            errors.MIGRATION,
            f"a {kind} cannot move to another schema by renaming ({old.schema} -> {name.schema})",
        )
        return []
    if not r.ident(old.name, where, "renamed_from"):
        return []
    return [ir.Rename(kind, old.name, name.name, schema=name.schema)]


def spent_entries(
    files: list[LoadedFile], spent: Collection[str], migration: str
) -> list[tuple[errors.Diagnostic, str]]:
    """Each allow_destructive entry of the spec that migration `migration` used up, as an
    E063 at the entry (with its normal form): a confirmation applies to one migration."""
    found = []
    for f in files:
        for i, text in enumerate(f.spec.allow_destructive):
            entry = allowance(text)
            if entry is not None and entry in spent:
                message = (
                    f"`{entry}` in allow_destructive confirmed a change of migration {migration} and is spent: "
                    "remove it (a confirmation applies to the one migration that used it)"
                )
                found.append((f.pos.diag(("allow_destructive", i), errors.DESTRUCTIVE, message), entry))
    return found


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
        member: list[str] = []
        if parts == 2:
            obj, _, last = obj.rpartition(".")
            member = [last]
        owner = names.split(obj)
        if not (names.IDENT.match(owner.schema) and names.IDENT.match(owner.name) and all(member)):
            return None
        return ir.destructive_entry(verb, owner.schema, owner.name, *member, to=to)
    return None


class Refused(Protocol):
    """A refusal of the diff (diff.model.Refusal), as far as placing it reads it."""

    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def locator(self) -> tuple[Hashable, ...]: ...


def locate(refusal: Refused, files: list[LoadedFile]) -> errors.Diagnostic:
    """A refusal of the diff as a diagnostic at the place in the spec it is about.

    What was removed has no place of its own: the table (or the `tables:`
    mapping) it was removed from stands in.
    """
    kind, *rest = refusal.locator  # see diff.model.Refusal
    args: list[Any] = list(rest)
    path: tuple[Any, ...] = ()
    file = files[0]
    if kind == "rename":
        what, owner, *member = args
        section = "enums" if what in ("enum", "enum_value") else "tables"
        file, key = _find(files, section, owner)
        path = (
            {
                "table": (section, key, "renamed_from"),
                "enum": (section, key, "renamed_from"),
                "column": (section, key, "columns", *member, "renamed_from"),
                "enum_value": (section, key, "renamed_values", *member),
            }[what]
            if key
            else (section,)
        )
    elif kind in ("table", "column", "enum"):
        section = "enums" if kind == "enum" else "tables"
        file, key = _find(files, section, args[0])
        if key is None:
            path = (section,)
        elif kind == "column":
            path = (
                (section, key, "columns", args[1])
                if args[1] in file.spec.tables[key].columns
                else (section, key, "columns")
            )
        else:
            path = (section, key, "values") if kind == "enum" else (section, key)
    elif kind == "partition":
        file, key = _find(files, "tables", args[0])
        partitioning = file.spec.tables[key].partitioning if key else None
        parts = partitioning.partitions if partitioning else {}
        path = (
            ("tables", key, "partitioning", "partitions")
            if key and partitioning
            else ("tables", key)
            if key
            else ("tables",)
        )
        if args[1] in parts:
            path += (args[1],)
    return file.pos.diag(path, refusal.code, refusal.message, key=True)


def _find(files: list[LoadedFile], section: str, name: Name) -> tuple[LoadedFile, str | None]:
    for f in files:
        for key in getattr(f.spec, section):
            if names.split(key) == name:
                return f, key
    holder = next((f for f in files if getattr(f.spec, section)), files[0])
    return holder, None
