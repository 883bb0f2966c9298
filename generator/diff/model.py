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
    """Where a statement runs. Phases are written in this order, each under a marker line
    (`-- schemagen:phase <name> <transaction|no-transaction>`) from which a run can resume.

    PRECHECK: read-only checks that stop the migration, naming the rows, before
    anything changes (rows a narrower type, a new constraint or a removed enum
    value cannot take). BEFORE: only what must commit before MAIN uses it
    (`ALTER TYPE ... ADD VALUE` of a value MAIN uses), written to run again
    harmlessly. MAIN: the changes, in one transaction. AFTER: indexes dropped and
    built CONCURRENTLY. FINAL: validations of constraints added NOT VALID in
    MAIN, so the long scans do not hold MAIN's strong locks. Every phase after
    MAIN can run again, any number of times (a failed run resumes at its marker).
    COPY (between BEFORE and MAIN): rows copied in batches, each committed, into
    tables no client uses yet (partitions to be, see diff/moves.py); every
    statement can run again, and a re-run goes on where the last one stopped.

    The values leave room for more phases between these (e.g. a batched copy
    of rows before MAIN): a phase is a member here and an entry in `PHASES`.
    """

    PRECHECK = 10
    BEFORE = 20
    COPY = 25
    MAIN = 30
    AFTER = 40
    FINAL = 50

    @property
    def transactional(self) -> bool:
        return PHASES[self].transactional

    @property
    def marker(self) -> str:
        """The phase's name in its marker line."""
        return self.name.lower()


@dataclass(frozen=True)
class PhaseInfo:
    """How a phase is written: its own transaction or none, and the comment lines under its marker."""

    transactional: bool
    heading: tuple[str, ...]
    read_only: bool = False  # a transaction that changes nothing (the checks)

    @property
    def marker(self) -> str:
        return "transaction" if self.transactional else "no-transaction"


AGAIN = (
    "Safe to run again: if a statement here fails, what came before is committed; fix the cause and run the "
    "file again from this marker line."
)
PHASES = {
    Phase.PRECHECK: PhaseInfo(
        True,
        (
            (
                "Checks, read-only, before anything changes: a row the migration could not take stops it here, "
                "named in the error."
            ),
        ),
        read_only=True,
    ),
    Phase.BEFORE: PhaseInfo(
        False,
        (
            (
                "Outside a transaction: enum values the main transaction uses (a value added in a transaction "
                "cannot be used until it commits)."
            ),
            "Safe to run again (IF NOT EXISTS).",
        ),
    ),
    Phase.COPY: PhaseInfo(
        False,
        (
            (
                "Outside a transaction, each statement on its own: rows copied in batches into the partitions "
                "to be, while the old ones stay readable and writable;"
            ),
            (
                "what changes meanwhile is recorded, and applied under the short lock of the main transaction. "
                "Run the file again after a failure: it goes on where it stopped."
            ),
        ),
    ),
    Phase.MAIN: PhaseInfo(
        True,
        (
            (
                "The changes, in one transaction: if it fails, none of it stays; fix the cause and run the "
                "whole file again."
            ),
            (
                "Each ALTER holds its table's ACCESS EXCLUSIVE lock until COMMIT; a statement that also "
                "rewrites or scans a table under it says so."
            ),
        ),
    ),
    Phase.AFTER: PhaseInfo(
        False,
        ("After the transaction, outside one: indexes dropped and built CONCURRENTLY, without blocking writes.", AGAIN),
    ),
    Phase.FINAL: PhaseInfo(
        True,
        (
            (
                "Last, in a transaction of its own: validations (their scans do not hold the locks taken "
                "above) and keys on the indexes just built."
            ),
            AGAIN,
        ),
    ),
}


@dataclass(frozen=True)
class Step:
    sql: str  # one statement, ending with ";"
    phase: Phase = Phase.MAIN
    notes: tuple[str, ...] = ()  # comment lines above the statement: locks taken, why a rule is broken
    ignore: tuple[str, ...] = ()  # squawk rules the statement knowingly breaks (explained by notes)
    rerun: str | None = None  # the same statement made safe to run again, used if it must move after MAIN


@dataclass(frozen=True)
class Refusal:
    """A change the spec makes but does not confirm (or cannot make): reported at its place in the spec."""

    code: str
    message: str
    # ("table", Name) | ("column", Name, col) | ("enum", Name) | ("partition", Name, part) | ...
    locator: tuple[Hashable, ...]


RELEASE = "release"
BUILD = "build"


@dataclass
class Node:
    key: Hashable
    rank: int
    steps: list[Step] = field(default_factory=list)
    after: set[Hashable] = field(default_factory=set)  # keys of nodes that must come first


@dataclass(frozen=True)
class Applied:
    """How to tell that a migration's main transaction has committed: a SQL condition, and what it reads in words."""

    condition: str  # true once the main transaction has committed (diff/guard.py)
    sign: str  # e.g. "table public.tag exists"


@dataclass
class Plan:
    nodes: dict[Hashable, Node] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # one human line per change, for headers and names
    stops: list[str] = field(default_factory=list)  # what the prechecks refuse, one human line each, for headers
    renamed: list[Any] = field(default_factory=list)  # the declared renames carried out (ir.Rename)
    confirmed: set[str] = field(default_factory=set)  # the allow_destructive entries this migration uses up
    applied: Applied | None = None  # how a run of the whole file again tells that the main transaction ran

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
