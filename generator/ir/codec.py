"""The IR as JSON and back: the saved state beside each migration.

`dumps` writes the text, byte for byte what `json.dumps(dataclasses.asdict(x),
indent=n, sort_keys=True)` gives; `schema_from_json` reads it back (every field
must be there, and no other: chain/state.py upgrades an older state's JSON
first); `matches_json` tells whether JSON equals a schema without decoding it.

Each of the three is there for speed, measured on the 1,000-table benchmark spec
(its state is 12 MB, half a million values):

- `dumps` instead of `json.dumps(asdict(...), indent=1)`: 0.32 s instead of 1.34 s
  for every build that writes a state. On Python < 3.13 `json.dumps` with
  `indent` runs its pure-Python encoder, one generator per nested value, after
  `asdict` has deep-copied every field. Strings are escaped by json's own (C)
  function, so the escaping cannot drift.
- the decoder worked out once per type (`_decoder`) instead of asking `typing`
  about each value's type: 0.21 s instead of 0.53 s for every build that writes a
  migration (the diff needs the last state).
- `matches_json`, for `build --check` and a build with nothing to do: 0.11 s,
  instead of 0.26 s to decode the state and compare.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import operator
import types
import typing
from collections.abc import Callable
from functools import cache
from json.encoder import encode_basestring_ascii as _string
from typing import Any

from .schema import Schema


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


def schema_from_json(data: dict[str, Any]) -> Schema:
    """The JSON of a schema back as IR (every field must be there: ValueError if one is missing or unknown)."""
    return _decoder(Schema)(data)  # type: ignore[no-any-return]


def _same(value: Any) -> Any:
    return value


@functools.cache
def _decoder(tp: Any) -> Any:
    """The function that rebuilds a value of type `tp`, worked out once per type: a saved
    state holds half a million values for 1,000 tables, and asking `typing` about each
    one's type took longer than reading the JSON."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        decode = _decoder(inner)
        return _same if decode is _same else lambda value: None if value is None else decode(value)
    if origin is tuple:
        inner, _ellipsis = typing.get_args(tp)
        decode = _decoder(inner)
        return tuple if decode is _same else lambda value: tuple(map(decode, value))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        decoders = {name: _decoder(hint) for name, hint in _hints(tp).items()}
        nested = {name: decode for name, decode in decoders.items() if decode is not _same}

        def decode_dataclass(value: dict[str, Any]) -> Any:
            if value.keys() != decoders.keys():
                unknown, missing = value.keys() - decoders.keys(), decoders.keys() - value.keys()
                raise ValueError(
                    f"{tp.__name__}: "
                    + "; ".join(
                        f"{what} field(s) {', '.join(sorted(names))}"
                        for what, names in (("unknown", unknown), ("missing", missing))
                        if names
                    )
                )
            return tp(**{k: nested[k](v) if k in nested else v for k, v in value.items()})

        return decode_dataclass
    return _same


def matches_json(value: Any, data: Any, skip: frozenset[str] = frozenset()) -> bool:
    """Whether `schema_from_json(data) == value`, found without building the IR (the top level's `skip` fields
    left out). A False leaves the caller to decode (which also reports JSON it cannot read)."""
    tp: Any = type(value)
    if not (isinstance(tp, type) and dataclasses.is_dataclass(tp)) or not isinstance(data, dict):
        return False
    match: Callable[[Any, Any, frozenset[str]], bool] = _matcher(tp)
    return match(value, data, skip)


def _equal(value: Any, data: Any) -> bool:
    return bool(value == data)


def _nothing(_value: Any) -> None:
    return None


@functools.cache
def _matcher(tp: Any) -> Any:
    """The function `(value, data) -> bool` for type `tp`, the counterpart of `_decoder(tp)`."""
    if _decoder(tp) is _same:  # scalars, and optional scalars: decoding keeps the data as it is
        return _equal
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        match = _matcher(inner)
        return lambda value, data: (
            value is None and data is None or value is not None and data is not None and match(value, data)
        )
    if origin is tuple:
        inner, _ellipsis = typing.get_args(tp)
        if _matcher(inner) is _equal:
            return lambda value, data: type(value) is tuple and type(data) is list and value == tuple(data)
        match = _matcher(inner)
        return lambda value, data: (
            type(value) is tuple and type(data) is list and len(value) == len(data) and all(map(match, value, data))
        )
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        matchers = {name: _matcher(hint) for name, hint in _hints(tp).items()}
        names = matchers.keys()
        # The plain fields in one comparison of two tuples, then the nested ones (a third of the time of each in turn).
        plain = [name for name, match in matchers.items() if match is _equal]
        nested = [(name, match) for name, match in matchers.items() if match is not _equal]
        plain_of_value = operator.attrgetter(*plain) if plain else _nothing
        plain_of_data = operator.itemgetter(*plain) if plain else _nothing

        def match_dataclass(value: Any, data: Any, skip: frozenset[str] = frozenset()) -> bool:
            if type(value) is not tp or type(data) is not dict or data.keys() != names:
                return False
            if not skip:
                return plain_of_value(value) == plain_of_data(data) and all(
                    match(getattr(value, name), data[name]) for name, match in nested
                )
            return all(match(getattr(value, name), data[name]) for name, match in matchers.items() if name not in skip)

        return match_dataclass
    return _equal


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}
