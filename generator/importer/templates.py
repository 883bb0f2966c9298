"""Policy templates found again: where several tables carry the same policies but for the table's name, one
`policy_templates:` entry applied to each (as the reference spec's tenant isolation), not a policy per table
and command.

A table's policies named `<prefix>_<command>` with the same roles and expressions are one candidate; it is a
template only when expanding it as the resolver does (resolve/policies.py) gives back exactly those policies,
and when two tables or more share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .. import ir
from ..ir import Name
from ..pg import quoting
from . import spelling

ORDER = ("all", "select", "insert", "update", "delete")
PLACEHOLDER = "{table}"


@dataclass(frozen=True)
class Pattern:
    """A template's content: what every table that applies it shares."""

    commands: tuple[str, ...]
    using: str | None
    check: str | None
    roles: tuple[str, ...]
    restrictive: bool


@dataclass(frozen=True)
class Applied:
    table: Name
    pattern: Pattern
    prefix: str
    policies: frozenset[str]  # the names of the table's policies the template stands for


STAND_IN = '"{table}"'  # what `{table}` is while the text is parsed: an identifier no table has


def _abstract(text: str | None, table: Name) -> str | None:
    """The expression with the table's name, where it qualifies a column, as `{table}` (replaced before it is
    put on one line, so that every table's text is one text, parsed once)."""
    if text is None:
        return None
    q = re.escape(quoting.ident(table.name))
    general = re.sub(rf"(?<![\w\"$.]){q}\.", STAND_IN + ".", text)
    return (spelling.expression(general) or general).replace(STAND_IN, PLACEHOLDER)


def _expand(pattern: Pattern, prefix: str, table: Name) -> dict[str, tuple[str, str | None, str | None]]:
    """The policies the resolver makes of the pattern on `table`: name -> (command, using, check)."""
    check = pattern.check if pattern.check is not None else pattern.using
    return {
        f"{prefix}_{command}": (
            command,
            pattern.using if command != "insert" else None,
            check if command in ("insert", "update", "all") else None,
        )
        for command in pattern.commands
    }


def _candidates(table: Name, policies: Iterable[ir.Policy]) -> list[Applied]:
    groups: dict[tuple[str, tuple[str, ...], bool], list[ir.Policy]] = {}
    for p in policies:
        if p.comment or not p.name.endswith(f"_{p.command}"):
            continue
        prefix = p.name[: -len(p.command) - 1]
        groups.setdefault((prefix, p.roles, p.restrictive), []).append(p)
    found = []
    for (prefix, roles, restrictive), members in groups.items():
        usings = {_abstract(p.using, table) for p in members if p.command != "insert"}
        checks = {_abstract(p.check, table) for p in members if p.command in ("insert", "update", "all")}
        if len(usings) > 1 or len(checks) > 1:
            continue
        using = next(iter(usings), None)
        check = next(iter(checks), None)
        commands = tuple(c for c in ORDER if any(p.command == c for p in members))
        pattern = Pattern(commands, using, None if check == using else check, roles, restrictive)
        want = {p.name: (p.command, _abstract(p.using, table), _abstract(p.check, table)) for p in members}
        if len(want) == len(members) and _expand(pattern, prefix, table) == want:
            found.append(Applied(table, pattern, prefix, frozenset(want)))
    return found


def find(tables: Iterable[ir.Table]) -> tuple[dict[Pattern, str], dict[Name, list[Applied]]]:
    """The templates (pattern -> name, in the order first met) and each table's applications of them."""
    candidates = [a for t in tables for a in _candidates(t.name, t.policies)]
    uses: dict[Pattern, list[Applied]] = {}
    for a in candidates:
        uses.setdefault(a.pattern, []).append(a)
    named: dict[Pattern, str] = {}
    applied: dict[Name, list[Applied]] = {}
    for pattern, where in uses.items():
        if len({a.table for a in where}) < 2:
            continue
        named[pattern] = _name(pattern, set(named.values()))
        for a in where:
            applied.setdefault(a.table, []).append(a)
    return named, applied


def _name(pattern: Pattern, taken: set[str]) -> str:
    """A name saying what the pattern compares: `org_id_isolation` when it reads one column of the table."""
    text = (pattern.using or "") + " " + (pattern.check or "")
    columns = sorted(set(re.findall(r"\{table\}\.(\w+)", text)))
    if not columns:  # the table's columns written bare: those compared outside sub-queries
        columns = sorted(set(re.findall(r"(?<![\w.\"'])([a-z_][a-z0-9_]*)\s*(?:=|<>|<|>|IN\b)", text)))
    base = f"{columns[0]}_isolation" if len(columns) == 1 else "shared_policy"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def document(pattern: Pattern) -> dict[str, object]:
    doc: dict[str, object] = {"commands": list(pattern.commands)}
    if pattern.roles != ("public",):
        doc["roles"] = list(pattern.roles)
    if pattern.restrictive:
        doc["restrictive"] = True
    if pattern.using is not None:
        doc["using"] = pattern.using
    if pattern.check is not None:
        doc["check"] = pattern.check
    return doc
