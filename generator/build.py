"""The pipeline: spec/ -> IR -> {path: text}. Pure: nothing is written here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import errors, ir, loader, resolve
from .config import Settings
from .origins import Origins

if TYPE_CHECKING:
    from .docs_model import DocFinding
    from .lint import Finding


@dataclass(frozen=True)
class Result:
    schema: ir.Schema
    outputs: dict[str, str]  # relative to the output directory
    notes: list[str] = field(default_factory=list)  # worth telling, not errors (e.g. CHECKs the models leave to the database)
    findings: tuple[Finding, ...] = ()  # lint findings that do not depend on the date


def load_schema(settings: Settings) -> tuple[ir.Schema, list[str]]:
    schema, files, _origins = _load(settings)
    return schema, [f.source for f in files]


def load_located(settings: Settings) -> tuple[ir.Schema, Origins, list[str]]:
    """The IR, where each of its objects is written in the spec, and the spec files' names."""
    schema, files, origins = _load(settings)
    return schema, origins, [f.source for f in files]


def _load(settings: Settings) -> tuple[ir.Schema, list[loader.LoadedFile], Origins]:
    files = loader.load_dir(settings.spec_dir, settings.root)
    schema, origins = resolve.resolve_with_origins(files)
    return schema, files, origins


def generate(settings: Settings, migration_name: str | None = None) -> Result:
    """Every output. Migrations already written are kept as they are; the next one is the spec's change."""
    from . import chain, lint, locate, render_docs, render_models, spec

    schema, files, origins = _load(settings)
    models = render_models.render(schema)
    if models.problems:
        raise errors.SpecError([locate.diagnostic(files, p.module, p.path, p.code, p.message) for p in models.problems])
    migrations, newest = chain.outputs(settings, schema, files, migration_name)  # the docs list every migration, newest last
    outputs = {
        **migrations,
        "spec.schema.json": json.dumps(spec.json_schema(), indent=2, sort_keys=True) + "\n",
        **models.outputs,
    }
    if settings.layout != "schemagen":  # the same migrations, as another runner's files (db/layouts.py)
        from .db import layouts

        outputs.update(layouts.outputs(settings, migrations))
    findings = lint.lint(schema, origins, lint.Options.from_settings(settings))
    outputs.update(render_docs.docs_outputs(schema, list(migrations), doc_findings(findings, files)))
    notes = models.notes + chain.spent_notes(files, migrations, newest)
    return Result(schema, outputs, notes, tuple(findings))


def doc_findings(findings: list[Finding], files: list[loader.LoadedFile]) -> list[DocFinding]:
    """Lint findings as the docs list them: under the module whose file they point at, without
    line numbers (a comment added to the spec must not change a page), most severe first."""
    from .docs_model import DocFinding
    from .lint import SEVERITIES

    module_of = {f.pos.file: f.module for f in files}
    active = sorted((f for f in findings if f.suppressed is None), key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.object))
    return [DocFinding(module_of.get(f.file, ""), f.severity, f"{f.rule} {f.name}", f.object, f.message) for f in active]

