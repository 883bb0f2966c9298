"""The corpus (issues 12, 13, 17, 14): realistic schemas, each as a spec and as SQL a person wrote by hand.

A schema is a directory `tests/corpus/<schema>/` of data:

- `spec/*.yaml` (and `pyproject.toml` when it needs settings): the schema as a spec;
- `handwritten.sql`: the same schema written by hand in SQL, never derived from schemagen's output;
- `rows.sql`: rows for every table (and a REFRESH of each materialized view), which the models validate read back;
- `standins.sql` (optional): what the environment has besides the stand-ins `schemagen standins` prints for the
  spec (types of an extension the server lacks), applied on every database before the schema;
- `chain.yaml`: the chain built up kind by kind: a list of steps, each a list of paths (`tables/*/indexes`,
  `views`, `grants`; `*` is any key) of the spec that this step adds; the first migration is the spec without any
  of them, the last the whole spec;
- `needs.txt` (optional): the kinds it needs that have not landed yet, one a line: `<kind>` (every check) or
  `<kind>: <check> ...` (those checks); a check that needs one is an xfail(strict=True, reason="needs <kind>").

The environment of a schema (what exists before its first migration) is `environment_sql(schema)`: the
stand-ins and `standins.sql`. Another test (import's round trip) loops over `schemas()`, builds a database from
`environment_sql` + `handwritten.sql`, and has what the spec describes.
"""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from schemagen.cli import main

CORPUS = Path(__file__).parent / "corpus"
CHECKS = ("builds", "handwritten", "models", "rows", "docs", "drift", "dbtests", "chain")
KNOWN_FILES = {"spec", "pyproject.toml", "handwritten.sql", "rows.sql", "standins.sql", "chain.yaml", "needs.txt"}


class _SpecLoader(yaml.SafeLoader):
    """YAML as schemagen reads a spec: only `true`/`false` are booleans, so that a key such as `on:` (of a
    default privilege) stays a string when a step's spec is written back (PyYAML's YAML 1.1 makes it True)."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _SpecLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), [_first]
    )


@dataclass(frozen=True)
class CorpusSchema:
    name: str
    root: Path
    needs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # check -> kinds it needs

    @property
    def spec_dir(self) -> Path:
        return self.root / "spec"

    @property
    def handwritten(self) -> str:
        return (self.root / "handwritten.sql").read_text(encoding="utf-8")

    @property
    def rows(self) -> str:
        return (self.root / "rows.sql").read_text(encoding="utf-8")

    @property
    def extra_standins(self) -> str:
        path = self.root / "standins.sql"
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    @property
    def steps(self) -> list[list[str]]:
        return yaml.safe_load((self.root / "chain.yaml").read_text(encoding="utf-8")) or []

    def __str__(self) -> str:
        return self.name


def load(root: Path) -> CorpusSchema:
    strays = {p.name for p in root.iterdir()} - KNOWN_FILES
    assert not strays, f"{root}: files a corpus schema does not have: {sorted(strays)}"
    for required in ("spec", "handwritten.sql", "rows.sql", "chain.yaml"):
        assert (root / required).exists(), f"{root}: no {required}"
    needs: dict[str, list[str]] = {}
    path = root / "needs.txt"
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        kind, _, checks = line.partition(":")
        named = checks.split() or list(CHECKS)
        unknown = set(named) - set(CHECKS)
        assert not unknown, f"{path}: unknown checks {sorted(unknown)} (known: {', '.join(CHECKS)})"
        for check in named:
            needs.setdefault(check, []).append(kind.strip())
    return CorpusSchema(root.name, root, {k: tuple(v) for k, v in needs.items()})


def schemas() -> list[CorpusSchema]:
    """Every schema of the corpus, in name order."""
    return [load(d) for d in sorted(CORPUS.iterdir()) if d.is_dir() and not d.name.startswith(("_", "."))]


def cli(*args: str) -> Any:
    """`schemagen ARGS` in this process (click's runner: the exit code and the output)."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def project(schema: CorpusSchema, directory: Path) -> Path:
    """A project of the schema's own in `directory`: its spec/ and pyproject.toml (generated/ is built there)."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(schema.spec_dir, directory / "spec")
    if (schema.root / "pyproject.toml").is_file():
        shutil.copy(schema.root / "pyproject.toml", directory / "pyproject.toml")
    return directory


def environment_sql(schema: CorpusSchema, spec_dir: Path | None = None) -> str:
    """What exists before the schema's first migration: `schemagen standins` of its spec, then standins.sql."""
    done = cli("standins", "--spec", str(spec_dir or schema.spec_dir))
    assert done.exit_code == 0, done.output
    return done.output + "\n" + schema.extra_standins


# The chain, step by step


def step_specs(schema: CorpusSchema) -> list[dict[str, dict[str, Any]]]:
    """The spec files ({file name: YAML data}) of each step of the chain: step k holds everything but the paths
    that later steps add; the last step is the whole spec."""
    full = {
        p.name: yaml.load(p.read_text(encoding="utf-8"), _SpecLoader) for p in sorted(schema.spec_dir.glob("*.yaml"))
    }
    steps = schema.steps
    out = []
    for k in range(len(steps) + 1):
        files = copy.deepcopy(full)
        for later in steps[k:]:
            for path in later:
                found = sum(_remove(data, path.split("/")) for data in files.values())
                assert found, f"{schema.name}/chain.yaml: {path} names nothing in the spec"
        out.append(files)
    return out


def _remove(data: Any, keys: list[str]) -> int:
    """Remove the path `keys` from YAML data (`*` any key); how many it removed."""
    if not isinstance(data, dict) or not keys:
        return 0
    first, rest = keys[0], keys[1:]
    names = list(data) if first == "*" else [first] if first in data else []
    removed = 0
    for name in names:
        if rest:
            removed += _remove(data[name], rest)
        else:
            del data[name]
            removed += 1
    return removed


def write_step(spec_dir: Path, files: dict[str, dict[str, Any]]) -> None:
    for old in spec_dir.glob("*.yaml"):
        old.unlink()
    for name, data in files.items():
        (spec_dir / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
