"""What each index method accepts: key options, UNIQUE, several keys, INCLUDE, and its WITH (...) parameters.

PostgreSQL refuses the rest when the migration runs (`access method "gist" does
not support ASC/DESC options`); schemagen refuses it at build time, at its place.
The capabilities are those of each access method's handler (amcanorder,
amcanunique, amcanmulticol, amcaninclude; INCLUDE on spgist from PostgreSQL 14),
the parameters those of its reloptions (src/backend/access/common/reloptions.c;
pgvector's hnsw and ivfflat).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    kind: str  # "int" | "bool" | "enum"
    low: int = 0
    high: int = 0
    choices: tuple[str, ...] = ()

    def problem(self, value: str) -> str | None:
        """Why `value` is not one this parameter takes, or None."""
        text = value.strip().lower()
        if self.kind == "bool":
            ok = text in ("true", "false", "on", "off", "yes", "no", "1", "0")
            return None if ok else "true or false"
        if self.kind == "enum":
            return None if text in self.choices else " or ".join(self.choices)
        if not re.fullmatch(r"[+-]?\d+", text) or not self.low <= int(text) <= self.high:
            return f"an integer from {self.low} to {self.high}"
        return None


@dataclass(frozen=True)
class Method:
    ordered: bool  # ASC/DESC, NULLS FIRST/LAST
    unique: bool
    multicolumn: bool
    include: bool
    parameters: dict[str, Parameter]


_FILLFACTOR = Parameter("int", 10, 100)
_BOOL = Parameter("bool")

METHODS: dict[str, Method] = {
    "btree": Method(True, True, True, True, {"fillfactor": _FILLFACTOR, "deduplicate_items": _BOOL}),
    "hash": Method(False, False, False, False, {"fillfactor": _FILLFACTOR}),
    "gist": Method(
        False,
        False,
        True,
        True,
        {"fillfactor": _FILLFACTOR, "buffering": Parameter("enum", choices=("auto", "on", "off"))},
    ),
    "gin": Method(
        False, False, True, False, {"fastupdate": _BOOL, "gin_pending_list_limit": Parameter("int", 64, 2147483647)}
    ),
    "spgist": Method(False, False, False, True, {"fillfactor": _FILLFACTOR}),
    "brin": Method(False, False, True, False, {"pages_per_range": Parameter("int", 1, 131072), "autosummarize": _BOOL}),
    "hnsw": Method(
        False, False, False, False, {"m": Parameter("int", 2, 100), "ef_construction": Parameter("int", 4, 1000)}
    ),
    "ivfflat": Method(False, False, False, False, {"lists": Parameter("int", 1, 32768)}),
}
