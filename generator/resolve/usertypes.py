"""Domains, composite types and range types (`domains:`, `composite_types:`, `range_types:`): types the spec makes.

Each is a type a column (an attribute, a domain, a range's subtype) may be of, as an extension's type is: a
column of domain `email` has `sql_type` `public.email` and `base` `email` (what PostgreSQL stores, and what
`schemagen drift` reads back), an array of it `public.email[]`. Their names are collected first (`names`), so that
one may use another whatever the order they are written in; a type that uses itself, through any number of
others, is E140.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass

from .. import errors, ir
from ..ir import Name
from ..ir.names import default_multirange, make_object_name
from ..pg import quoting, sqlparse
from ..spec.loader import LoadedFile
from .registry import Claim
from .report import Report, Where, expression, ident, qualified, valid_expression
from .types import ColumnType, OtherType, column_type


@dataclass(frozen=True)
class UserTypes:
    domains: tuple[ir.Domain, ...]
    composites: tuple[ir.CompositeType, ...]
    ranges: tuple[ir.RangeType, ...]
    claims: list[Claim]


def names(files: list[LoadedFile], schemas: Container[str], report: Report) -> dict[Name, OtherType]:
    """Every type of these kinds (ranges with their multiranges), by qualified name, as a column's type."""
    found: dict[Name, OtherType] = {}
    for f in files:
        at = Where(f.pos, ()).at
        for section, what in (("domains", "domain"), ("composite_types", "composite type"), ("range_types", "range")):
            for key in getattr(f.spec, section):
                name = qualified(report, key, at(section, key), what)
                if name.schema not in schemas:
                    report.error(
                        at(section, key),
                        errors.UNKNOWN_SCHEMA,
                        f'unknown schema "{name.schema}" (declare it under schemas: or external.schemas)',
                        key=True,
                    )
                    continue
                found[name] = OtherType(name.name, 0, None, None)
                if section == "range_types":
                    spec = f.spec.range_types[key]
                    multi = Name(name.schema, spec.multirange or default_multirange(name.name))
                    found[multi] = OtherType(multi.name, 0, None, None)
    return found


def collect(
    files: list[LoadedFile],
    enums: Container[Name],
    others: Mapping[Name, OtherType],
    own: Mapping[Name, OtherType],
    report: Report,
) -> UserTypes:
    """The domains, composite types and range types of every file; `others` are every type a column may be of
    besides the built-in ones and `enums` (`own`, this module's, among them)."""
    domains: list[ir.Domain] = []
    composites: list[ir.CompositeType] = []
    ranges: list[ir.RangeType] = []
    claims: list[Claim] = []
    uses: dict[Name, set[Name]] = {}
    places: dict[Name, Where] = {}

    def typed(text: str, where: Where, owner: Name) -> ColumnType | None:
        t = column_type(text, enums, report, where, others)
        if t is not None and t.enum is None and any(n.name == t.base for n in own):
            used = Name(*_split(t.sql))
            if used in own:
                uses.setdefault(owner, set()).add(_range_of(used, files) or used)
        return t

    for f in files:
        at = Where(f.pos, ()).at
        for key, d in f.spec.domains.items():
            where = at("domains", key)
            name = qualified(report, key, where, "domain")
            if name not in own:
                continue
            claims.append(Claim("type", name, where, "domain"))
            places[name] = where
            report.origin(("domain", name), where)
            base = typed(d.type, where.at("type"), name)
            checks = []
            if d.check is not None:
                checks.append(ir.DomainCheck(make_object_name(name.name, None, "check"), d.check))
                _check(d.check, name, report, where.at("check"))
            for check_name, text in d.checks.items():
                if ident(report, check_name, where.at("checks", check_name), "constraint name"):
                    checks.append(ir.DomainCheck(check_name, text))
                    _check(text, name, report, where.at("checks", check_name))
            if d.default is not None:
                valid_expression(report, d.default, where.at("default"))
            if base is None:
                continue
            domains.append(
                ir.Domain(
                    name,
                    f.module,
                    base.sql,
                    base.base,
                    base.enum,
                    base.mods,
                    base.array_dims,
                    d.not_null,
                    d.default,
                    tuple(sorted(checks, key=lambda c: c.name)),
                    _collation(d.collation, report, where.at("collation")),
                    d.comment,
                )
            )
        for key, c in f.spec.composite_types.items():
            where = at("composite_types", key)
            name = qualified(report, key, where, "composite type")
            if name not in own:
                continue
            claims.append(Claim("type", name, where, "composite type"))
            claims.append(Claim("relation", name, where, "composite type"))
            places[name] = where
            report.origin(("composite_type", name), where)
            attributes = []
            for attr_name, attr in c.attributes.items():
                at_attr = where.at("attributes", attr_name)
                if not ident(report, attr_name, at_attr, "attribute name"):
                    continue
                t = typed(attr.type, at_attr.at("type"), name)
                if t is not None:
                    attributes.append(
                        ir.Column(attr_name, t.sql, t.base, t.enum, t.mods, t.array_dims, comment=attr.comment)
                    )
            if len(attributes) == len(c.attributes):
                composites.append(ir.CompositeType(name, f.module, tuple(attributes), c.comment))
        for key, r in f.spec.range_types.items():
            where = at("range_types", key)
            name = qualified(report, key, where, "range type")
            if name not in own:
                continue
            multirange = r.multirange or default_multirange(name.name)
            claims.append(Claim("type", name, where, "range type"))
            claims.append(Claim("type", Name(name.schema, multirange), where.at("multirange"), "multirange type"))
            places[name] = where
            report.origin(("range_type", name), where)
            if r.multirange is not None:
                ident(report, r.multirange, where.at("multirange"), "multirange name")
            sub = typed(r.subtype, where.at("subtype"), name)
            if sub is not None and sub.array_dims:
                report.error(where.at("subtype"), errors.UNKNOWN_TYPE, "a range's subtype cannot be an array")
                continue
            functions = [_function(getattr(r, f), report, where.at(f)) for f in ("canonical", "subtype_diff")]
            if sub is None:
                continue
            ranges.append(
                ir.RangeType(
                    name,
                    f.module,
                    sub.sql,
                    sub.base,
                    multirange,
                    r.multirange is not None,
                    _qualified_sql(r.subtype_opclass, report, where.at("subtype_opclass"), "operator class"),
                    _collation(r.collation, report, where.at("collation")),
                    functions[0],
                    functions[1],
                    r.comment,
                )
            )
    for name in _cyclic(uses):
        report.error(
            places[name],
            errors.TYPE_CYCLE,
            f"type {name.display} uses itself (through its base type, attributes or subtype)",
            key=True,
        )
    return UserTypes(tuple(domains), tuple(composites), tuple(ranges), claims)


def _split(sql: str) -> tuple[str, str]:
    """The (schema, name) of a column's `sql_type` naming a type of the spec (`public."Addr"[]`)."""
    ref = sqlparse.type_name(sql)
    return ref.schema or "public", ref.name


def _range_of(multirange: Name, files: list[LoadedFile]) -> Name | None:
    """The range of a multirange of the spec (a type using the multirange uses the range)."""
    for f in files:
        for key, r in f.spec.range_types.items():
            name = qualified(Report(), key, Where(f.pos, ()), "range")
            if name.schema == multirange.schema and (r.multirange or default_multirange(name.name)) == multirange.name:
                return name
    return None


def _check(text: str, domain: Name, report: Report, where: Where) -> None:
    """A domain's CHECK: one expression, naming no column but VALUE."""
    if expression(report, text, where) is None:
        return
    for ref, offset in sqlparse.expression_column_refs(text):
        if ref != ("value",):
            report.error_in_fragment(
                where,
                offset,
                errors.UNKNOWN_COLUMN,
                f'unknown column "{".".join(ref)}" in the CHECK of domain {domain.display} (its value is VALUE)',
            )


def _collation(text: str | None, report: Report, where: Where) -> str | None:
    return _qualified_sql(text, report, where, "collation")


def _qualified_sql(text: str | None, report: Report, where: Where, what: str) -> str | None:
    """A name as SQL (`"C"`, `pg_catalog."default"`, `und-x-icu` quoted); written quoted or not in the spec."""
    if text is None:
        return None
    parts = [p[1:-1].replace('""', '"') if p.startswith('"') and p.endswith('"') else p for p in _parts(text)]
    if not all(ident(report, p, where, what) for p in parts):
        return None
    return ".".join(quoting.ident(p) for p in parts)


def _parts(text: str) -> list[str]:
    """`a.b` or `"a.b"` or `pg_catalog."C"` split at the dots outside quotes."""
    parts, current, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def _function(text: str | None, report: Report, where: Where) -> str | None:
    return _qualified_sql(text, report, where, "function")


def _cyclic(uses: Mapping[Name, set[Name]]) -> list[Name]:
    """The types that reach themselves through `uses`."""
    found = []
    for start in sorted(uses, key=str):
        seen: set[Name] = set()
        todo = list(uses[start])
        while todo:
            n = todo.pop()
            if n == start:
                found.append(start)
                break
            if n not in seen:
                seen.add(n)
                todo += uses.get(n, ())
    return found
