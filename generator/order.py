"""Dependency order for the statements of a migration.

Each statement has a rank (the usual place of its kind: types, tables,
foreign keys, functions, triggers, policies, grants) and the keys of what it
needs. Kahn's algorithm with a heap keyed by (rank, spec order) gives the
natural layout whenever it is valid, and moves a statement earlier only when a
dependency demands it (a column default that calls a spec function). It runs
in O(n log n): nothing here may grow quadratically with the schema.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Node:
    key: Hashable
    rank: int
    deps: Sequence[Hashable]
    payload: Any
    seq: int = field(default=0)


class CycleError(Exception):
    def __init__(self, keys: Sequence[Hashable]):
        super().__init__(f"dependency cycle between: {', '.join(map(str, keys))}")
        self.keys = keys


def toposort(nodes: list[Node]) -> list[Node]:
    by_key = {}
    for i, n in enumerate(nodes):
        n.seq = i
        by_key[n.key] = n
    waiting: dict[Hashable, int] = {}
    dependents: dict[Hashable, list[Node]] = {}
    heap: list[tuple[int, int, Hashable]] = []
    for n in nodes:
        deps = {d for d in n.deps if d in by_key and d != n.key}  # external objects already exist
        waiting[n.key] = len(deps)
        for d in deps:
            dependents.setdefault(d, []).append(n)
        if not deps:
            heapq.heappush(heap, (n.rank, n.seq, n.key))
    result: list[Node] = []
    while heap:
        _, _, key = heapq.heappop(heap)
        node = by_key[key]
        result.append(node)
        for dependent in dependents.get(key, ()):
            waiting[dependent.key] -= 1
            if waiting[dependent.key] == 0:
                heapq.heappush(heap, (dependent.rank, dependent.seq, dependent.key))
    if len(result) != len(nodes):
        raise CycleError(sorted((str(k) for k, w in waiting.items() if w > 0)))
    return result
