"""Names in a spec: parsing `schema.name`, checking identifiers, and PostgreSQL's namespaces."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .schema import Name

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")  # a name SQL may print bare (LANGUAGE plpgsql)
MAX_IDENT_BYTES = 63  # NAMEDATALEN - 1: longer names are silently truncated by PostgreSQL
_BARE_PART = r'[^".()]+?'  # a name part written without quotes: anything but a dot, a quote, parentheses
_PART = rf'\s*(?:"((?:[^"]|"")+)"|({_BARE_PART}))\s*'
_QUALIFIED = re.compile(rf"{_PART}(?:\.{_PART})?\Z")
REFERENCE = re.compile(r"\s*(.+?)\s*\(\s*([^()]*?)\s*\)\s*\Z")


def split(qualified: str, default_schema: str = "public") -> Name:
    """`name` or `schema.name` as a Name. A name is the name PostgreSQL stores, as written (`Users` is
    "Users"); a part holding a dot is written with PostgreSQL's quotes: `public."a.b"`, `"a.b"`."""
    if '"' in qualified:
        m = _QUALIFIED.match(qualified)
        if m is not None:
            first = m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2)
            if m.group(3) is None and m.group(4) is None:
                return Name(default_schema, first)
            second = m.group(3).replace('""', '"') if m.group(3) is not None else m.group(4)
            return Name(first, second)
    schema, _, name = qualified.rpartition(".")
    return Name(schema or default_schema, name)


_DOTTED = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^".]+?))\s*(\.|\Z)')


def parts(dotted: str) -> list[str] | None:
    """`a.b.c` as its names, each as written or in PostgreSQL's quotes (`"café crème"."Prix €"`); None when it
    is not such a list."""
    found: list[str] = []
    at = 0
    while at < len(dotted):
        m = _DOTTED.match(dotted, at)
        if m is None:
            return None
        found.append(m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2))
        at = m.end()
        if m.group(3) == "" and at < len(dotted):
            return None
    return found or None


def problem(name: str) -> str | None:
    """Why `name` cannot be an identifier, or None: PostgreSQL takes any text (quoted where needed) but an
    empty one or one holding a zero byte, up to 63 bytes."""
    if not name:
        return "is empty; PostgreSQL has no empty identifier"
    if "\0" in name:
        return f"{name!r} holds a zero byte, which PostgreSQL identifiers cannot"
    if len(name.encode()) > MAX_IDENT_BYTES:
        return (
            f'"{name}" is {len(name.encode())} bytes long; PostgreSQL truncates identifiers to {MAX_IDENT_BYTES} bytes'
        )
    return None


def plain_problem(name: str) -> str | None:
    """Why `name` cannot be printed bare in SQL (a LANGUAGE), or None."""
    if not IDENT.match(name):
        return f'"{name}" is not a valid identifier (letters, digits, _ and $, not starting with a digit)'
    return problem(name)


@dataclass(frozen=True)
class Reference:
    table: Name
    columns: tuple[str, ...]


def reference(text: str) -> Reference | None:
    """Parse `table(col)` / `schema.table(col, col)`; a part may be quoted as PostgreSQL quotes it:
    `"Users"("Email")`."""
    m = REFERENCE.match(text)
    if not m:
        return None
    target = m.group(1)
    if '"' in target and _QUALIFIED.match(target) is None:
        return None
    cols = tuple(_column(c) for c in m.group(2).split(",")) if m.group(2) else ()
    if not cols or not all(cols):
        return None
    return Reference(split(target), cols)


def _column(text: str) -> str:
    """A column of a reference: as written, or in PostgreSQL's quotes."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return "" if '"' in text else text


def make_object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's makeObjectName(): `name1_name2_label`, the longer part shortened to fit 63 bytes.

    Lengths are in bytes; each part is then cut back to a character boundary, as pg_mbcliplen cuts it.
    """
    b1, b2 = name1.encode(), (name2 or "").encode()
    overhead = len(label.encode()) + 1 + (1 if name2 else 0)
    avail = MAX_IDENT_BYTES - overhead
    n1, n2 = len(b1), len(b2)
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    n1, n2 = _clip(b1, n1), _clip(b2, n2)
    parts = [b1[:n1].decode()] + ([b2[:n2].decode()] if name2 else []) + [label]
    return "_".join(parts)


def _clip(data: bytes, n: int) -> int:
    """The largest length <= n that cuts `data` (UTF-8) between characters."""
    while n > 0 and n < len(data) and data[n] & 0xC0 == 0x80:
        n -= 1
    return n


def derived_constraint_name(table: str, columns: list[str], label: str) -> str:
    """The name PostgreSQL would choose (ChooseConstraintName), e.g. `t_a_b_key`, shortened as it shortens it."""
    return make_object_name(table, "_".join(columns) or None, label)


def default_multirange(name: str) -> str:
    """The multirange PostgreSQL names for range type `name` (types5): the first `range` becomes `multirange`, else
    `_multirange` is appended."""
    return name.replace("range", "multirange", 1) if "range" in name else f"{name}_multirange"
