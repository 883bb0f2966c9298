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
import json
from functools import lru_cache
from json.encoder import encode_basestring_ascii as _string
from typing import Any


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(sorted(f.name for f in dataclasses.fields(cls)))


def dumps(value: Any, indent: int) -> str:
    """`value` (dataclasses, dicts with str keys, lists, tuples, scalars) as indented JSON with sorted keys."""
    out: list[str] = []
    append = out.append

    def encode(v: Any, level: int) -> None:
        if isinstance(v, str):
            append(_string(v))
        elif v is None:
            append("null")
        elif v is True:
            append("true")
        elif v is False:
            append("false")
        elif isinstance(v, int):
            append(int.__repr__(v))
        elif isinstance(v, float):
            append(json.dumps(v))
        elif isinstance(v, (list, tuple)):
            if not v:
                append("[]")
                return
            inner = "\n" + " " * (indent * (level + 1))
            append("[")
            first = True
            for item in v:
                append(inner if first else "," + inner)
                first = False
                encode(item, level + 1)
            append("\n" + " " * (indent * level) + "]")
        else:
            if isinstance(v, dict):
                items = sorted(v.items())
            elif dataclasses.is_dataclass(v) and not isinstance(v, type):
                items = [(name, getattr(v, name)) for name in _field_names(type(v))]
            else:
                raise TypeError(f"Object of type {type(v).__name__} is not JSON serializable")
            if not items:
                append("{}")
                return
            inner = "\n" + " " * (indent * (level + 1))
            append("{")
            first = True
            for key, item in items:
                if not isinstance(key, str):
                    raise TypeError(f"keys must be str, not {type(key).__name__}")
                append((inner if first else "," + inner) + _string(key) + ": ")
                first = False
                encode(item, level + 1)
            append("\n" + " " * (indent * level) + "}")

    encode(value, 0)
    return "".join(out)
