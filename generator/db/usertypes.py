"""Domains, composite types and range types of a live database in the spelling of the state (types5), for drift.

Each object the state has takes its module; a domain's DEFAULT and CHECKs take the state's text where they mean
the same (PostgreSQL prints `CHECK ((VALUE > 0))`, the spec says `VALUE > 0`). Objects keep the state's order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterable
from typing import Protocol, TypeVar

from .. import ir

Same = Callable[[str | None, str | None, str | None], bool]


class _Named(Protocol):
    @property
    def name(self) -> ir.Name: ...

    @property
    def module(self) -> str: ...


N = TypeVar("N", bound=_Named)


def domains(live: ir.Schema, state: ir.Schema, same: Same) -> tuple[ir.Domain, ...]:
    mine = {d.name: d for d in state.domains}
    result = []
    for d in live.domains:
        want = mine.get(d.name)
        if want is not None:
            default = want.default if same(d.default, want.default, want.sql_type) else d.default
            wanted = {c.name: c for c in want.checks}
            checks = tuple(
                wanted[c.name] if c.name in wanted and same(c.check, wanted[c.name].check, None) else c
                for c in d.checks
            )
            d = dataclasses.replace(d, module=want.module, default=default, checks=checks)
        result.append(d)
    return _ordered(result, state.domains)


def composites(live: ir.Schema, state: ir.Schema) -> tuple[ir.CompositeType, ...]:
    return _ordered(_modules(live.composite_types, state.composite_types), state.composite_types)


def ranges(live: ir.Schema, state: ir.Schema) -> tuple[ir.RangeType, ...]:
    return _ordered(_modules(live.range_types, state.range_types), state.range_types)


def _modules(live: Iterable[N], state: Iterable[N]) -> list[N]:
    modules = {o.name: o.module for o in state}
    return [dataclasses.replace(o, module=modules[o.name]) if o.name in modules else o for o in live]  # type: ignore[type-var]


def _ordered(items: Iterable[N], model: Iterable[N]) -> tuple[N, ...]:
    rank: dict[Hashable, int] = {m.name: i for i, m in enumerate(model)}
    last = len(rank)
    placed = sorted(((rank.get(o.name, last + i), o) for i, o in enumerate(items)), key=lambda pair: pair[0])
    return tuple(o for _, o in placed)
