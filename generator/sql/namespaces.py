"""The views the templates read for the schemas the spec creates (templates/sql/schema.sql.j2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import ir


@dataclass(frozen=True)
class SchemaView:
    schema: ir.Namespace

    @property
    def name(self) -> str:
        return self.schema.q


def in_own_schema(key: Any, own: frozenset[str]) -> str | None:
    """The spec's schema an object's node key (`(kind, Name)`) lives in, if it is one the spec creates."""
    if isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], ir.Name) and key[1].schema in own:
        return key[1].schema
    return None
