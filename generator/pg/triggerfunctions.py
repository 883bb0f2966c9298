"""The trigger functions PostgreSQL itself provides, and how each must be called.

A trigger may call them without the spec declaring them. PostgreSQL checks how
they are called only when the trigger fires (`tsvector_update_trigger: must be
fired BEFORE event`, `text search configuration name "english" must be
schema-qualified`), so schemagen checks the same rules when it builds
(src/backend/utils/adt/tsvector_op.c, src/backend/utils/adt/trigfuncs.c).
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA = "pg_catalog"


@dataclass(frozen=True)
class TriggerFunction:
    name: str
    timing: str  # the only timing it works with
    level: str  # the only level
    events: frozenset[str]  # the events it may fire for (at least one of them)
    args: tuple[str, ...]  # what each leading argument names, in order (ARGUMENT_KINDS)
    more: str | None = None  # what each further argument names; None: none allowed

    @property
    def events_text(self) -> str:
        return " or ".join(e.upper() for e in ("insert", "update", "delete") if e in self.events)


# What an argument names: a column of one of these base types (None: any), or a
# schema-qualified text search configuration.
TSVECTOR_COLUMN = "tsvector column"
TEXT_COLUMN = "text column"
CONFIG_COLUMN = "regconfig column"
CONFIGURATION = "text search configuration"
COLUMN_TYPES: dict[str, frozenset[str] | None] = {
    TSVECTOR_COLUMN: frozenset({"tsvector"}),
    TEXT_COLUMN: frozenset({"text", "varchar", "bpchar"}),
    CONFIG_COLUMN: frozenset({"regconfig", "oid"}),  # PostgreSQL: binary-coercible to regconfig, or it raises
}

FUNCTIONS = {
    f.name: f
    for f in (
        TriggerFunction(
            "tsvector_update_trigger",
            "before",
            "row",
            frozenset({"insert", "update"}),
            (TSVECTOR_COLUMN, CONFIGURATION, TEXT_COLUMN),
            TEXT_COLUMN,
        ),
        TriggerFunction(
            "tsvector_update_trigger_column",
            "before",
            "row",
            frozenset({"insert", "update"}),
            (TSVECTOR_COLUMN, CONFIG_COLUMN, TEXT_COLUMN),
            TEXT_COLUMN,
        ),
        TriggerFunction("suppress_redundant_updates_trigger", "before", "row", frozenset({"update"}), ()),
    )
}


def builtin(schema: str, name: str, *, qualified: bool) -> TriggerFunction | None:
    """The built-in trigger function `schema.name` (unqualified: found in pg_catalog, which PostgreSQL searches
    first), or None."""
    if schema == SCHEMA or not qualified:
        return FUNCTIONS.get(name)
    return None
