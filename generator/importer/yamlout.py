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


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the same value twice is written twice: no anchors in a spec a person reads


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool)) and "\n" not in str(value)


def _short(value: Any) -> bool:
    """Whether a mapping or list reads well on one line: scalars only, and not too long."""
    items = value.values() if isinstance(value, dict) else value
    if not all(_is_scalar(v) or (isinstance(v, (dict, list)) and _short(v)) for v in items):
        return False
    flow = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True, sort_keys=False)
    return len(flow) <= FLOW_WIDTH


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
