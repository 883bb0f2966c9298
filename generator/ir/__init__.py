"""The intermediate representation: the resolved schema that every output reads.

Data only: references resolved, names checked, lists in a deterministic order;
no SQL is written here (sql/ does, from these). schema.py holds the data
classes (re-exported here, so `ir.Table` reads as the thing it is), codec.py
their JSON form (the saved state beside each migration), names.py
PostgreSQL's naming rules, order.py the dependency order of statements.
Nothing here imports an output; outputs import this.
"""

from .schema import (
    Column,
    Constraint,
    Enum,
    Extension,
    External,
    ExternalFunction,
    ExternalTable,
    ExternalType,
    Function,
    FunctionKey,
    Grant,
    Index,
    IndexElement,
    Intent,
    Module,
    Name,
    Namespace,
    Partition,
    Policy,
    Rename,
    Sample,
    Schema,
    SeedRows,
    Sequence,
    Table,
    Tenancy,
    TenantTable,
    TimePartitions,
    Trigger,
    View,
    by_module,
    destructive_entry,
)

__all__ = [
    "Column",
    "Constraint",
    "Enum",
    "Extension",
    "External",
    "ExternalFunction",
    "ExternalTable",
    "ExternalType",
    "Function",
    "FunctionKey",
    "Grant",
    "Index",
    "IndexElement",
    "Intent",
    "Module",
    "Name",
    "Namespace",
    "Partition",
    "Policy",
    "Rename",
    "Sample",
    "Schema",
    "SeedRows",
    "Sequence",
    "Table",
    "Tenancy",
    "TenantTable",
    "TimePartitions",
    "Trigger",
    "View",
    "by_module",
    "destructive_entry",
]
