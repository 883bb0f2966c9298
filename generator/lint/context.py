"""What every rule reads: the IR, where its objects came from, the options, and a few indexes over them."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .. import ir
from ..ir import Name
from ..spec.origins import Key, Origins
from . import sqlfacts
from .findings import RULES, Finding

RLS_COMMANDS = ("select", "insert", "update", "delete")  # the privileges row level security filters
TABLE_ALL = ("select", "insert", "update", "delete", "truncate", "references", "trigger")


@dataclass(frozen=True)
class Options:
    today: _dt.date | None = None  # None: skip the rules that depend on the date (as `build` does)
    partition_horizon_months: int = 3
    exposed_schemas: tuple[str, ...] = ("public",)
    # allow_destructive entries of the spec that the newest migration (`last_migration`) used up:
    # read from its saved state by `schemagen lint`; `build` says so itself, outside the docs.
    spent: tuple[str, ...] = ()
    last_migration: str = ""

    @classmethod
    def from_settings(cls, settings: Any, today: _dt.date | None = None) -> Options:
        """Options from [tool.schemagen] (config.Settings)."""
        return cls(today, settings.partition_horizon_months, tuple(settings.exposed_schemas))


@dataclass
class Context:
    schema: ir.Schema
    origins: Origins
    options: Options = field(default_factory=Options)
    used: set[tuple[str, object, str]] = field(default_factory=set)  # (file, holder path, rule) of applied suppressions
    ran: set[str] = field(default_factory=set)  # ids of the rules run so far
    memo: dict[Key, object] = field(default_factory=dict)  # what several rules derive from one object

    # -- indexes over the IR ---------------------------------------------
    @cached_property
    def with_policies(self) -> tuple[ir.Table | ir.ExternalTable, ...]:
        """The tables whose policies are the spec's: its own, and the external ones it puts policies on."""
        return (*self.schema.tables, *(t for t in self.schema.external.tables if t.policies))

    @cached_property
    def tables(self) -> dict[Name, ir.Table]:
        return {t.name: t for t in self.schema.tables}

    @cached_property
    def partition_parent(self) -> dict[Name, ir.Table]:
        return {p.name: t for t in self.schema.tables for p in t.partitions}

    @cached_property
    def functions(self) -> dict[Name, list[ir.Function]]:
        """The spec's functions by name, each name's overloads together."""
        result: dict[Name, list[ir.Function]] = {}
        for f in self.schema.functions:
            result.setdefault(f.name, []).append(f)
        return result

    @cached_property
    def function_by_signature(self) -> dict[str, ir.Function]:
        return {f.signature: f for f in self.schema.functions}

    @cached_property
    def table_grants(self) -> dict[Name, dict[str, set[str]]]:
        """Table privileges granted on each spec table or partition: relation -> role -> privileges."""
        relations = {n.q: n for n in (*self.tables, *self.partition_parent)}
        result: dict[Name, dict[str, set[str]]] = {}
        for g in self.schema.grants:
            name = relations.get(g.target) if g.kind == "table" else None
            if name is None:
                continue
            privileges = set(TABLE_ALL) if "all" in g.privileges else set(g.privileges)
            for role in g.roles:
                result.setdefault(name, {}).setdefault(role, set()).update(privileges)
        return result

    @cached_property
    def body_volatility(self) -> dict[ir.FunctionKey, tuple[str, Any]]:
        """For each LANGUAGE sql function of the spec: the most volatile call of its body, and that call.

        PostgreSQL trusts a function's declared volatility; this is what its body
        actually does (calls of other spec functions count at their own level).
        """
        result: dict[ir.FunctionKey, tuple[str, Any]] = {}
        visiting: set[ir.FunctionKey] = set()

        def visit(f: ir.Function) -> str:
            if f.key in result:
                return result[f.key][0]
            if f.language != "sql" or f.key in visiting:
                return f.volatility
            visiting.add(f.key)
            level, worst = "immutable", None
            for stmt in sqlfacts.statements(f.body):
                for label, volatility, location in sqlfacts.volatile_calls(stmt, lambda n: self._declared(n, visit)):
                    if sqlfacts.VOLATILITY_RANK[volatility] > sqlfacts.VOLATILITY_RANK[level]:
                        level, worst = volatility, (label, volatility, location)
            visiting.discard(f.key)
            result[f.key] = (level, worst)
            return level

        for f in self.schema.functions:
            visit(f)
        return result

    def volatility_of(self, name: tuple[str, ...]) -> str | None:
        """How volatile a call of spec function `name` really is (None: not a spec function)."""
        return self._declared(name, lambda f: self.body_volatility.get(f.key, (f.volatility, None))[0])

    def _declared(self, name: tuple[str, ...], body: Any) -> str | None:
        """The most volatile of the overloads a call may be (the call's argument types are not known here)."""
        overloads = self.functions.get(Name(name[0], name[1]) if len(name) == 2 else Name("public", name[-1]))
        if not overloads:
            return None
        levels = [level for f in overloads for level in (f.volatility, body(f))]
        return max(levels, key=lambda v: sqlfacts.VOLATILITY_RANK[v])

    # -- naming and reporting --------------------------------------------
    @staticmethod
    def function_label(f: ir.Function) -> str:
        return f"{f.name}({', '.join(f.arg_types)})"

    def finding(
        self,
        rule_id: str,
        key: Key,
        obj: str,
        message: str,
        *,
        at: Key | None = None,
        offset: int | None = None,
        severity: str | None = None,
        hint: str | None = None,
    ) -> Finding:
        """A finding about the object recorded under `key`, placed at `at` (a fragment) when given.

        `offset` is a character offset into the fragment's IR text; suppressions
        are always read from the object itself.
        """
        rule = RULES[rule_id]
        place = self.origins.get(at) if at is not None else None
        origin = self.origins.get(key)
        if place is not None:
            file, (line, column) = place.file, place.at(offset)
        elif origin is not None:
            file, (line, column) = origin.file, origin.at()
        else:  # linting an IR without origins (e.g. built in a test): no position
            file, line, column = "", 0, 0
        reason = origin.ignore.get(rule_id) if origin is not None else None
        if reason is not None and origin is not None:
            self.used.add((origin.file, origin.holder, rule_id))
        return Finding(file, line, column, rule_id, obj, severity or rule.severity, message, hint or rule.hint, reason)
