"""Names in a spec: parsing `schema.name`, checking identifiers, and PostgreSQL's namespaces."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .schema import Name

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")
MAX_IDENT_BYTES = 63  # NAMEDATALEN - 1: longer names are silently truncated by PostgreSQL
REFERENCE = re.compile(r"\s*(?:([A-Za-z_][\w$]*)\.)?([A-Za-z_][\w$]*)\s*\(\s*([^()]*?)\s*\)\s*\Z")


def split(qualified: str, default_schema: str = "public") -> Name:
    schema, _, name = qualified.rpartition(".")
    return Name(schema or default_schema, name)


def problem(name: str) -> str | None:
    """Why `name` cannot be an identifier here, or None."""
    if not IDENT.match(name):
        return f'"{name}" is not a valid identifier (letters, digits, _ and $, not starting with a digit)'
    if len(name.encode()) > MAX_IDENT_BYTES:
        return (
            f'"{name}" is {len(name.encode())} bytes long; PostgreSQL truncates identifiers to {MAX_IDENT_BYTES} bytes'
        )
    return None


@dataclass(frozen=True)
class Reference:
    table: Name
    columns: tuple[str, ...]


def reference(text: str) -> Reference | None:
    """Parse `table(col)` / `schema.table(col, col)`."""
    m = REFERENCE.match(text)
    if not m:
        return None
    cols = tuple(c.strip() for c in m.group(3).split(",")) if m.group(3) else ()
    if not cols or not all(IDENT.match(c) for c in cols):
        return None
    return Reference(Name(m.group(1) or "public", m.group(2)), cols)


def make_object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's makeObjectName(): `name1_name2_label`, the longer part shortened to fit 63 bytes.

    Identifiers here are ASCII (see IDENT), so characters are bytes.
    """
    overhead = len(label) + 1 + (1 if name2 else 0)
    avail = MAX_IDENT_BYTES - overhead
    n1, n2 = len(name1), len(name2 or "")
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    parts = [name1[:n1]] + ([name2[:n2]] if name2 else []) + [label]
    return "_".join(parts)


def derived_constraint_name(table: str, columns: list[str], label: str) -> str:
    """The name PostgreSQL would choose (ChooseConstraintName), e.g. `t_a_b_key`, shortened as it shortens it."""
    return make_object_name(table, "_".join(columns) or None, label)
