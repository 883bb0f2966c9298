"""A spec file as a person writes it: plain YAML, keys in the order given, small mappings on one line.

PyYAML writes the text; this module only chooses styles: a mapping or list of scalars short enough to
read on one line is written in flow style (`{type: uuid, primary_key: true}`), a text of several lines
as a block (`|`), and every scalar YAML would read as something else (`yes`, `2026-01-01`, `1.0`) quoted,
as the spec's loader wants it.
"""

from __future__ import annotations

from typing import Any

import yaml

FLOW_WIDTH = 100  # a one-line mapping longer than this is written as a block


# libyaml's emitter when PyYAML has it (a 1,000-table spec is 45,000 lines), else PyYAML's own: the same text.
_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_Base):  # type: ignore[misc,valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the same value twice is written twice: no anchors in a spec a person reads


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool)) and "\n" not in str(value)


def _fits(value: Any, budget: int) -> int:
    """What is left of `budget` characters once `value` is written on one line (each scalar as written, quotes
    aside), or -1 as soon as it does not fit or cannot be (a text of several lines): a large mapping is given up
    at its first lines, so each is measured once however deep it is."""
    if isinstance(value, dict):
        budget -= 2
        for k, v in value.items():
            budget = _fits(v, _fits(k, budget - 4))
            if budget < 0:
                return -1
        return budget
    if isinstance(value, list):
        budget -= 2
        for v in value:
            budget = _fits(v, budget - 2)
            if budget < 0:
                return -1
        return budget
    if not _is_scalar(value) or budget < 0:
        return -1
    return budget - len(str(value))


def _short(value: Any) -> bool:
    """Whether a mapping or list reads well on one line: no text of several lines, and not too long."""
    return _fits(value, FLOW_WIDTH) >= 0


def _mapping(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=_short(value))


def _sequence(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=_short(value))


_Dumper.add_representer(str, _text)
_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(list, _sequence)


def dump(document: dict[str, Any], header: list[str]) -> str:
    """The file: `header` as comment lines, then the document."""
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120, indent=2)
    lines = [f"# {line}".rstrip() for line in header]
    return "\n".join(lines) + ("\n" if lines else "") + body
