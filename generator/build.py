"""The pipeline: spec/ -> IR -> {path: text}. Pure: nothing is written here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import ir, loader, resolve
from .config import Settings
from .origins import Origins

if TYPE_CHECKING:
    from .lint import Finding


@dataclass(frozen=True)
class Result:
    schema: ir.Schema
    outputs: dict[str, str]  # relative to the output directory
    findings: tuple[Finding, ...] = ()  # lint findings that do not depend on the date


def load_schema(settings: Settings) -> tuple[ir.Schema, list[str]]:
    schema, _origins, sources = load_located(settings)
    return schema, sources


def load_located(settings: Settings) -> tuple[ir.Schema, Origins, list[str]]:
    """The IR, where each of its objects is written in the spec, and the spec files' names."""
    files = loader.load_dir(settings.spec_dir, settings.root)
    schema, origins = resolve.resolve_with_origins(files)
    return schema, origins, [f.source for f in files]


def generate(settings: Settings) -> Result:
    from . import lint, render_sql, spec

    schema, origins, sources = load_located(settings)
    stem = settings.migration_stem(schema.version, schema.name)
    outputs = {
        f"migrations/{stem}.sql": render_sql.migration_sql(schema, sources),
        f"migrations/{stem}.state.json": state_json(schema),
        "spec.schema.json": json.dumps(spec.json_schema(), indent=2, sort_keys=True) + "\n",
    }
    findings = lint.lint(schema, origins, lint.Options.from_settings(settings))
    return Result(schema, outputs, tuple(findings))


def state_json(schema: ir.Schema) -> str:
    """The schema state a migration produces, saved so the next migration can be diffed against it."""
    return json.dumps(schema.to_json(), indent=1, sort_keys=True) + "\n"
