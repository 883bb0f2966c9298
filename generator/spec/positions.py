"""YAML loading that keeps where every value came from.

The values are built from PyYAML's parser events by `_read`, not by PyYAML's
constructor, so that duplicate keys are rejected (PyYAML would silently keep
the last), a tag schemagen does not read is refused, aliases are bounded, and
scalars that YAML would turn into dates stay strings (a partition bound is SQL
text, not a Python date). Why events and not the composer's nodes: see
`_read`.

Positions are indexed only when one is asked for (a mistake to report), by
reading the events again (`_index`): a spec without mistakes never needs them,
and on a large spec the index (a tuple path per value) costs more time and
memory than building the values.
"""

from __future__ import annotations

from typing import Any

import yaml

from .. import errors

Path = tuple[str | int, ...]

try:  # the C loader is several times faster on large specs
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader, remembering the tag of each plain scalar it has resolved.

    Even the C loader calls back into Python to resolve every scalar's tag by
    trying the implicit resolvers' regular expressions in turn; a spec repeats
    the same few hundred scalars (`uuid`, `true`, column names) many times over.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._tags: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = super().resolve(kind, value, implicit)
        return tag


class _Index:
    """Positions by path: of values, of mapping keys, where scalars end, and scalar styles."""

    __slots__ = ("blocks", "ends", "keys", "values")

    def __init__(self) -> None:
        self.values: dict[Path, tuple[int, int]] = {}
        self.keys: dict[Path, tuple[int, int]] = {}
        self.ends: dict[Path, tuple[int, int]] = {}
        self.blocks: dict[Path, str] = {}  # `|`, `>`, `'` or `"`; plain scalars are absent


class Positions:
    """Line/column (1-based) of each value and each mapping key, by path."""

    def __init__(self, file: str, text: str = ""):
        self.file = file
        self.text = text
        self._lines: list[str] | None = None
        self._index: _Index | None = None
        self.typed: dict[Path, tuple[str, str]] = {}  # plain scalars YAML gave a surprising type (see _typed)

    def _indexed(self) -> _Index:
        if self._index is None:
            self._index = _index(self.text)
        return self._index

    @property
    def values(self) -> dict[Path, tuple[int, int]]:
        return self._indexed().values

    @property
    def keys(self) -> dict[Path, tuple[int, int]]:
        return self._indexed().keys

    @property
    def ends(self) -> dict[Path, tuple[int, int]]:
        """Where each scalar ends."""
        return self._indexed().ends

    @property
    def blocks(self) -> dict[Path, str]:
        return self._indexed().blocks

    @property
    def lines(self) -> list[str]:
        """The file's text by line, to map offsets into SQL fragments."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    @lines.setter
    def lines(self, lines: list[str]) -> None:
        self._lines = lines

    def source(self, path: Path) -> str | None:
        """The scalar at `path` as it is written, when it is on one line."""
        if path not in self.values or path not in self.ends:
            return None
        (line, col), (end_line, end_col) = self.values[path], self.ends[path]
        if line != end_line or line > len(self.lines):
            return None
        return self.lines[line - 1][col - 1 : end_col - 1]

    def fragment(self, path: Path, offset: int | None) -> tuple[int, int]:
        """Line/column of character `offset` of the scalar at `path`.

        Block scalars (| and >) start on the line after their indicator and drop
        the indentation; folded and plain scalars join lines with one space, literal
        ones with a newline: either way each source line adds its length plus one.
        A plain or quoted scalar continues on every line up to where it ends, however
        little those lines are indented.
        """
        line, col = self.at(path)
        if offset is None or path not in self.values:
            return line, col
        style = self.blocks.get(path, "")
        if style in ("|", ">"):
            segments = []
            indent = None
            for n in range(line, len(self.lines)):  # content starts on the next line
                text = self.lines[n]
                stripped = text.lstrip(" ")
                if stripped:
                    depth = len(text) - len(stripped)
                    if indent is None:
                        indent = depth
                    elif depth < indent:
                        break
                segments.append((n + 1, (indent or 0) + 1, text[(indent or 0) :]))
        else:
            first = line - 1
            start = col + (1 if style in ("'", '"') else 0)
            segments = [(line, start, self.lines[first][start - 1 :] if first < len(self.lines) else "")]
            last = self.ends.get(path, (line, col))[0]
            for n in range(first + 1, min(last, len(self.lines))):
                text = self.lines[n]
                stripped = text.lstrip(" ")
                segments.append((n + 1, len(text) - len(stripped) + 1, stripped))
        remaining = offset
        for seg_line, seg_col, text in segments:
            if remaining <= len(text):
                return seg_line, seg_col + remaining
            remaining -= len(text) + 1
        return line, col

    def at(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Position of `path`, or of the nearest enclosing value that has one."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if key and p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), (1, 1))

    def diag(self, path: Path, code: str, message: str, *, key: bool = False) -> errors.Diagnostic:
        line, col = self.at(path, key=key)
        return errors.Diagnostic(self.file, line, col, code, message)


_BOOL_TRUE = {"true", "yes", "on"}


_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# Tags a spec may carry: the ones YAML resolves plain scalars to, and their explicit forms (`!!str 1`).
# Any other (`!mytag`, `!!binary`, `!!python/...`) means something schemagen would not do: refused.
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "merge", "value")
)
_COLLECTION_TAGS = {yaml.MappingStartEvent: "tag:yaml.org,2002:map", yaml.SequenceStartEvent: "tag:yaml.org,2002:seq"}

# Values that aliases may add to one file: ALIAS_LIMIT, or ALIAS_RATIO times the values
# written out in it, whichever is more. An alias repeats what its anchor holds, so nested
# aliases multiply: nine levels of nine fit in 400 bytes and expand to 387 million values
# (a "billion laughs"). A spec that reuses column or table definitions stays far below this,
# and the cost of reading a file stays linear in its size.
ALIAS_LIMIT = 100_000
ALIAS_RATIO = 10


def _scalar(node: yaml.ScalarNode) -> Any:
    return _scalar_of(node.tag, node.value)


def _scalar_of(full_tag: str, value: str) -> Any:
    if full_tag == _STR:  # most scalars of a spec: skip the rest
        return value
    tag = full_tag.rsplit(":", 1)[-1]
    if tag == "null":
        return None
    if tag == "bool":
        return value.lower() in _BOOL_TRUE
    if tag == "int":
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag == "float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value


def _typed(full_tag: str, text: str, value: Any) -> str | None:
    """The YAML type of a plain scalar whose value is not simply its text, where that can
    surprise (`yes` a boolean, `2026-01-01` a date, `1.10` a float): the loader checks that
    such a value does not land where text or SQL is expected. None for the obvious ones
    (`true`, `false`, `0`, `10`, `null`)."""
    if full_tag == _TIMESTAMP:
        return "timestamp"
    if type(value) is bool:
        return None if text in ("true", "false", "True", "False", "TRUE", "FALSE") else "bool"
    if type(value) is float:
        return "float"
    if type(value) is int and str(value) != text:
        return "int"
    return None


class _Failed(Exception):
    """A mistake that ends the reading of a file: its mark and message."""

    def __init__(self, mark: Any, message: str):
        super().__init__(message)
        self.line, self.column = mark.line + 1, mark.column + 1
        self.message = message


_NO_VALUE = object()
_EMPTY = object()  # a stream without a document


class Document:
    """What reading a file found besides its value: repeated keys and surprising scalars, by path."""

    __slots__ = ("duplicates", "typed")

    def __init__(self) -> None:
        self.duplicates: list[tuple[Path, int, int]] = []  # path of the key, where the repeat is
        self.typed: dict[Path, tuple[str, str]] = {}  # path -> (kind from _typed, the text as written)


def _path(stack: list[Any], current: Any, key: Any) -> Path:
    """The path of the value being read: each open container's place in its parent, then its own slot."""
    parts: list[str | int] = [
        len(parent) if type(parent) is list else parent_key for parent, parent_key, *_ in stack[1:]
    ]
    parts.append(len(current) if type(current) is list else key)
    return tuple(parts)


def _read(text: str, found: Document) -> Any:
    """The value of a document (_EMPTY without one), read from the parser's events.

    Read so because composing builds a node and a mark object for every value
    first: on the 1,000-table benchmark spec reading the events takes 0.31 s, composing
    and building the values from the nodes 0.40 s (3% of `schemagen build`). Anchors and
    aliases are followed here, counting the values each alias adds (ALIAS_LIMIT);
    an alias shares its anchor's value rather than copying it.
    """
    loader = _Loader(text)
    try:
        loader.get_event()  # StreamStart
        if isinstance(loader.peek_event(), yaml.StreamEndEvent):
            return _EMPTY
        loader.get_event()  # DocumentStart
        # one frame per open container: (parent, parent's pending key, anchor, values read when it opened)
        stack: list[tuple[Any, Any, Any, int]] = []
        current: Any = None  # the list or dict being filled
        key: Any = _NO_VALUE  # in a dict: the key waiting for its value
        root: Any = None
        values = 0  # read so far, aliases counted by the values they add
        added = 0  # added by aliases
        anchors: dict[str, tuple[Any, int]] = {}
        repeated: list[tuple[dict[Any, Any], Any, Any]] = []  # (mapping, key, first value): put back at the end
        while True:
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                values += 1
                tag = event.tag
                if tag is None or tag == "!":
                    tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
                elif tag not in _SCALAR_TAGS:
                    raise _Failed(
                        event.start_mark,
                        f'YAML error: unknown YAML tag "{tag}": a spec is plain YAML (to make a value text, quote it)',
                    )
                if tag == _STR:
                    value = event.value
                else:
                    value = _scalar_of(tag, event.value)
                    if event.implicit[0] and not (type(current) is dict and key is _NO_VALUE):
                        typed = _typed(tag, event.value, value)
                        if typed is not None:
                            found.typed[_path(stack, current, key) if current is not None else ()] = (
                                typed,
                                event.value,
                            )
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.tag is not None and event.tag != "!" and event.tag != _COLLECTION_TAGS[kind]:
                    raise _Failed(event.start_mark, f'YAML error: unknown YAML tag "{event.tag}": a spec is plain YAML')
                if type(current) is dict and key is _NO_VALUE:
                    raise _Failed(event.start_mark, "YAML error: a mapping key must be a name, not a list or mapping")
                values += 1
                stack.append((current, key, event.anchor, values))
                current, key = ({} if kind is yaml.MappingStartEvent else []), _NO_VALUE
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value = current
                current, key, anchor, opened = stack.pop()
                if anchor is not None:
                    anchors[anchor] = (value, values - opened + 1)
            elif kind is yaml.AliasEvent:
                if event.anchor not in anchors:
                    raise _Failed(
                        event.start_mark,
                        f"YAML error: alias *{event.anchor} names no anchor before it (`&{event.anchor}` "
                        "must come first, outside what it names)",
                    )
                value, size = anchors[event.anchor]
                values += size
                added += size
                if added > ALIAS_LIMIT and added > ALIAS_RATIO * (values - added):
                    raise _Failed(
                        event.start_mark,
                        f"YAML error: aliases add {added:,} values to a file that writes out "
                        f"{values - added:,} (*{event.anchor} adds {size:,}): "
                        f"refused, as a YAML alias bomb would be (at most {ALIAS_LIMIT:,}, or "
                        f"{ALIAS_RATIO} times the values written out); reuse less deeply",
                    )
                if type(current) is dict and key is _NO_VALUE and type(value) is not str:
                    raise _Failed(event.start_mark, "YAML error: a mapping key must be a name, not a list or mapping")
            elif kind is yaml.DocumentEndEvent:
                after = loader.get_event()
                if not isinstance(after, yaml.StreamEndEvent):
                    raise _Failed(
                        after.start_mark,
                        "YAML syntax error: but found another document (a spec file is one YAML document)",
                    )
                for mapping, repeated_key, first in reversed(repeated):
                    mapping[repeated_key] = first  # a repeated key is reported, and its value ignored
                return root
            else:  # pragma: no cover - the parser sends no other event inside a document
                raise AssertionError(f"unexpected YAML event {event}")
            if current is None:
                root = value
            elif type(current) is list:
                current.append(value)
            elif key is _NO_VALUE:  # the value just read is a key
                key = value if type(value) is str else str(value) if type(value) is int else event.value
                if key in current:
                    found.duplicates.append(
                        (_path(stack, current, key), event.start_mark.line + 1, event.start_mark.column + 1)
                    )
                    repeated.append((current, key, current[key]))
            else:
                current[key] = value
                key = _NO_VALUE
    finally:
        loader.dispose()


def _index(text: str) -> _Index:
    """The position of every value and mapping key of a document that `_read` read, by path.

    The parser's events again, this time keeping their marks instead of building values.
    A repeated key (reported by `_read`) and its value are left out: the first is the one
    in the spec. An alias's content is where its anchor's is (the events are not repeated:
    what the anchor recorded is recorded again under the alias's path).
    """
    index = _Index()
    log: list[tuple[dict[Path, Any], Path, Any]] = []  # every entry recorded, in order
    anchors: dict[str, tuple[Path, int, int, str]] = {}  # its path, its entries in log, its text (of a scalar)
    # one frame per open container: [its path, whether a mapping, the next item's index (a sequence) or
    # the pending key's path and whether it repeats an earlier key (a mapping), muted, anchor, log length at start]
    stack: list[list[Any]] = []

    def record(table: dict[Path, Any], path: Path, entry: Any) -> None:
        table[path] = entry
        log.append((table, path, entry))

    loader = _Loader(text)
    try:
        while True:
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.StreamEndEvent:
                return index
            if kind in (yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.DocumentEndEvent):
                continue
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                path, _mapping, _next, _muted, anchor, start = stack.pop()
                if anchor is not None:
                    anchors[anchor] = (path, start, len(log), "")
                continue
            mark = (event.start_mark.line + 1, event.start_mark.column + 1)
            frame = stack[-1] if stack else None
            muted = frame is not None and frame[3]
            if frame is None:
                path = ()
            elif not frame[1]:
                path = frame[0] + (frame[2],)
                frame[2] += 1
            elif frame[2] is _NO_VALUE:  # a key: a scalar, or an alias of one
                key = anchors[event.anchor][3] if kind is yaml.AliasEvent else _key_text(loader, event)
                sub = frame[0] + (key,)
                repeated = sub in index.keys
                if not (muted or repeated):
                    record(index.keys, sub, mark)
                frame[2] = (sub, repeated)
                continue
            else:
                (path, repeated), frame[2] = frame[2], _NO_VALUE
                muted = muted or repeated
            start = len(log)
            if kind is yaml.AliasEvent:
                if not muted:
                    anchor_path, first, end, _text = anchors[event.anchor]
                    for table, p, entry in log[first:end]:
                        record(table, path + p[len(anchor_path) :], entry)
            elif kind is yaml.ScalarEvent:
                if not muted:
                    record(index.values, path, mark)
                    record(index.ends, path, (event.end_mark.line + 1, event.end_mark.column + 1))
                    if event.style:
                        record(index.blocks, path, event.style)
                if event.anchor is not None:
                    anchors[event.anchor] = (path, start, len(log), event.value)
            else:  # a mapping or a sequence starts
                if not muted:
                    record(index.values, path, mark)
                stack.append(
                    [
                        path,
                        kind is yaml.MappingStartEvent,
                        _NO_VALUE if kind is yaml.MappingStartEvent else 0,
                        muted,
                        event.anchor,
                        start,
                    ]
                )
    finally:
        loader.dispose()


def _key_text(loader: Any, event: yaml.ScalarEvent) -> str:
    """A scalar mapping key as the spec models see it (`_read`'s rule): always a string."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    value = event.value if tag == _STR else _scalar_of(tag, event.value)
    return value if type(value) is str else str(value) if type(value) is int else event.value


def load(text: str, file: str) -> tuple[dict[str, Any], Positions]:
    """Parse one spec file; raise SpecError on YAML mistakes."""
    pos = Positions(file, text)
    found = Document()
    try:
        data = _read(text, found)
    except _Failed as exc:
        raise errors.SpecError(
            [errors.Diagnostic(file, exc.line, exc.column, errors.YAML_SYNTAX, exc.message)]
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise errors.SpecError([_syntax_error(exc, text, file)]) from None
    except yaml.reader.ReaderError as exc:
        raise errors.SpecError([_reader_error(exc, text, file)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - the parser's errors are the two above
        raise errors.SpecError([errors.Diagnostic(file, 1, 1, errors.YAML_SYNTAX, f"YAML error: {exc}")]) from None
    pos.typed = found.typed
    diags = [
        errors.Diagnostic(
            file,
            line,
            col,
            errors.YAML_DUPLICATE_KEY,
            f'duplicate key "{path[-1]}" (first defined at line {pos.at(path, key=True)[0]})',
        )
        for path, line, col in found.duplicates
    ]
    if data is _EMPTY:
        return {}, pos
    if not isinstance(data, dict):
        diags.append(pos.diag((), errors.YAML_NOT_MAPPING, "a spec file must be a mapping of sections"))
    if diags:
        raise errors.SpecError(diags)
    return data, pos


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> errors.Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    source = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    if "\t" in source[:col] and not source[: col - 1].strip(" \t"):
        # libyaml says only "found character that cannot start any token"
        return errors.Diagnostic(
            file,
            line,
            source.index("\t") + 1,
            errors.YAML_SYNTAX,
            "YAML syntax error: a tab indents this line; YAML indents with spaces only",
        )
    if exc.context:
        # the context ("while parsing a flow mapping") is where the unfinished construct began
        started = (
            f" at line {exc.context_mark.line + 1}" if exc.context_mark and exc.context_mark.line + 1 != line else ""
        )
        problem = f"{problem} ({exc.context}{started})"
    return errors.Diagnostic(file, line, col, errors.YAML_SYNTAX, f"YAML syntax error: {problem}")


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str) -> errors.Diagnostic:
    """A character YAML does not allow (NUL, other control characters), at its line and column.

    The C parser counts the offset in UTF-8 bytes, the Python one in characters."""
    data = text.encode("utf-8")
    offset = exc.position if _Base is not yaml.SafeLoader else len(text[: exc.position].encode("utf-8"))
    line = data.count(b"\n", 0, offset) + 1
    col = len(data[data.rfind(b"\n", 0, offset) + 1 : offset].decode("utf-8", "replace")) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    what = "a NUL character (U+0000)" if code == 0 else f"the control character U+{code:04X}"
    return errors.Diagnostic(
        file,
        line,
        col,
        errors.YAML_SYNTAX,
        f"YAML error: {what} is not allowed in a YAML file (to put one in a value, write it as an escape "
        f'in a double-quoted string, e.g. "\\x{code:02x}")',
    )
