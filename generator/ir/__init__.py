"""The intermediate representation: the resolved schema that every output reads.

schema.py holds its data classes (re-exported here, so `ir.Table` reads as
the thing it is), names.py PostgreSQL's naming rules, order.py the dependency
order of statements, jsonout.py the JSON text of a saved state. Nothing here
imports an output; outputs import this.
"""

from .schema import (
    Column,
    Comment,
    Constraint,
    Enum,
    External,
    ExternalFunction,
    ExternalTable,
    Function,
    Grant,
    Index,
    IndexElement,
    Intent,
    Module,
    Name,
    Partition,
    Policy,
    Rename,
    Schema,
    Table,
    Trigger,
    destructive_entry,
    matches_json,
    role_sql,
)

__all__ = [
    "Column",
    "Comment",
    "Constraint",
    "Enum",
    "External",
    "ExternalFunction",
    "ExternalTable",
    "Function",
    "Grant",
    "Index",
    "IndexElement",
    "Intent",
    "Module",
    "Name",
    "Partition",
    "Policy",
    "Rename",
    "Schema",
    "Table",
    "Trigger",
    "destructive_entry",
    "matches_json",
    "role_sql",
]
