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


def cyclic(nodes: list[Node]) -> set[Hashable]:
    """The keys of the nodes that lie on a dependency cycle (Tarjan's strongly connected
    components, iteratively: linear in nodes and edges, and no recursion limit)."""
    keys = {n.key for n in nodes}
    deps = {n.key: [d for d in n.deps if d in keys] for n in nodes}
    index: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    stack: list[Hashable] = []
    on_stack: set[Hashable] = set()
    found: set[Hashable] = set()
    for root in deps:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            key, i = work.pop()
            if i == 0:
                index[key] = low[key] = len(index)
                stack.append(key)
                on_stack.add(key)
            if i < len(deps[key]):
                work.append((key, i + 1))
                dep = deps[key][i]
                if dep not in index:
                    work.append((dep, 0))
                elif dep in on_stack:
                    low[key] = min(low[key], index[dep])
                continue
            if work:  # done with key: its parent learns its low link
                parent = work[-1][0]
                low[parent] = min(low[parent], low[key])
            if low[key] == index[key]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == key:
                        break
                if len(component) > 1 or key in deps[key]:
                    found.update(component)
    return found
