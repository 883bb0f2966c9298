"""Where in the spec files a later stage's problem lies.

Stages after resolve/ (the models) see only the IR, which keeps no
positions; they name what is wrong by a path of spec keys with IR names in it,
and this module turns that back into `file:line:col`.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import errors
from ..ir import Name, names
from ..spec.loader import LoadedFile


def diagnostic(
    files: Sequence[LoadedFile], module: str, path: Sequence[str | Name], code: str, message: str
) -> errors.Diagnostic:
    """`path` is a spec path whose table or enum keys may be given as IR names, e.g. ("tables", Name, "columns",
    "x")."""
    file = next((f for f in files if f.module == module), files[0])
    keys: list[str | int] = []
    for part in path:
        if isinstance(part, Name):
            section = getattr(file.spec, str(keys[-1]), {}) if keys else {}
            part = next((k for k in section if names.split(k) == part), part.name)
        keys.append(part)
    return file.pos.diag(tuple(keys), code, message, key=isinstance(path[-1], Name) or path[-1] == "module")
