"""The saved state beside each migration (`NNNN_name.state.json`): its format, written and read back.

A state is the IR of the schema the migration produces, as JSON (ir/codec.py),
without the spec's intent (renames and confirmations only steer the next diff)
and its tenancy (only the database tests read it),
and with the version of its format: `"format": 2`. A state is read by upgrading
its JSON one format at a time (`UPGRADES`, a function per step) to the current
one, then decoding it, which requires every field: what an old state lacks is
put in by the step that introduced it, never by a dataclass default.

The formats:

1. (no `format` field) every state written before the format was versioned,
   such as migrations 0024 and 0025. The first versions of schemagen wrote no
   `python_type` on columns, no `module` on grants, no `is_default` on
   partitions and no `confirmed`.
2. `"format": 2`, every field written except `confirmed`, which only a
   migration that used an allow_destructive entry has (absent: none).
3. `"format": 3`, the fields of wave 4's kinds (`_to_3`: one line each).

A state written in a format newer than this version knows is refused: an older
schemagen cannot know what the newer fields mean.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from .. import ir
from ..ir import codec
from ..resolve import extensions

FORMAT = 4
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]


def text(schema: ir.Schema) -> str:
    """The state of `schema` as written beside its migration: its fields but the intent and the tenancy (which
    only the database tests read) (and `confirmed`, when
    empty, so that the states of other migrations keep their bytes), keys sorted, indented by one."""
    state: dict[str, Any] = {
        f.name: getattr(schema, f.name)
        for f in dataclasses.fields(schema)
        if f.name not in ("intent", "tenancy") and (f.name != "confirmed" or schema.confirmed)
    }
    state["format"] = FORMAT
    return codec.dumps(state, indent=1) + "\n"


def format_of(data: dict[str, Any]) -> int:
    """The format of a state's JSON; ValueError for one this version cannot read."""
    version = data.get("format", 1)
    if type(version) is not int or not 1 <= version:
        raise ValueError(f'"format": {version!r} is not a state format')
    if version > FORMAT:
        raise ValueError(
            f"the state is in format {version}, written by a newer schemagen; this version reads formats 1 to "
            f"{FORMAT}: upgrade schemagen"
        )
    return version


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """A state's JSON in the current format (changed in place: upgrading 12 MB must not copy it)."""
    for step in UPGRADES[format_of(data) - 1 :]:
        data = step(data)
    return data


def schema_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A state's JSON upgraded, as the fields of an ir.Schema: what a state leaves out put back (no intent, no
    tenancy; no `confirmed`: none)."""
    fields = {k: v for k, v in upgrade(data).items() if k != "format"}
    fields["intent"] = {"renames": [], "allow_destructive": [], "adopted": [], "without_rls": []}
    fields["tenancy"] = None
    fields.setdefault("confirmed", [])
    return fields


def decode(data: dict[str, Any]) -> ir.Schema:
    """A state's JSON as the IR (ValueError, TypeError or KeyError when it cannot be read); an operator class of an
    extension it installs named with the extension's schema, as resolve names it now (a state written before named
    it unqualified: the same operator class, so no index is rebuilt for it)."""
    return extensions.with_operator_classes(codec.schema_from_json(schema_fields(data)))


def _from_1(data: dict[str, Any]) -> dict[str, Any]:
    """Format 1 -> 2: the fields the first versions did not write, with the value that means what they did."""
    columns = [c for t in data["tables"] for c in t["columns"]]
    columns += [c for t in data["external"]["tables"] for c in t["columns"]]
    for column in columns:
        column.setdefault("python_type", None)  # the type mapping's choice
    for table in data["tables"]:
        for partition in table["partitions"]:
            partition.setdefault("is_default", False)  # a range partition
    for grant in data["grants"]:
        grant.setdefault("module", "")  # listed on no module's docs page
    data["format"] = 2
    return data


def _to_3(data: dict[str, Any]) -> dict[str, Any]:
    """Format 2 -> 3 (wave 4): the fields of the new kinds, each empty in a state written before it existed."""
    data.setdefault("schemas", [])  # schemas of the spec's own (K4)
    data.setdefault("views", [])  # views and materialized views (K4)
    for table in data["tables"]:
        table.setdefault("time_partitions", None)  # time partitions (issue 16): partitions listed, no rule
        for constraint in table["constraints"]:
            constraint.setdefault("not_valid", False)  # K3 NOT VALID: validated
            constraint.setdefault("deferrable", False)  # K3 DEFERRABLE: not deferrable
            constraint.setdefault("initially_deferred", False)  # K3 DEFERRABLE: initially immediate
            constraint.setdefault("nulls_not_distinct", False)  # K3 NULLS NOT DISTINCT: NULLs distinct
        for index in table["indexes"]:
            index.setdefault("parameters", [])  # K3 index keys: no WITH (...)
            index.setdefault("nulls_not_distinct", False)  # K3 NULLS NOT DISTINCT: NULLs distinct
            for element in index["elements"]:
                element.setdefault("collation", None)  # K3 index keys: the column's collation
                element.setdefault("opclass", None)  # K3 index keys: the type's default operator class
                element.setdefault("opclass_params", [])  # K3 index keys: no operator class parameters
    for external in data["external"]["tables"]:
        for constraint in external["foreign_keys"]:
            constraint.setdefault("not_valid", False)  # K3 NOT VALID: validated
            constraint.setdefault("deferrable", False)  # K3 DEFERRABLE: not deferrable
            constraint.setdefault("initially_deferred", False)  # K3 DEFERRABLE: initially immediate
            constraint.setdefault("nulls_not_distinct", False)  # K3 NULLS NOT DISTINCT: NULLs distinct
    data.setdefault("sequences", [])  # K2 sequences: none
    data.setdefault("extensions", [])  # K2 extensions: none
    data["external"].setdefault("types", [])  # K2 external types: none
    for table in data["external"]["tables"]:
        table.setdefault("row_level_security", False)  # objects on external tables: RLS not stated
        table.setdefault("policies", [])  # objects on external tables: none
        table.setdefault("rows", None)  # seed rows: none
        table.setdefault("module", "")  # objects on external tables: listed on no module's docs page
    for table in data["tables"]:
        table.setdefault("rows", None)  # seed rows: none
    for trigger in data["triggers"]:
        trigger.setdefault("update_of", [])  # triggers (K1): every UPDATE fires it
        trigger.setdefault("old_table", None)  # triggers (K1): no transition table
        trigger.setdefault("new_table", None)  # triggers (K1): no transition table
        trigger.setdefault("args", [])  # triggers (K1): no arguments
    for table in data["tables"]:
        table.setdefault("replica_identity", "default")  # replica identity (K1): PostgreSQL's default
        table.setdefault("replica_index", None)  # replica identity (K1): no index
    data["format"] = 3
    return data


def _to_4(data: dict[str, Any]) -> dict[str, Any]:
    """Format 3 -> 4 (wave 5): the fields of the kinds added after format 3, each empty in an older state."""
    data.setdefault("domains", [])  # types5 domains: none
    data.setdefault("composite_types", [])  # types5 composite types: none
    data.setdefault("range_types", [])  # types5 range types: none
    for grant in data["grants"]:
        grant.setdefault("columns", [])  # privileges K5: a grant on the whole object
    data.setdefault("revokes", [])  # privileges K5: no revokes
    data.setdefault("default_privileges", [])  # privileges K5: no default privileges
    for table in data["tables"]:
        for constraint in table["constraints"]:
            constraint.setdefault("exclusion", [])  # K3 exclusion constraints: not one
            constraint.setdefault("method", None)  # K3 exclusion constraints: no index method
            constraint.setdefault("where", None)  # K3 exclusion constraints: no predicate
            constraint.setdefault("include", [])  # K3 exclusion constraints: no INCLUDE
    for table in data["tables"]:
        for partition in table["partitions"]:
            partition.setdefault("values", [])  # K3 list partitions: a range or default partition
            partition.setdefault("modulus", None)  # K3 hash partitions: a range or default partition
            partition.setdefault("remainder", None)  # K3 hash partitions: a range or default partition
            partition.setdefault("indexes", [])  # K3 objects of one partition: none
            partition.setdefault("constraints", [])  # K3 objects of one partition: none
    for external in data["external"]["tables"]:
        for constraint in external["foreign_keys"]:
            constraint.setdefault("exclusion", [])  # K3 exclusion constraints: not one
            constraint.setdefault("method", None)  # K3 exclusion constraints: no index method
            constraint.setdefault("where", None)  # K3 exclusion constraints: no predicate
            constraint.setdefault("include", [])  # K3 exclusion constraints: no INCLUDE
    relations = data["tables"] + data["external"]["tables"] + data["views"]
    for column in (c for r in relations for c in r["columns"]):
        column.setdefault("generated", None)  # K1 generated columns: not generated
        column.setdefault("virtual", False)  # K1 generated columns: STORED when generated
        column.setdefault("collation", None)  # K1 column collation: the type's
    data.setdefault("publications", [])  # K1 publications: none
    for extension in data["extensions"]:
        extension.setdefault("comment", None)  # K1 comments: the extension's own
    for function in data["functions"]:
        function.setdefault("parallel", "unsafe")  # funcs5 function attributes: PostgreSQL's default
        function.setdefault("leakproof", False)  # funcs5 function attributes: not leakproof
        function.setdefault("cost", None)  # funcs5 function attributes: PostgreSQL's default cost
        function.setdefault("rows", None)  # funcs5 function attributes: PostgreSQL's default rows
        function.setdefault("kind", "function")  # funcs5 procedures: a function
        function.setdefault("settings", [])  # aggs6 function settings: none
    for external in data["external"]["tables"]:
        external.setdefault("indexes", [])  # funcs5 indexes on external tables: none
    data.setdefault("event_triggers", [])  # funcs5 event triggers: none
    data.setdefault("aggregates", [])  # aggs6 aggregates: none
    data["format"] = 4
    return data


UPGRADES: tuple[Upgrade, ...] = (_from_1, _to_3, _to_4)  # UPGRADES[n - 1] turns format n into n + 1
assert len(UPGRADES) == FORMAT - 1
