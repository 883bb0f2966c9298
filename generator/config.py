"""Settings from `[tool.schemagen]` in the project's pyproject.toml; none is required."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import errors

# The type of each default is the type the setting must have.
DEFAULTS: dict[str, object] = {
    "spec_dir": "spec",
    "out_dir": "generated",
    "migration_name": "{version:04d}_{name}",
    "partition_horizon_months": 3,  # lint: time partitions must reach this many months past the current one
    "exposed_schemas": ["public"],  # lint: schemas an API serves to login roles (PostgREST's db-schemas)
    "history_schema": "schemagen",  # migrate and drift: the schema of the table of applied migrations
}


@dataclass(frozen=True)
class Settings:
    root: Path  # the directory holding pyproject.toml, or the working directory
    spec_dir: Path
    out_dir: Path
    migration_name: str  # format string with {version} and {name}
    partition_horizon_months: int = 3
    exposed_schemas: tuple[str, ...] = ("public",)
    history_schema: str = "schemagen"

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
    if pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("schemagen", {})
        except tomllib.TOMLDecodeError as exc:
            raise errors.SpecError([errors.Diagnostic(str(pyproject), 1, 1, errors.CONFIG, f"cannot read pyproject.toml: {exc}")]) from None
        unknown = sorted(set(table) - set(DEFAULTS))
        if unknown:
            raise errors.SpecError([errors.Diagnostic(str(pyproject), 1, 1, errors.CONFIG, f"unknown [tool.schemagen] setting(s): {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")])
        for key, value in table.items():
            problem = _type_problem(value, DEFAULTS[key])
            if problem:
                raise errors.SpecError([errors.Diagnostic(str(pyproject), 1, 1, errors.CONFIG, f"[tool.schemagen] {key} must be {problem}")])
            values[key] = value
    try:
        str(values["migration_name"]).format(version=1, name="x")
    except (KeyError, IndexError, ValueError) as exc:
        raise errors.SpecError([errors.Diagnostic(str(pyproject), 1, 1, errors.CONFIG, f"[tool.schemagen] migration_name is not a valid pattern: {exc}")]) from None
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
    )


def _type_problem(value: object, default: object) -> str | None:
    """What `value` should be, judged by the type of the setting's default; None when it is right."""
    if isinstance(default, int):
        whole = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if whole else "a whole number, 0 or more"
    if isinstance(default, list):
        return None if isinstance(value, list) and all(isinstance(v, str) for v in value) else "a list of strings"
    return None if isinstance(value, str) else "a string"
