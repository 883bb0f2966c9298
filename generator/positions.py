"""YAML loading that keeps where every value came from.

PyYAML's composer gives nodes with marks; we build plain Python values from
them ourselves so that we can (1) reject duplicate keys, which PyYAML would
silently overwrite, and (2) record a position for every path into the document.
Scalars that YAML would turn into dates stay strings: a partition bound is SQL
text, not a Python date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from . import errors

Path = tuple[str | int, ...]

try:  # the C loader is several times faster on large specs
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass
class Positions:
    """Line/column (1-based) of each value and each mapping key, by path."""

    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    blocks: dict[Path, str] = field(default_factory=dict)  # scalar style per path
    ends: dict[Path, tuple[int, int]] = field(default_factory=dict)  # where each scalar ends
    lines: list[str] = field(default_factory=list)  # the file's text, to map SQL offsets

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


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag.rsplit(":", 1)[-1]
    value = node.value
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


def _build(node: yaml.Node, path: Path, pos: Positions, diags: list[errors.Diagnostic]) -> Any:
    pos.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        pos.blocks[path] = node.style or ""
        pos.ends[path] = (node.end_mark.line + 1, node.end_mark.column + 1)
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), pos, diags) for i, item in enumerate(node.value)]
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, (str, int, bool)) or isinstance(key, bool):
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key)
        key = str(key)
        mark = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        if key in result:
            first = pos.keys[path + (key,)]
            diags.append(
                errors.Diagnostic(
                    pos.file, mark[0], mark[1], errors.YAML_DUPLICATE_KEY,
                    f'duplicate key "{key}" (first defined at line {first[0]})',
                )
            )
            continue
        pos.keys[path + (key,)] = mark
        result[key] = _build(value_node, path + (key,), pos, diags)
    return result


def load(text: str, file: str) -> tuple[dict[str, Any], Positions]:
    """Parse one spec file; raise SpecError on YAML mistakes."""
    pos = Positions(file)
    try:
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
    if node is None:
        return {}, pos
    diags: list[errors.Diagnostic] = []
    data = _build(node, (), pos, diags)
    if not isinstance(data, dict):
        diags.append(pos.diag((), errors.YAML_NOT_MAPPING, "a spec file must be a mapping of sections"))
    if diags:
        raise errors.SpecError(diags)
    return data, pos
