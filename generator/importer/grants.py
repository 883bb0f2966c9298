"""Privileges as `grants:`, `revokes:` and `default_privileges:` entries: what each object has beyond what it got
when it was created (PostgreSQL's built-in and default privileges: grants), what it lacks of that (revokes), and the
default privileges themselves, grouped as a person writes them: one entry per set of privileges and roles, listing
every object (or column) that has them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..db.catalog import Privilege
from ..ir import Name
from . import spelling

ORDER: tuple[str, ...] = ("select", "insert", "update", "delete", "truncate", "references", "trigger", "maintain")
ORDER += ("usage", "execute", "create", "temporary", "connect")
TARGET = {
    "table": "tables",
    "column": "tables",
    "function": "functions",
    "procedure": "functions",
    "sequence": "sequences",
    "schema": "schemas",
}
# pg_default_acl.defaclobjtype -> `on:`; what PostgreSQL gives PUBLIC on each without default privileges (acldefault)
ON = {"r": "tables", "S": "sequences", "f": "functions", "T": "types", "n": "schemas"}
BUILTIN = {"f": {("public", "execute")}, "T": {("public", "usage")}}

# The tables a platform makes (Supabase's) and the privileges its stand-ins give them (`schemagen standins` with its
# roles declared, and `--from-sql`'s templates/sql/db/import/supabase.sql.j2): SELECT to each of its roles. A grant on
# an external table beyond that (beyond PostgreSQL's defaults, the owner's alone, on any other) is the user's.
PLATFORM_TABLES = frozenset({Name("auth", "users"), Name("storage", "buckets"), Name("storage", "objects")})
PLATFORM_ROLES = ("anon", "authenticated", "service_role")

Doc = dict[str, Any]
Target = tuple[Name, str]  # the object, and how the spec names it (a function overload with its types)
Fact = tuple[str, Target, str, str, str]  # kind, object, column, role, privilege


def named(p: Privilege) -> str:
    """How a grant names the object of `p`: a schema by its name, anything else as a key of the spec."""
    return p.object.schema if p.kind == "schema" else spelling.key(p.object)


def grants(
    granted: Iterable[Privilege],
    baseline: Iterable[Privilege],
    module_of: Callable[[str, Name], str],
    position: Callable[[Name, str], int],
    name_of: Callable[[Privilege], str] = named,
) -> tuple[dict[str, list[Doc]], dict[str, list[Doc]]]:
    """Each module's grants (column-level ones with `columns:`, in the table's order by `position`) and revokes:
    the privileges taken away from what objects get when created."""

    def fact(p: Privilege) -> Fact:
        return (p.kind, (p.object, name_of(p)), p.column, p.role, p.privilege)

    now = {(*fact(p), p.grantable): p for p in granted}
    held = {f[:5] for f in now}
    at_creation = {(*fact(p), p.grantable): p for p in baseline}
    extra = list(now.keys() - at_creation.keys())
    revoked = [f for f in at_creation if f[:5] not in held]
    return _entries(extra, module_of, position, "to"), _entries(revoked, module_of, position, "from")


def platform(tables: Iterable[Name], roles: Iterable[str]) -> list[Privilege]:
    """What the stand-ins give the platform's tables among `tables`, to those of its roles in `roles` (that exist)."""
    present = set(roles)
    return [
        Privilege("table", t, r, "select")
        for t in sorted(set(tables) & PLATFORM_TABLES, key=str)
        for r in PLATFORM_ROLES
        if r in present
    ]


def _entries(
    facts: Iterable[tuple[str, Target, str, str, str, bool]],
    module_of: Callable[[str, Name], str],
    position: Callable[[Name, str], int],
    to: str,
) -> dict[str, list[Doc]]:
    per_column: dict[tuple[str, Target, str, str, bool], set[str]] = {}
    for kind, target, column, role, privilege, option in facts:
        per_column.setdefault((kind, target, column, role, option), set()).add(privilege)
    # the columns of one table with the same privileges for one role
    per_role: dict[tuple[str, Target, tuple[str, ...], str, bool], list[str]] = {}
    for (kind, target, column, role, option), found in per_column.items():
        ordered = tuple(sorted(found, key=_rank))
        per_role.setdefault((kind, target, ordered, role, option), []).append(column)
    roles_of: dict[tuple[str, Target, tuple[str, ...], tuple[str, ...], bool], list[str]] = {}
    for (kind, target, ordered, role, option), columns in per_role.items():
        cols = tuple(sorted(columns, key=lambda c: (position(target[0], c), c)))
        roles_of.setdefault((kind, target, ordered, cols, option), []).append(role)
    entries: dict[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], bool], list[Target]] = {}
    for (kind, target, ordered, cols, option), roles in roles_of.items():
        key = (module_of(kind, target[0]), kind, ordered, cols, tuple(sorted(roles)), option)
        entries.setdefault(key, []).append(target)
    out: dict[str, list[Doc]] = {}
    for (module, kind, ordered, cols, grantees, option), objects in sorted(entries.items(), key=_entry_order):
        doc: Doc = {"privileges": list(ordered), TARGET[kind]: []}
        for _obj, name in sorted(objects, key=lambda t: (t[0].schema, t[0].name, t[1])):
            doc[TARGET[kind]].append(name)
        if kind == "column":
            doc["columns"] = list(cols)
        doc[to] = list(grantees)
        if option:
            doc["with_grant_option"] = True
        out.setdefault(module, []).append(doc)
    return out


def _entry_order(item: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], bool], Any]) -> Any:
    (module, kind, privs, cols, roles, option), objects = item
    first = min((n.schema, n.name, label) for n, label in objects)
    return (module, list(TARGET).index(kind), first, [_rank(p) for p in privs], cols, roles, option)


def default_privileges(
    acl: Iterable[tuple[str, str | None, str, str, str]], schemas: Iterable[str], owners: Iterable[str]
) -> tuple[list[Doc], list[str]]:
    """ALTER DEFAULT PRIVILEGES as the spec writes them, for the roles in `owners`, globally or in one of `schemas`:
    a global entry (the objects' whole default ACL) is what it adds to and takes from PostgreSQL's built-in
    defaults, a schema's what it adds (the owner's own privileges left out). Those of other roles are named
    (`for role R in schema S on tables`), not written."""
    wanted = set(schemas)
    owning = set(owners)
    held: dict[tuple[str, str | None, str], set[tuple[str, str]]] = {}
    others: set[str] = set()
    for for_role, schema, objtype, role, privilege in acl:
        if (schema is not None and schema not in wanted) or objtype not in ON:
            continue
        if for_role not in owning:
            where = f" in schema {schema}" if schema is not None else ""
            others.add(f"for role {for_role}{where} on {ON[objtype]}")
        else:
            entry = held.setdefault((for_role, schema, objtype), set())
            if role != for_role:
                entry.add((role, privilege))
    docs: list[Doc] = []
    for (for_role, schema, objtype), now in sorted(held.items(), key=lambda i: (i[0][0], i[0][1] or "", i[0][2])):
        builtin = BUILTIN.get(objtype, set()) if schema is None else set()
        for direction, facts in (("to", now - builtin), ("from", builtin - now)):
            per_role: dict[str, set[str]] = {}
            for role, privilege in facts:
                per_role.setdefault(role, set()).add(privilege)
            roles_of: dict[tuple[str, ...], list[str]] = {}
            for role, found in per_role.items():
                roles_of.setdefault(tuple(sorted(found, key=_rank)), []).append(role)
            for ordered, roles in sorted(roles_of.items(), key=lambda i: ([_rank(p) for p in i[0]], sorted(i[1]))):
                doc: Doc = {"for_role": for_role}
                if schema is not None:
                    doc["in_schema"] = schema
                doc |= {"on": ON[objtype], "privileges": list(ordered), direction: sorted(roles)}
                docs.append(doc)
    return docs, sorted(others)


def _rank(privilege: str) -> int:
    return ORDER.index(privilege) if privilege in ORDER else len(ORDER)
