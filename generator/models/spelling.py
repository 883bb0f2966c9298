"""Python spellings for the generated models: class, field and member names, string literals.

Everything here produces text that `ruff format` leaves as it is (double
quotes unless that needs more escapes, docstring lines without trailing
blanks), so the build never has to run a formatter.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Container, Iterable

from pydantic import BaseModel

_NOT_WORD = re.compile(r"[^0-9A-Za-z]+")
# Field names pydantic reserves or warns about: a column of that name gets an alias.
_PROTECTED_PREFIXES = ("model_validate", "model_dump")


def ascii_folded(name: str) -> str:
    """`name` with its letters' accents dropped (`café` -> `cafe`): Python names of the models stay ASCII."""
    if name.isascii():
        return name
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def class_name(sql_name: str) -> str:
    """`sync_progress` -> `SyncProgress` (PascalCase, as the issue asks); `café crème` -> `CafeCreme`."""
    parts = [p for p in _NOT_WORD.split(ascii_folded(sql_name)) if p]
    name = "".join(p[0].upper() + p[1:] for p in parts) or "Unnamed"
    return name if name[0].isalpha() else f"T{name}"


def member_names(labels: Iterable[str]) -> list[str]:
    """Enum labels -> UPPER_CASE member names, valid and distinct whatever the labels are.

    `in-progress` -> `IN_PROGRESS`, `2fa` -> `V_2FA`; labels that differ only in
    case or punctuation get a numeric suffix, in label order.
    """
    names: list[str] = []
    for label in labels:
        base = _NOT_WORD.sub("_", ascii_folded(label).upper()).strip("_") or "VALUE"
        if base[0].isdigit():
            base = f"V_{base}"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base}_{n}"
        names.append(name)
    return names


def field_names(columns: list[str], reserved: Container[str]) -> dict[str, str]:
    """Column -> Python field name. A column whose name cannot be a pydantic field
    (keyword, leading underscore, BaseModel attribute, a name the module itself
    uses) or is not in snake case (`Email`, `first name`, `Prénom`) gets one derived
    from it (lower case, accents dropped, other characters `_`), with a trailing `_`
    while that is taken, and keeps its real name as an alias; one that starts
    with a digit or a prefix pydantic protects (`model_dump...`) gets a leading `c_`.

    `reserved` is only asked about names (never copied): it holds every class
    name of the module, so copying it per table would make a module quadratic.
    """
    taken = set(columns)
    result: dict[str, str] = {}
    for col in columns:
        name = col
        if not _usable(name, reserved):
            name = _NOT_WORD.sub("_", ascii_folded(col).lower()).strip("_") or "column"
            if name[0].isdigit() or name.startswith(_PROTECTED_PREFIXES):  # no suffix makes these usable
                name = f"c_{name}"
            while not _usable(name, reserved) or (name != col and (name in taken or name in reserved)):
                name += "_"
            taken.add(name)
        result[col] = name
    return result


def _usable(name: str, reserved: Container[str]) -> bool:
    return (
        name.isidentifier()
        and name.isascii()
        and name == name.lower()
        and not keyword.iskeyword(name)
        and not name.startswith("_")
        and not name.startswith(_PROTECTED_PREFIXES)
        and name not in _BASEMODEL_ATTRIBUTES
        and name not in reserved
    )


_BASEMODEL_ATTRIBUTES = frozenset(dir(BaseModel))


def literal(text: str) -> str:
    """A Python string literal, quoted as ruff prefers: double quotes unless the
    text holds more double than single quotes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + _escape(text, quote) + quote


def _escape(text: str, quote: str) -> str:
    if text.isprintable() and "\\" not in text and quote not in text:
        return text  # nothing to escape: the rule for names and most comments
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif not ch.isprintable():
            out.append(repr(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


def docstring_text(text: str, first: bool = False) -> str:
    """`text` as a paragraph of a docstring, "" when it holds no text.

    Tabs expanded and every line stripped of trailing blanks, as ruff leaves a
    docstring; escaped so that the docstring stays one literal. The first
    paragraph of a docstring (`first`) also loses the blanks its first line
    starts with. The template indents the lines after the first.
    """
    lines = [line.rstrip() for line in text.strip("\n").expandtabs(4).splitlines()]
    if not any(lines):
        return ""
    if first:
        lines[0] = lines[0].lstrip()
    return "\n".join(_doc_escape(line) for line in lines)


def _doc_escape(line: str) -> str:
    line = line.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if line.isprintable():
        return line
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in line)
