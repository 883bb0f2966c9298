"""Database tests generated from the spec: does a deployed database match it, and does it isolate tenants?

Per spec module, a suite of checks (model.py): structure (structure.py: every table, column, key,
index, enum, partition, function, trigger, policy and privilege the spec states, read from
pg_catalog) and, for the tables the spec's `tenancy:` covers, behaviour (behaviour.py, on the rows
of rows.py). `schemagen build` writes each suite as a pgTAP file, generated/tests/<module>.sql
(pgtap.py); `schemagen test` runs the same suites without pgTAP (db/dbtests.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from . import behaviour, pgtap, structure
from .model import Check, Suite
from .pgtap import helper_sql

__all__ = ["Built", "Check", "Suite", "build", "helper_sql", "outputs"]

DIRECTORY = "tests"


@dataclass(frozen=True)
class Built:
    suites: tuple[Suite, ...]
    notes: tuple[str, ...]  # values the rows could not be given (a `sample:` is needed)


def build(schema: ir.Schema, exposed: tuple[str, ...]) -> Built:
    """Every module's suite."""
    suites = []
    notes: list[str] = []
    for module in schema.modules:
        checks = list(structure.checks(schema, module.name, exposed))
        counted = len(checks)
        setup, prepared, role = "", 0, None
        tenancy = schema.tenancy
        made = behaviour.tenancy_checks(schema, tenancy, module.name) if tenancy is not None else None
        if made is not None and tenancy is not None:
            checks += [*made.fixture, *made.behaviour]
            setup, prepared, role = made.setup, len(made.fixture), tenancy.role
            notes += made.notes
        suites.append(Suite(module.name, module.file, setup, tuple(checks), counted, prepared, role))
    return Built(tuple(suites), tuple(dict.fromkeys(notes)))


def outputs(built: Built) -> dict[str, str]:
    """generated/tests/<module>.sql for every module."""
    return {f"{DIRECTORY}/{s.module}.sql": pgtap.render(s) for s in built.suites}
