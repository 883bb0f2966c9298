"""Settings from `[tool.schemagen]` in the project's pyproject.toml; none is required."""

from __future__ import annotations

import difflib
import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .. import errors

# The type of each default is the type the setting must have.
DEFAULTS: dict[str, object] = {
    "spec_dir": "spec",
    "out_dir": "generated",
    "migration_name": "{version:04d}_{name}",
    "partition_horizon_months": 3,  # lint: time partitions must reach this many months past the current one
    "exposed_schemas": ["public"],  # lint: schemas an API serves to login roles (PostgREST's db-schemas)
    "history_schema": "schemagen",  # migrate and drift: the schema of the history table schemagen_migrations
    "layout": "schemagen",  # build: the migration files of another runner too (LAYOUTS)
    "layout_dir": "",  # build: where those go, relative to pyproject.toml ("": the layout's usual place)
    "postgres_version": 14,  # build: the oldest PostgreSQL major version the migrations must run on (14 to 18)
}
LAYOUTS = ("schemagen", "supabase", "flyway")
_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class Settings:
    root: Path  # the directory holding pyproject.toml, or the working directory
    spec_dir: Path
    out_dir: Path
    migration_name: str  # format string with {version} and {name}
    partition_horizon_months: int = 3
    exposed_schemas: tuple[str, ...] = ("public",)
    history_schema: str = "schemagen"
    layout: str = "schemagen"
    layout_dir: Path | None = None  # None: the layout's usual place (layouts.py)
    postgres_version: int = 14

    def migration_stem(self, version: int, name: str) -> str:
        return self.migration_name.format(version=version, name=name)


def find_root(start: Path) -> Path:
    return _project_dir(start) or start


def _project_dir(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / "pyproject.toml").is_file():
            return directory
    return None


def load(start: Path | None = None, spec_dir: str | None = None, out_dir: str | None = None) -> Settings:
    start = (start or Path.cwd()).resolve()
    # The project is the one that holds the spec: `schemagen build --spec ~/repo/spec`
    # run from elsewhere must read ~/repo/pyproject.toml, not the working directory's.
    # Outside any project, the spec directory's parent stands in for the root, so
    # generated headers name `spec/x.yaml` whatever directory the command ran from.
    if spec_dir is not None:
        spec_path = (start / spec_dir).resolve()
        root = _project_dir(spec_path) or spec_path.parent
    else:
        root = find_root(start)
    values = dict(DEFAULTS)
    pyproject = root / "pyproject.toml"
    text = ""
    if pyproject.is_file():
        text = pyproject.read_text(encoding="utf-8")
        try:
            table = tomllib.loads(text).get("tool", {}).get("schemagen", {})
        except tomllib.TOMLDecodeError as exc:
            found = _TOML_AT.search(str(exc))
            line, col = (int(found["line"]), int(found["col"])) if found else (1, 1)
            reason = _TOML_AT.sub("", str(exc)).strip()
            raise errors.SpecError(
                [errors.Diagnostic(str(pyproject), line, col, errors.CONFIG, f"cannot read pyproject.toml: {reason}")]
            ) from None
        diags = []
        for key in sorted(set(table) - set(DEFAULTS)):
            close = difflib.get_close_matches(key, list(DEFAULTS), n=1)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            diags.append(
                _at(
                    pyproject,
                    text,
                    key,
                    f"unknown [tool.schemagen] setting: {key} ({hint}known: {', '.join(DEFAULTS)})",
                )
            )
        for key, value in table.items():
            wrong = _type_problem(value, DEFAULTS[key]) if key in DEFAULTS else None
            if wrong:
                diags.append(_at(pyproject, text, key, f"[tool.schemagen] {key} must be {wrong}"))
            values[key] = value
        if diags:
            raise errors.SpecError(diags)
    problem = migration_name_problem(str(values["migration_name"]))
    if problem:
        raise errors.SpecError([_at(pyproject, text, "migration_name", f"[tool.schemagen] migration_name {problem}")])
    problem = value_problem(str(values["history_schema"]), str(values["layout"]))
    if problem:
        raise errors.SpecError([_at(pyproject, text, problem.split(" ", 1)[0], f"[tool.schemagen] {problem}")])
    version = values["postgres_version"]
    if not isinstance(version, int) or not 14 <= version <= 18:
        message = f"[tool.schemagen] postgres_version must be a PostgreSQL major version from 14 to 18, not {version!r}"
        raise errors.SpecError([_at(pyproject, text, "postgres_version", message)])
    horizon, exposed = values["partition_horizon_months"], values["exposed_schemas"]
    assert isinstance(horizon, int) and isinstance(exposed, list)  # checked against DEFAULTS above
    # Command-line paths are relative to where the user typed them; settings, to pyproject.toml.
    return Settings(
        root=root,
        spec_dir=start / spec_dir if spec_dir is not None else root / str(values["spec_dir"]),
        out_dir=start / out_dir if out_dir is not None else root / str(values["out_dir"]),
        migration_name=str(values["migration_name"]),
        partition_horizon_months=horizon,
        exposed_schemas=tuple(exposed),
        history_schema=str(values["history_schema"]),
        layout=str(values["layout"]),
        layout_dir=root / str(values["layout_dir"]) if values["layout_dir"] else None,
        postgres_version=version,
    )


_TOML_AT = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)")
_STEM = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def migration_name_problem(pattern: str) -> str | None:
    """Why `pattern` cannot name migration files (None when it can).

    A migration's file is migrations/<stem>.sql: the stem must be a plain file
    name (no path separator, which would write outside the output directory; no
    leading dot, which hides it), must hold the version (or two migrations could
    share a name), and file names must sort in chain order for every version
    (1 to 9999) and name, since tools and people apply migrations in that order.
    """
    versions = (1, 2, 9, 10, 11, 99, 100, 101, 999, 1000, 9998, 9999)
    names = ("a", "zz_9", "init")
    try:
        stems = {(v, n): pattern.format(version=v, name=n) for v in versions for n in names}
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        return f"is not a valid pattern: {exc} (it may use {{version}} and {{name}}, e.g. {{version:04d}}_{{name}})"
    for stem in stems.values():
        if not _STEM.fullmatch(stem):
            return (
                f'gives the file name "{stem}.sql": use only letters, digits, _, - and . (no path separator, '
                f"no leading dot), e.g. {{version:04d}}_{{name}}"
            )
        if stem.endswith((".down", ".state")):
            return (
                f'gives the file name "{stem}.sql", which ends like a down migration or a state file: e.g. '
                f"{{version:04d}}_{{name}}"
            )
    if len({stems[(v, "a")] for v in versions}) != len(versions):
        return "must contain {version}: each migration needs a file name of its own, e.g. {version:04d}_{name}"
    clash = next(
        (
            (stems[(a, n)], stems[(b, m)])
            for a, b in itertools.pairwise(versions)
            for n in names
            for m in names
            if stems[(a, n)] >= stems[(b, m)]
        ),
        None,
    )
    if clash is not None:
        return (
            "must give file names that sort in chain order: put the version first and zero-padded, e.g. "
            f"{{version:04d}}_{{name}} ({clash[1]}.sql would sort before {clash[0]}.sql)"
        )
    return None


def _at(pyproject: Path, text: str, key: str, message: str) -> errors.Diagnostic:
    """A diagnostic at the line where `key` is set in [tool.schemagen] (or at the table's header)."""
    line, col = _setting_position(text, key)
    return errors.Diagnostic(str(pyproject), line, col, errors.CONFIG, message)


def _setting_position(text: str, key: str) -> tuple[int, int]:
    header = None
    inside = False
    assignment = re.compile(rf"\s*(?:tool\.schemagen\.)?[\"']?{re.escape(key)}[\"']?\s*=")
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "") in ("[tool.schemagen]",)
            if inside:
                header = (n, line.index("[") + 1)
            continue
        if (inside or stripped.startswith("tool.schemagen.")) and assignment.match(line):
            return n, len(line) - len(line.lstrip()) + 1
    return header or (1, 1)


def value_problem(history_schema: str, layout: str) -> str | None:
    """What is wrong with a setting whose type is right but whose value is not; None when both are fine."""
    if not _PLAIN_NAME.fullmatch(history_schema) or len(history_schema.encode()) > 63:
        return (
            "history_schema must be a schema name of lowercase letters, digits and _ (at most 63 bytes), not "
            f"{history_schema!r}"
        )
    if layout not in LAYOUTS:
        return f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}"
    return None


def _type_problem(value: object, default: object) -> str | None:
    """What `value` should be, judged by the type of the setting's default; None when it is right."""
    if isinstance(default, int):
        whole = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if whole else "a whole number, 0 or more"
    if isinstance(default, list):
        return None if isinstance(value, list) and all(isinstance(v, str) for v in value) else "a list of strings"
    return None if isinstance(value, str) else "a string"
