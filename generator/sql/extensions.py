"""The view of an extension for its template (extension.sql.j2)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..pg import quoting


@dataclass(frozen=True)
class ExtensionView:
    """CREATE EXTENSION IF NOT EXISTS name WITH SCHEMA schema (extension.sql.j2)."""

    extension: ir.Extension

    @property
    def name(self) -> str:
        return self.extension.q

    @property
    def schema(self) -> str:
        return quoting.ident(self.extension.schema)
