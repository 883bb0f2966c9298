"""YAML loading that keeps where every value came from.

PyYAML's composer gives nodes with marks; we build plain Python values from
them ourselves so that we can (1) reject duplicate keys, which PyYAML would
silently overwrite, and (2) find the position of every path into the document.
Scalars that YAML would turn into dates stay strings: a partition bound is SQL
text, not a Python date.

Positions are indexed only when one is asked for (a mistake to report), by
composing the text again: a spec without mistakes never needs them, and on a
large spec the index (a tuple path per value) costs more time and memory than
building the values.
"""

from __future__ import annotations

from typing import Any

import yaml

from . import errors

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

    def _indexed(self) -> _Index:
        if self._index is None:
            index = _Index()
            node = yaml.compose(self.text, Loader=_Loader) if self.text else None
            if node is not None:
                _record(node, (), index)
            self._index = index
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
                segments.append((n + 1, (indent or 0) + 1, text[(indent or 0):]))
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


def _key(node: yaml.Node) -> str:
    """A mapping key as the spec models see it: always a string."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
        return node.value  # type: ignore[no-any-return]
    key = _scalar(node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(key, (str, int, bool)) or isinstance(key, bool):
        key = node.value if isinstance(node, yaml.ScalarNode) else str(key)
    return str(key)


def _value(node: yaml.Node, file: str, diags: list[errors.Diagnostic]) -> Any:
    """The Python value of a node; a repeated key is reported and its value ignored."""
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_value(item, file, diags) for item in node.value]
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = _key(key_node)
        if key in result:
            first = next(k for k, _ in node.value if _key(k) == key)
            mark = key_node.start_mark
            diags.append(
                errors.Diagnostic(
                    file, mark.line + 1, mark.column + 1, errors.YAML_DUPLICATE_KEY,
                    f'duplicate key "{key}" (first defined at line {first.start_mark.line + 1})',
                )
            )
            continue
        result[key] = _value(value_node, file, diags)
    return result


def _record(node: yaml.Node, path: Path, index: _Index) -> None:
    """Index the position of every value and key below `node`, the way `_value` reads them."""
    mark = node.start_mark
    index.values[path] = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.style:
            index.blocks[path] = node.style
        index.ends[path] = (node.end_mark.line + 1, node.end_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record(item, path + (i,), index)
    else:
        for key_node, value_node in node.value:
            sub = path + (_key(key_node),)
            if sub in index.keys:  # a repeated key: its value is not part of the spec
                continue
            index.keys[sub] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _record(value_node, sub, index)


class _Unusual(Exception):
    """A construct `_simple_value` leaves to compose and `_value`."""


_NO_VALUE = object()
_EMPTY = object()  # a stream without a document


def _simple_value(text: str) -> Any:
    """The value of a document (_EMPTY without one) made of plain mappings, sequences and untagged scalars, read from the
    parser's events; anything else (an anchor or alias, an explicit tag, a key that is not a scalar,
    a repeated key, several documents) raises _Unusual, for compose and `_value` to handle.

    Read so because composing builds a node and a mark object for every value
    first: the events alone are a third faster on a large spec.
    """
    loader = _Loader(text)
    try:
        loader.get_event()  # StreamStart
        if isinstance(loader.peek_event(), yaml.StreamEndEvent):
            return _EMPTY
        loader.get_event()  # DocumentStart
        stack: list[tuple[Any, Any]] = []
        current: Any = None  # the list or dict being filled
        key: Any = _NO_VALUE  # in a dict: the key waiting for its value
        root: Any = None
        while True:
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                    raise _Unusual
                value = _scalar_of(loader.resolve(yaml.ScalarNode, event.value, event.implicit), event.value)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor is not None or (event.tag is not None and event.tag != "!") or (type(current) is dict and key is _NO_VALUE):
                    raise _Unusual
                stack.append((current, key))
                current, key = ({} if kind is yaml.MappingStartEvent else []), _NO_VALUE
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value = current
                current, key = stack.pop()
            elif kind is yaml.DocumentEndEvent:
                if not isinstance(loader.get_event(), yaml.StreamEndEvent):
                    raise _Unusual
                return root
            else:  # an alias
                raise _Unusual
            if current is None:
                root = value
            elif type(current) is list:
                current.append(value)
            elif key is _NO_VALUE:
                if kind is not yaml.ScalarEvent:
                    raise _Unusual
                key = value if type(value) is str else _key(yaml.ScalarNode(loader.resolve(yaml.ScalarNode, event.value, event.implicit), event.value))
                if key in current:
                    raise _Unusual
            else:
                current[key] = value
                key = _NO_VALUE
    finally:
        loader.dispose()


def load(text: str, file: str) -> tuple[dict[str, Any], Positions]:
    """Parse one spec file; raise SpecError on YAML mistakes."""
    pos = Positions(file, text)
    try:
        try:
            data = _simple_value(text)
            node = None
        except _Unusual:
            data = _NO_VALUE
            node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            # the context ("while parsing a flow mapping") is where the unfinished construct began
            started = f" at line {exc.context_mark.line + 1}" if exc.context_mark and exc.context_mark.line + 1 != line else ""
            problem = f"{problem} ({exc.context}{started})"
        raise errors.SpecError([errors.Diagnostic(file, line, col, errors.YAML_SYNTAX, f"YAML syntax error: {problem}")])
    except yaml.YAMLError as exc:
        raise errors.SpecError([errors.Diagnostic(file, 1, 1, errors.YAML_SYNTAX, f"YAML error: {exc}")])
    diags: list[errors.Diagnostic] = []
    if data is _NO_VALUE:
        data = _EMPTY if node is None else _value(node, file, diags)
    if data is _EMPTY:
        return {}, pos
    if not isinstance(data, dict):
        diags.append(pos.diag((), errors.YAML_NOT_MAPPING, "a spec file must be a mapping of sections"))
    if diags:
        raise errors.SpecError(diags)
    return data, pos
