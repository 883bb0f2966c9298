"""Reading spec/: every *.yaml file, parsed with positions and validated by the spec models."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import errors
from .positions import Positions, load
from .spec import SpecFile


@dataclass(frozen=True)
class LoadedFile:
    module: str
    spec: SpecFile
    pos: Positions
    source: str  # path relative to the project root, as generated files name it


def display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when they can be."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def spec_files(spec_dir: Path) -> list[Path]:
    return sorted(p for p in spec_dir.glob("*.yaml") if p.is_file())


def load_dir(spec_dir: Path, root: Path | None = None) -> list[LoadedFile]:
    files = spec_files(spec_dir)
    if not files:
        raise errors.SpecError([errors.Diagnostic(display_path(spec_dir), 1, 1, errors.CONFIG, "no *.yaml spec files found")])
    loaded: list[LoadedFile] = []
    diags: list[errors.Diagnostic] = []
    for path in files:
        try:
            loaded.append(load_file(path, root))
        except errors.SpecError as exc:
            diags.extend(exc.diagnostics)
    if diags:
        raise errors.SpecError(diags)
    return loaded


def load_file(path: Path, root: Path | None = None) -> LoadedFile:
    name = display_path(path)
    try:
        source = path.resolve().relative_to((root or path.parent).resolve()).as_posix()
    except ValueError:
        source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.SpecError([errors.Diagnostic(name, 1, 1, errors.YAML_SYNTAX, f"cannot read spec file: {exc}")])
    data, pos = load(text, name)
    pos.lines = text.splitlines()
    spec = validate(data, pos)
    return LoadedFile(spec.module or path.stem, spec, pos, source)


def validate(data: dict[str, Any], pos: Positions) -> SpecFile:
    from pydantic import ValidationError

    try:
        return SpecFile.model_validate(data)
    except ValidationError as exc:
        raise errors.SpecError([_diagnostic(e, pos) for e in exc.errors(include_url=False)]) from None


def _diagnostic(err: Any, pos: Positions) -> errors.Diagnostic:
    # Pydantic adds the name of the model or function it tried to the path; keep only real keys.
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or "[" in p)))
    kind = err["type"]
    where = ".".join(str(p) for p in loc) or "spec"
    if kind == "extra_forbidden":
        return pos.diag(loc, errors.SPEC_UNKNOWN_KEY, f'unknown key "{loc[-1]}" in {".".join(str(p) for p in loc[:-1]) or "spec"}', key=True)
    if kind == "missing":
        # at the key naming the incomplete mapping (`name:`), not at whichever key happens to come first in it
        return pos.diag(loc[:-1], errors.SPEC_MISSING_KEY, f'missing required key "{loc[-1]}" in {".".join(str(p) for p in loc[:-1]) or "spec"}', key=True)
    message = err["msg"].removeprefix("Value error, ")
    return pos.diag(loc, errors.SPEC_INVALID, f"{where}: {message}")
