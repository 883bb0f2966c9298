"""Features newer than the oldest PostgreSQL the migrations must run on (`[tool.schemagen] postgres_version`).

Each is refused at its place, with the version it needs: a migration written for
PostgreSQL 14 must not hold `NULLS NOT DISTINCT`, which 14 cannot parse.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import errors, ir
from ..spec.origins import Origins


def check(schema: ir.Schema, origins: Origins, version: int) -> None:
    """SpecError for each feature of `schema` that PostgreSQL `version` does not have."""
    found = [
        origins.diagnostic(
            errors.UNSUPPORTED_CHANGE,
            f"{what} needs PostgreSQL {needs}; postgres_version (pyproject.toml [tool.schemagen]) is {version}",
            (key, below),
        )
        for needs, what, key, below in _features(schema)
        if needs > version
    ]
    if found:
        raise errors.SpecError(found)


def _features(schema: ir.Schema) -> Iterator[tuple[int, str, tuple[object, ...], tuple[str, ...]]]:
    for t in schema.tables:
        for c in t.constraints:
            if c.nulls_not_distinct:
                yield (
                    15,
                    f"NULLS NOT DISTINCT (constraint {c.name} on {t.name.display})",
                    ("constraint", t.name, c.name),
                    (),
                )
        for ix in t.indexes:
            if ix.nulls_not_distinct:
                yield 15, f"NULLS NOT DISTINCT (index {ix.name.name})", ("index", ix.name), ()
        for col in t.columns:
            if col.virtual:
                yield (
                    18,
                    f"a VIRTUAL generated column ({t.name.display}.{col.name})",
                    ("column", t.name, col.name),
                    ("generated",),
                )
    for p in schema.publications:
        for f in p.filters:
            yield (
                15,
                f"a column list or row filter (table {f.table.display} of publication {p.name})",
                ("publication_table", p.name, f.table),
                (),
            )
