"""Reading a database back: its live catalog must be the state it was built from (db/catalog.py, db/align.py).

Plain module: tests/test_db_catalog.py and the diff harness (after each up and
down migration) call `assert_reads_back`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pg
from schemagen import ir
from schemagen.db import align, catalog, drift


def read_back(url: str, state: ir.Schema) -> tuple[drift.Report, ir.Schema, catalog.Catalog]:
    """The drift report of the database at `url` against `state`, and its live schema in the state's spelling."""
    scope = drift.spec_schemas(state)
    skip = [t.name for t in state.external.tables] + [f.name for f in state.external.functions]
    with pg.connect(url) as conn:
        found = catalog.read(conn, scope, skip=skip, attached=drift.attached(state))
        meaning = align.Meaning(drift.ServerJudge(conn), found.search_path, found.default_opclasses)
        report = drift.compare_with(found, drift.Target(state.version, state.name, state, "test"), scope, meaning)
        live = align.align(drift.reattached(found.schema, align.detached(found.schema, state)), state, meaning)
    return report, live, found


def assert_reads_back(url: str, state: ir.Schema, label: str) -> None:
    """No difference between the database and `state`, and every object, field by field, the same once aligned."""
    report, live, _found = read_back(url, state)
    assert not report.findings, f"{label}: the live catalog differs from the state it was built from:\n" + "\n".join(
        f.line for f in report.findings
    )
    for kind in ("enums", "tables", "functions", "triggers"):
        _same(getattr(live, kind), getattr(state, kind), f"{label}: {kind}")


def _same(live: Any, state: Any, where: str) -> None:
    if live == state:
        return
    if isinstance(live, tuple) and isinstance(state, tuple) and len(live) == len(state):
        for i, (a, b) in enumerate(zip(live, state)):
            _same(a, b, f"{where}[{i}]")
        return
    if dataclasses.is_dataclass(live) and type(live) is type(state):
        for f in dataclasses.fields(live):
            _same(getattr(live, f.name), getattr(state, f.name), f"{where}.{f.name}")
        return
    raise AssertionError(f"{where}: the database gives {live!r}, the state says {state!r}")
