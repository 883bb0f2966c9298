"""Privileges as `grants:` entries: what each object has beyond what it got when it was created (PostgreSQL's
built-in and default privileges), grouped as a person writes them: one entry per set of privileges and roles,
listing every object that has them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..db.catalog import Privilege
from ..ir import Name
from . import spelling
from .partial import Left, shown

ORDER: tuple[str, ...] = ("select", "insert", "update", "delete", "truncate", "references", "trigger", "maintain")
ORDER += ("usage", "execute", "create", "temporary", "connect")
TARGET = {
    "table": "tables",
    "function": "functions",
    "procedure": "functions",
    "sequence": "sequences",
    "schema": "schemas",
}


def _target(p: Privilege) -> str:
    return p.object.schema if p.kind == "schema" else spelling.key(p.object)


def _fact(p: Privilege) -> tuple[str, Name, str, str, bool]:
    return (p.kind, p.object, p.role, p.privilege, p.grantable)


def grants(
    granted: Iterable[Privilege], baseline: Iterable[Privilege], module_of: Any
) -> tuple[dict[str, list[dict[str, Any]]], list[Left]]:
    """Each module's grants, and the privileges taken away from what objects get when created (REVOKE: not in
    the spec yet)."""
    now = {_fact(p): p for p in granted}
    at_creation = {_fact(p): p for p in baseline}
    extra = [now[f] for f in sorted(now.keys() - at_creation.keys(), key=_key)]
    revoked = [at_creation[f] for f in sorted(at_creation.keys() - now.keys(), key=_key)]
    per_object: dict[tuple[str, Name, str, bool], set[str]] = {}
    for p in extra:
        per_object.setdefault((p.kind, p.object, p.role, p.grantable), set()).add(p.privilege)
    roles_of: dict[tuple[str, Name, tuple[str, ...], bool], list[str]] = {}
    for (kind, obj, role, option), privileges in per_object.items():
        ordered = tuple(sorted(privileges, key=_rank))
        roles_of.setdefault((kind, obj, ordered, option), []).append(role)
    entries: dict[tuple[str, str, tuple[str, ...], tuple[str, ...], bool], list[Name]] = {}
    for (kind, obj, privs, option), roles in roles_of.items():
        module: str = module_of(kind, obj)
        entries.setdefault((module, kind, privs, tuple(sorted(roles)), option), []).append(obj)
    out: dict[str, list[dict[str, Any]]] = {}
    for (module, kind, privs, to, option), objects in entries.items():
        doc: dict[str, Any] = {"privileges": list(privs), TARGET[kind]: []}
        for obj in objects:
            doc[TARGET[kind]].append(obj.schema if kind == "schema" else spelling.key(obj))
        doc["to"] = list(to)
        if option:
            doc["with_grant_option"] = True
        out.setdefault(module, []).append(doc)
    left = [
        Left(
            module_of(p.kind, p.object),
            "revoked privilege",
            shown(p.object),
            f"{p.privilege.upper()} revoked from {p.role}; the spec has no REVOKE yet (issue 13)",
        )
        for p in revoked
    ]
    return out, left


def _rank(privilege: str) -> int:
    return ORDER.index(privilege) if privilege in ORDER else len(ORDER)


def _key(fact: tuple[str, Name, str, str, bool]) -> tuple[str, str, str, str, int, bool]:
    kind, obj, role, privilege, option = fact
    return (kind, obj.schema, obj.name, role, _rank(privilege), option)
