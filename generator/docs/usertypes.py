"""The docs' sections of a module's domains, composite types and range types (types5): what each is made of,
the columns that use it (linked), and its SQL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import ir
from . import markdown as md
from .links import Links, type_anchor
from .viewmodel import NONE, CodeBlock, TypeSection


def sections(
    schema: ir.Schema, module: str, sql: Mapping[tuple[str, Any], list[str]], links: Links
) -> tuple[TypeSection, ...]:
    users = _users(schema)
    found: list[TypeSection] = []

    def section(kind: str, anchor: str, o: Any, facts: list[tuple[str, str]], key: str) -> TypeSection:
        return TypeSection(
            kind,
            md.inline(o.name.display),
            md.anchor(type_anchor(anchor, o.name)),
            md.paragraph(o.comment) if o.comment else NONE,
            tuple(facts),
            tuple(_linked(users.get(o.name.q, ()), links)),
            CodeBlock("sql", "\n\n".join(sql.get((key, o.name), []))),
        )

    for d in schema.domains:
        if d.module != module:
            continue
        facts = [("Base type", _type(d.sql_type, links))]
        facts += [("Collation", md.inline(d.collation))] if d.collation else []
        facts += [("Default", md.code(d.default))] if d.default is not None else []
        facts += [("NOT NULL", "Yes" if d.not_null else "No")]
        facts += [(f"CHECK {md.inline(c.name)}", md.code(c.check)) for c in d.checks]
        found.append(section("Domain", "domain", d, facts, "domain"))
    for c in schema.composite_types:
        if c.module == module:
            facts = [
                (
                    f"Attribute {md.inline(a.name)}",
                    _type(a.sql_type, links) + (f" ({md.inline(a.comment)})" if a.comment else ""),
                )
                for a in c.attributes
            ]
            found.append(section("Composite type", "composite", c, facts, "composite_type"))
    for r in schema.range_types:
        if r.module == module:
            facts = [("Subtype", _type(r.subtype, links)), ("Multirange", md.inline(r.multirange))]
            for label, value in (
                ("Subtype operator class", r.subtype_opclass),
                ("Collation", r.collation),
                ("Canonical function", r.canonical),
                ("Subtype difference", r.subtype_diff),
            ):
                if value is not None:
                    facts.append((label, md.inline(value)))
            found.append(section("Range type", "range", r, facts, "range_type"))
    return tuple(found)


def _type(sql_type: str, links: Links) -> str:
    return links.user_type(sql_type) or md.inline(sql_type)


def _users(schema: ir.Schema) -> dict[str, list[tuple[ir.Name, str]]]:
    """The table columns of each type of the spec (arrays of it too), by the type's SQL spelling."""
    users: dict[str, list[tuple[ir.Name, str]]] = {}
    for t in schema.tables:
        for c in t.columns:
            element = c.sql_type
            while element.endswith("[]"):
                element = element[:-2]
            users.setdefault(element, []).append((t.name, c.name))
    multis = {ir.Name(r.name.schema, r.multirange).q: r.name.q for r in schema.range_types}
    for multi, rng in multis.items():
        users.setdefault(rng, []).extend(users.get(multi, []))
    return users


def _linked(columns: Any, links: Links) -> list[str]:
    return [f"{links.table(t)}.{md.inline(c)}" for t, c in columns]
