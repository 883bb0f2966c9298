"""Reading spec/: every *.yaml file, parsed with positions and validated by the spec models."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .. import errors
from . import model as spec_models
from .model import SpecFile
from .positions import Path as Path_
from .positions import Positions, load


@dataclass(frozen=True)
class LoadedFile:
    module: str
    spec: SpecFile
    pos: Positions
    source: str  # path relative to the project root, as generated files name it


SUFFIXES = (".yaml", ".yml")


def display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when they can be."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def spec_files(spec_dir: Path) -> list[Path]:
    """Every *.yaml and *.yml file of the spec directory (both are YAML's usual names), in any case (`*.YAML`)."""
    if not spec_dir.is_dir():
        return []
    return sorted(p for p in spec_dir.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())


def load_dir(spec_dir: Path, root: Path | None = None) -> list[LoadedFile]:
    files = spec_files(spec_dir)
    if not files:
        raise errors.SpecError(
            [errors.Diagnostic(display_path(spec_dir), 1, 1, errors.CONFIG, "no *.yaml or *.yml spec files found")]
        )
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
        data = path.read_bytes()
    except OSError as exc:
        raise errors.SpecError(
            [errors.Diagnostic(name, 1, 1, errors.YAML_SYNTAX, f"cannot read spec file: {exc.strerror or exc}")]
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        raise errors.SpecError(
            [
                errors.Diagnostic(
                    name,
                    line,
                    col,
                    errors.YAML_SYNTAX,
                    f"the file is not UTF-8: byte 0x{data[exc.start]:02x} cannot be read as UTF-8 (save "
                    "the file as UTF-8)",
                )
            ]
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as reading in text mode would
    values, pos = load(text, name)
    spec = validate(values, pos)
    return LoadedFile(spec.module or path.stem, spec, pos, source)


def validate(data: dict[str, Any], pos: Positions) -> SpecFile:
    diags = [
        d for path, (kind, text) in pos.typed.items() if (d := _surprising_scalar(path, kind, text, pos)) is not None
    ]
    try:
        spec = SpecFile.model_validate(data)
    except ValidationError as exc:
        diags += [_diagnostic(e, pos, data) for e in exc.errors(include_url=False)]
    if diags:
        raise errors.SpecError(diags)
    return spec


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path) or "spec"


def _diagnostic(err: Any, pos: Positions, data: dict[str, Any]) -> errors.Diagnostic:
    # Pydantic adds the name of the model or function it tried to the path; keep only real keys.
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or "[" in p)))
    kind = err["type"]
    where = _dotted(loc)
    if kind == "extra_forbidden":
        return pos.diag(
            loc,
            errors.SPEC_UNKNOWN_KEY,
            f'unknown key "{loc[-1]}" in {_dotted(loc[:-1])}{_unknown_key_hint(loc, data)}',
            key=True,
        )
    if kind == "missing":
        # at the key naming the incomplete mapping (`name:`), not at whichever key happens to come first in it
        return pos.diag(
            loc[:-1], errors.SPEC_MISSING_KEY, f'missing required key "{loc[-1]}" in {_dotted(loc[:-1])}', key=True
        )
    if kind == "string_type" and (err["input"] is None or isinstance(err["input"], (bool, int, float))):
        return pos.diag(
            loc,
            errors.SPEC_INVALID,
            f"{where}: {_not_text(err['input'], pos.typed.get(loc, ('', pos.source(loc) or ''))[1])}",
        )
    message = err["msg"].removeprefix("Value error, ")
    return pos.diag(loc, errors.SPEC_INVALID, f"{where}: {message}")


def _not_text(value: Any, text: str) -> str:
    """Why a value YAML typed is not the text it looks like, and how to write the text."""
    what = "no value (null)" if value is None else "a boolean" if isinstance(value, bool) else "a number"
    tag = re.match(r"(!\S*)\s+", text)
    if tag is not None:  # `!!int "1"`: the tag, not the writing, makes it so
        written = text[tag.end() :]
        return f"the tag {tag[1]} makes {written} {what}, not text: remove the tag ({written})"
    if value is None:
        if not text:
            return "a value is needed here (it is empty)"
        return f'YAML reads the unquoted {text} as no value (null), not as text: quote it ("{text}")'
    shown = text or str(value)
    return f'YAML reads the unquoted {shown} as {what}, not as text: quote it ("{shown}")'


def _unknown_key_hint(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """The key the user probably meant, or why a flow mapping cut a value in two."""
    key = str(loc[-1])
    if key == "<<":
        return (
            "; YAML merge keys (<<: *anchor) are not read: write the keys out, or reuse a whole mapping with an alias"
        )
    parent: Any = data
    for part in loc[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            parent = None
            break
    if isinstance(parent, dict) and key.count(")") > key.count("("):
        # `{type: numeric(10,2)}`: in a flow mapping the comma ends the value, leaving a key "2)"
        for name, value in parent.items():
            if isinstance(value, str) and value.count("(") > value.count(")"):
                return (
                    f"; inside {{...}} a comma separates entries, so {value},{key} was cut in two: quote it "
                    f'({name}: "{value},{key}")'
                )
    known = _known_keys(loc[:-1])
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _surprising_scalar(path: Path_, kind: str, text: str, pos: Positions) -> errors.Diagnostic | None:
    """An unquoted scalar that YAML typed (`yes`, `2026-01-01`, `1.10`) where SQL text is expected.

    `default: 0` and `default: true` mean what they say in SQL too; `default: yes`
    would become `true`, and `default: 2026-01-01` the arithmetic 2026 - 1 - 1.
    Such a value is refused with the way to write it, rather than guessed at.
    """
    expected = _expected(path)
    field = str(path[-1])
    if expected not in ("sql", "bound"):
        return None
    if kind == "bool":
        value = text.lower() in ("yes", "on")
        problem = (
            f"YAML reads the unquoted {text} as the boolean {str(value).lower()}, not as SQL: write "
            f"{str(value).lower()} for a boolean, or quote the SQL literal ({field}: \"'{text}'\")"
        )
    elif kind == "timestamp" and expected == "sql":
        date = re.fullmatch(r"(\d+)-(\d+)-(\d+)", text)
        if date is not None:
            arithmetic = " - ".join(str(int(part)) for part in date.groups())
            read = f"as a date, but SQL reads it as the arithmetic {arithmetic}"
        else:
            read = "as a date and time, but SQL cannot read it unquoted"
        problem = f"YAML reads the unquoted {text} {read}: quote the SQL literal ({field}: \"'{text}'\")"
    elif kind == "float" and not _same_number(text):
        problem = (
            f"YAML reads the unquoted {text} as the float "
            f"{float(text.replace('_', '')) if _is_float(text) else text}, not as written: quote it ({field}: "
            f'"{text}")'
        )
    else:
        return None
    return pos.diag(path, errors.SPEC_INVALID, f"{_dotted(path)}: {problem}")


def _is_float(text: str) -> bool:
    try:
        float(text.replace("_", ""))
    except ValueError:  # pragma: no cover - YAML resolved it as a float
        return False
    return True


def _same_number(text: str) -> bool:
    """Whether the float YAML makes of `text` is the number written (`1.10`, `1.5e+3`: yes; 20 digits, `.inf`: no)."""
    try:
        written = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return False
    return written.is_finite() and Decimal(repr(float(written))) == written


def _expected(path: Path_) -> str | None:
    """What the spec models expect at `path`: "sql", "bound" (a partition bound), "text", or None."""
    t = _annotation_at(path)
    if t is str:
        return "text"
    if get_origin(t) is Annotated:
        for meta in get_args(t)[1:]:
            func = getattr(meta, "func", None)
            if func is spec_models._sql_text:
                return "sql"
            if func is spec_models._bound_text:
                return "bound"
    return None


def _known_keys(path: Path_) -> list[str]:
    t = _annotation_at(path)
    if isinstance(t, type) and issubclass(t, BaseModel):
        return [f.alias or name for name, f in t.model_fields.items()]
    return []


def _annotation_at(path: Path_) -> Any:
    """The annotation of the spec models at `path` (Annotated metadata kept, Optional removed); None off the models."""
    t: Any = SpecFile
    for part in path:
        t = _required(t)
        if isinstance(t, type) and issubclass(t, BaseModel):
            field = next((f for name, f in t.model_fields.items() if (f.alias or name) == part), None)
            if field is None:
                return None
            t = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        elif get_origin(t) is dict:
            t = get_args(t)[1]
        elif get_origin(t) is list:
            t = get_args(t)[0]
        else:
            return None
    return _required(t)


def _required(t: Any) -> Any:
    """`X | None` -> X; an Annotated wrapper around a container or model -> the container or model."""
    if get_origin(t) in (Union, UnionType):
        args = [a for a in get_args(t) if a is not type(None)]
        if len(args) == 1:
            return _required(args[0])
    if get_origin(t) is Annotated and get_origin(get_args(t)[0]) in (dict, list, Union, UnionType):
        return _required(get_args(t)[0])
    return t
