"""Which column types a foreign key may pair: PostgreSQL's rule, for the built-in types.

ALTER TABLE ... ADD FOREIGN KEY (ATAddForeignKeyConstraint) takes the B-tree
operator class of the referenced key's index and accepts a referencing column
of type F when the class's operator family has an equality operator between
the class's input type and F, or else when F is implicitly coercible to that
input type. Integers of any width reference each other (integer_ops);
`integer` references `numeric` or `double precision` (implicit casts) but not
the other way round; `varchar`, `char(n)` and `text` reference each other;
`date`, `timestamp` and `timestamptz` too (datetime_ops). Two different enums,
or arrays of different element types, do not. tests/test_foreign_key_types_pg.py
runs every pair on PostgreSQL.
"""

from __future__ import annotations

# base type (pg.datatypes) -> (operator family, the input type of its default B-tree operator class)
_OPCLASS: dict[str, tuple[str, str]] = {
    "int2": ("integer_ops", "int2"),
    "int4": ("integer_ops", "int4"),
    "int8": ("integer_ops", "int8"),
    "float4": ("float_ops", "float4"),
    "float8": ("float_ops", "float8"),
    "text": ("text_ops", "text"),
    "varchar": ("text_ops", "text"),  # varchar has no class of its own: text's, by binary coercion
    "date": ("datetime_ops", "date"),
    "timestamp": ("datetime_ops", "timestamp"),
    "timestamptz": ("datetime_ops", "timestamptz"),
    "inet": ("network_ops", "inet"),
    "cidr": ("network_ops", "inet"),
}
# operator family -> the types its equality operators compare with one another
_CROSS_TYPE: dict[str, frozenset[str]] = {
    "integer_ops": frozenset({"int2", "int4", "int8"}),
    "float_ops": frozenset({"float4", "float8"}),
    "datetime_ops": frozenset({"date", "timestamp", "timestamptz"}),
}
# implicit casts (pg_cast, castcontext 'i') between the base types
_IMPLICIT: dict[str, frozenset[str]] = {
    "int2": frozenset({"int4", "int8", "float4", "float8", "numeric", "oid"}),
    "int4": frozenset({"int8", "float4", "float8", "numeric", "oid"}),
    "int8": frozenset({"float4", "float8", "numeric", "oid"}),
    "numeric": frozenset({"float4", "float8"}),
    "float4": frozenset({"float8"}),
    "text": frozenset({"varchar", "bpchar"}),
    "varchar": frozenset({"text", "bpchar"}),
    "bpchar": frozenset({"text", "varchar"}),
    "date": frozenset({"timestamp", "timestamptz"}),
    "timestamp": frozenset({"timestamptz"}),
    "time": frozenset({"interval", "timetz"}),
    "cidr": frozenset({"inet"}),
}
# arrays PostgreSQL cannot key at all (its array equality finds no element type for varchar[] / char(n)[])
_UNKEYABLE_ARRAYS = frozenset({"varchar", "bpchar"})


def can_reference(referencing: str, referenced: str) -> bool:
    """Whether a column of base type `referencing` may reference one of base type `referenced` (scalars; an
    enum is compared by its name by the caller)."""
    if referencing == referenced:
        return True
    family, input_type = _OPCLASS.get(referenced, (referenced, referenced))
    if referencing in _CROSS_TYPE.get(family, frozenset({input_type})):
        return True
    return input_type in _IMPLICIT.get(referencing, frozenset())


def can_reference_array(element: str) -> bool:
    """Whether an array of `element` may be a foreign key to an array of the very same type."""
    return element not in _UNKEYABLE_ARRAYS
