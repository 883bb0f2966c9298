"""What the importer writes of each IR object, field by field: a field it does not know (a kind another change
taught the catalog reader, say a column's collation) holding anything but its default is reported as not
imported, rather than dropped silently. Teaching the importer a field is writing it (objects.py) and naming it
here."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import ir


def _fields(names: str) -> frozenset[str]:
    return frozenset(names.split())


WRITTEN: dict[type, frozenset[str]] = {
    ir.Column: _fields(
        "name sql_type base enum mods array_dims not_null default identity comment set_by python_type generated "
        "virtual collation"
    ),
    ir.Constraint: _fields(
        "name kind columns check ref_table ref_columns on_delete on_update comment not_valid deferrable "
        "initially_deferred nulls_not_distinct exclusion method where include"
    ),
    ir.ExclusionElement: _fields("key operator"),
    ir.Index: _fields("name table elements unique method where include comment parameters nulls_not_distinct"),
    ir.IndexElement: _fields("column expression descending nulls collation opclass opclass_params"),
    ir.Partition: _fields("name lower upper comment is_default values modulus remainder indexes constraints"),
    ir.Table: _fields(
        "name module columns constraints indexes partition_by partition_key partitions row_level_security "
        "force_row_level_security policies comment replica_identity replica_index"
    ),
    ir.Policy: _fields("name table command roles restrictive using check template comment"),
    ir.Trigger: _fields("name table timing events level function when sets comment update_of old_table new_table args"),
    ir.Function: _fields(
        "name module args arg_types returns language body volatility security strict search_path returns_trigger "
        "comment parallel leakproof cost rows kind settings"
    ),
    ir.Sequence: _fields(
        "name module data_type start increment min_value max_value cache cycle owner owner_column comment serial"
    ),
    ir.Enum: _fields("name module values comment"),
    ir.EventTrigger: _fields("name module event function tags comment"),
    ir.Publication: _fields("name module tables all_tables publish external comment filters"),
    ir.Domain: _fields("name module sql_type base enum mods array_dims not_null default checks collation comment"),
    ir.CompositeType: _fields("name module attributes comment"),
    ir.RangeType: _fields(
        "name module subtype subtype_base multirange named_multirange subtype_opclass collation canonical "
        "subtype_diff comment"
    ),
    ir.View: _fields(
        "name module query columns reads calls materialized security_invoker check_option indexes comment"
    ),
    ir.Schema: _fields(
        "version name modules enums tables functions triggers grants external intent confirmed tenancy schemas "
        "views sequences extensions domains composite_types range_types revokes default_privileges "
        "publications event_triggers aggregates"
    ),
    ir.Aggregate: _fields("name module arg_types sfunc stype finalfunc initcond combinefunc parallel comment"),  # aggs6
}
CONSTRAINT_KINDS = frozenset({"primary_key", "unique", "check", "foreign_key", "exclude"})


def unwritten(obj: Any) -> list[str]:
    """The fields of `obj` the importer does not write that hold more than their default (`field = value`)."""
    written = next((WRITTEN[k] for k in type(obj).__mro__ if k in WRITTEN), None)
    if written is None:
        return []
    found = []
    for f in dataclasses.fields(obj):
        if f.name in written:
            continue
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        value = getattr(obj, f.name)
        if value != default and value not in (None, (), "", False):
            found.append(f"{f.name} = {value!r}"[:200])
    return found
