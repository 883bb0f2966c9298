"""The data a diff produces: steps (one SQL statement each) in a dependency graph.

Every change to an object becomes up to two graph nodes: its *release* side
(drops and whatever frees what it used) and its *build* side (creates and
in-place alterations). Edges follow what uses what in the old and new schema,
so dependents are released before what they use and built after it. Steps
also carry a phase, because some statements cannot share the migration's
transaction (see `Phase`).
"""

from __future__ import annotations

import enum
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any


class Phase(enum.IntEnum):
    """Where a statement runs. Phases are written in this order; only MAIN and FINAL are transactions.

    BEFORE: `ALTER TYPE ... ADD VALUE` (a value added in a transaction cannot be
    used before it commits) and `DROP INDEX CONCURRENTLY`. AFTER: `CREATE INDEX
    CONCURRENTLY`. FINAL: validating constraints added NOT VALID in MAIN, so the
    long scan does not hold MAIN's strong locks.
    """

    BEFORE = 0
    MAIN = 1
    AFTER = 2
    FINAL = 3

    @property
    def transactional(self) -> bool:
        return self in (Phase.MAIN, Phase.FINAL)


@dataclass(frozen=True)
class Step:
    sql: str  # one statement, ending with ";"
    phase: Phase = Phase.MAIN
    notes: tuple[str, ...] = ()  # comment lines above the statement: locks taken, why a rule is broken
    ignore: tuple[str, ...] = ()  # squawk rules the statement knowingly breaks (explained by notes)


@dataclass(frozen=True)
class Refusal:
    """A change the spec makes but does not confirm (or cannot make): reported at its place in the spec."""

    code: str
    message: str
    locator: tuple[Hashable, ...]  # ("table", Name) | ("column", Name, col) | ("enum", Name) | ("partition", Name, part) | ...


RELEASE = "release"
BUILD = "build"


@dataclass
class Node:
    key: Hashable
    rank: int
    steps: list[Step] = field(default_factory=list)
    after: set[Hashable] = field(default_factory=set)  # keys of nodes that must come first


@dataclass
class Plan:
    nodes: dict[Hashable, Node] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # one human line per change, for headers and names
    renamed: list[Any] = field(default_factory=list)  # the declared renames carried out (ir.Rename)
    confirmed: set[str] = field(default_factory=set)  # the allow_destructive entries this migration uses up

    def node(self, key: Hashable, rank: int) -> Node:
        if key not in self.nodes:
            self.nodes[key] = Node(key, rank)
        return self.nodes[key]

    edges: list[tuple[Hashable, Hashable]] = field(default_factory=list)

    def edge(self, first: Hashable, then: Hashable) -> None:
        """`first` before `then`, if both turn out to have a node (decided once every kind is diffed)."""
        self.edges.append((first, then))

    def link(self) -> None:
        for first, then in self.edges:
            if first in self.nodes and then in self.nodes and first != then:
                self.nodes[then].after.add(first)

    def refuse(self, code: str, message: str, *locator: Hashable) -> None:
        self.refusals.append(Refusal(code, message, locator))

    @property
    def empty(self) -> bool:
        return not any(n.steps for n in self.nodes.values())
