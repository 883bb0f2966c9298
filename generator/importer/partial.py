"""What the spec cannot express yet: each object the import leaves out, with why, so nothing is dropped silently.

The import prints them on stderr and at the top of the file whose module would hold them, and exits 1 unless
`--allow-partial`. A kind the spec learns is one entry less here (and one small function in objects.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..db.catalog import Unmanaged
from ..ir import Name

# Why the spec cannot hold each kind the catalog reader reports (db/catalog.py, Unmanaged.kind).
WHY = {
    "unlogged table": "the spec has no UNLOGGED tables",
    "partition key expression": "the spec partitions by columns only",
    "row level security on a partition": "the spec states row level security on the partitioned table only",
    "partitioned partition": "the spec has no sub-partitions",
    "view": "",
    "materialized view": "",
    "sequence": "",
    "foreign table": "the spec has no foreign tables",
    "foreign key MATCH FULL": "the spec's foreign keys are MATCH SIMPLE",
    "trigger on a partition": "the spec has no triggers on a single partition",
    "policy on a partition": "the spec has no policies on a single partition",
    "invalid index": "an index whose build failed (CREATE INDEX CONCURRENTLY): drop or rebuild it first",
    "aggregate": "the spec's aggregates are plain ones (no moving, ordered-set, serial or sort-operator parts)",
    "window function": "the spec has no window functions",
    "function setting": "the spec sets only a function's search_path",
    "trigger not enabled": "the spec's triggers are enabled",
    "rule": "the spec has no rules",
    "event trigger": "its function is in none of the schemas imported (import that schema too)",
    "statistics object": "the spec has no extended statistics",
    "collation": "the spec has no collations of its own",
    "text search configuration": "the spec has no text search configurations of its own",
    "operator": "the spec has no operators of its own",
    "table storage parameters": "the spec has no table storage parameters",
    "table inheritance": "the spec has no INHERITS (declarative partitions only)",
}


@dataclass(frozen=True, order=True)
class Left:
    """One object the import could not write: its kind, its name, why."""

    module: str
    kind: str
    name: str
    why: str

    @property
    def line(self) -> str:
        return f"{self.kind} {self.name}: {self.why}"


def shown(name: Name, member: str = "") -> str:
    text = (name.display if name.schema else name.name) if name.name else name.schema
    return f"{text}.{member}" if member else text


def of_unmanaged(u: Unmanaged, module: str) -> Left:
    why = WHY.get(u.kind) or "the spec cannot express it"
    detail = f" ({' '.join(u.detail.split())})" if u.detail else ""  # one line: a rule's text spans several
    return Left(module, u.kind, shown(u.name, u.member), why + detail)
