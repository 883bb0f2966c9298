"""JSON text of the IR, byte for byte what `json.dumps(dataclasses.asdict(x), indent=n, sort_keys=True)` gives.

Why not just that: the state saved beside each migration is the whole IR (12 MB
for 1,000 tables), and on Python < 3.13 `json.dumps` with `indent` runs its
pure-Python encoder, one generator per nested value, after `asdict` has
deep-copied every field. Writing the text in one walk over the dataclasses is
several times faster. Strings are escaped by json's own (C) function, so the
escaping cannot drift.
"""

from __future__ import annotations

import dataclasses
import io
import json
from functools import cache
from json.encoder import encode_basestring_ascii as _string
from typing import Any


@cache
def _fields(cls: type) -> tuple[tuple[str, str], ...]:
    """(attribute, its JSON key followed by ": ") of a dataclass, in key order."""
    return tuple((name, _string(name) + ": ") for name in sorted(f.name for f in dataclasses.fields(cls)))


def dumps(value: Any, indent: int) -> str:
    """`value` (dataclasses, dicts with str keys, lists, tuples, scalars) as indented JSON with sorted keys."""
    out = io.StringIO()  # not a list of pieces: millions of small strings would outweigh the text
    write = out.write
    breaks: list[str] = []  # "\n" and the indentation of each level

    def newline(level: int) -> str:
        while len(breaks) <= level:
            breaks.append("\n" + " " * (indent * len(breaks)))
        return breaks[level]

    def encode(v: Any, level: int) -> None:
        if isinstance(v, str):
            write(_string(v))
        elif v is None:
            write("null")
        elif v is True:
            write("true")
        elif v is False:
            write("false")
        elif isinstance(v, int):
            write(int.__repr__(v))
        elif isinstance(v, float):
            write(json.dumps(v))
        elif isinstance(v, (list, tuple)):
            if not v:
                write("[]")
                return
            inner = newline(level + 1)
            write("[" + inner)
            encode(v[0], level + 1)
            for item in v[1:]:
                write("," + inner)
                encode(item, level + 1)
            write(newline(level) + "]")
        elif isinstance(v, dict):
            if not v:
                write("{}")
                return
            inner = newline(level + 1)
            sep = "{"
            for key, item in sorted(v.items()):
                if not isinstance(key, str):
                    raise TypeError(f"keys must be str, not {type(key).__name__}")
                write(sep + inner + _string(key) + ": ")
                sep = ","
                encode(item, level + 1)
            write(newline(level) + "}")
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            fields = _fields(type(v))
            if not fields:
                write("{}")
                return
            inner = newline(level + 1)
            sep = "{"
            for name, key in fields:
                write(sep + inner + key)
                sep = ","
                encode(getattr(v, name), level + 1)
            write(newline(level) + "}")
        else:
            raise TypeError(f"Object of type {type(v).__name__} is not JSON serializable")

    encode(value, 0)
    return out.getvalue()
