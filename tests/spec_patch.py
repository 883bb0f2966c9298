"""Edits of a spec written as data: the `old.yaml` and `new.yaml` of a diff case (tests/diff_cases/<case>/).

A patch is a YAML list of steps, applied in order to the spec as PyYAML reads it. A path names a key
of nested mappings with dots (`tables.item.columns.label`), a number standing for a list index
(`tables.item.constraints.0`); a list of keys is a path too, for a key that holds a dot
(`[tables, private.note]`):

    - {set: PATH, value: VALUE}               # replace, or add at the end of its mapping
    - {set: PATH, value: VALUE, before: KEY}  # add before KEY (the order of columns, functions, ... matters)
    - {remove: PATH}                          # delete a key, or a list item
    - {append: PATH, value: VALUE}            # add to the end of a list (made when missing)
    - {rename: PATH, to: NEW_KEY}             # the same key under a new name, where it was

A key holding a dot (`external.tables` of `storage.objects`) is written in a PATH given as a list of
keys: `[external, tables, storage.objects, policies]`.
"""

from __future__ import annotations

import copy
from typing import Any

STEPS = ("set", "remove", "append", "rename")


def apply(spec: dict[str, Any], patch: list[dict[str, Any]]) -> dict[str, Any]:
    """`spec` edited in place by each step of `patch`; returns it."""
    for step in patch:
        verbs = [k for k in STEPS if k in step]
        if len(verbs) != 1:
            raise ValueError(f"a step is one of {', '.join(STEPS)}: {step!r}")
        verb = verbs[0]
        *head, last = _parts(step[verb])
        parent = _walk(spec, head, step)
        if verb == "set":
            if "before" in step and last not in parent:
                items = list(parent.items())
                at = [k for k, _v in items].index(step["before"])
                items.insert(at, (last, copy.deepcopy(step["value"])))
                parent.clear()
                parent.update(items)
            else:
                parent[last] = copy.deepcopy(step["value"])
        elif verb == "remove":
            del parent[last]
        elif verb == "append":
            parent.setdefault(last, []).append(copy.deepcopy(step["value"]))
        else:  # rename
            if last not in parent:
                raise KeyError(f"{step}: no key {last!r} to rename")
            items = [(step["to"] if k == last else k, v) for k, v in parent.items()]
            parent.clear()
            parent.update(items)
    return spec


def _parts(path: str | list[str | int]) -> list[str | int]:
    if isinstance(path, list):  # a key holding a dot (`storage.objects`): the path as a list of keys
        return path
    return [int(p) if p.isdigit() else p for p in str(path).split(".")]


def _walk(spec: Any, parts: list[str | int], step: dict[str, Any]) -> Any:
    node = spec
    for part in parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError) as exc:
            raise KeyError(f"{step}: the spec has no {part!r} on this path") from exc
    return node
