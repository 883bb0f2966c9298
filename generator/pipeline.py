"""The pipeline: spec/ -> IR -> {path: text}, every output of `schemagen build`. Pure: nothing is written here.

Reading and resolving the spec is resolve.load(); the commands that need only
the IR (`sql`, `lint`, `standins`) call that, and do not load the outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import dbtests, errors, ir, lint, resolve
from .chain import history
from .db import layouts
from .docs import pages
from .docs.viewmodel import DocFinding
from .lint import SEVERITIES, Finding
from .models import modules
from .spec import loader, model
from .spec.config import Settings


@dataclass(frozen=True)
class Result:
    schema: ir.Schema
    outputs: dict[str, str]  # relative to the output directory
    # worth telling, not errors (e.g. CHECKs the models leave to the database)
    notes: list[str] = field(default_factory=list)
    findings: tuple[Finding, ...] = ()  # lint findings that do not depend on the date


def generate(settings: Settings, migration_name: str | None = None) -> Result:
    """Every output. Migrations already written are kept as they are; the next one is the spec's change."""
    schema, files, origins = resolve.load(settings)
    models = modules.render(schema)
    if models.problems:
        raise errors.SpecError(
            [
                origins.diagnostic(p.code, p.message, (p.key, (p.field,) if p.field else ()), at_key=p.field is None)
                for p in models.problems
            ]
        )
    # the docs list every migration, newest last
    sources = [f.source for f in files]
    migrations, newest = history.outputs(settings, schema, origins, sources, migration_name)
    outputs = {
        **migrations,
        "spec.schema.json": json.dumps(model.json_schema(), indent=2, sort_keys=True) + "\n",
        **models.outputs,
    }
    if settings.layout != "schemagen":  # the same migrations, as another runner's files (db/layouts.py)
        outputs.update(layouts.outputs(settings, migrations))
    findings = lint.lint(schema, origins, lint.Options.from_settings(settings))
    outputs.update(pages.docs_outputs(schema, list(migrations), doc_findings(findings, files)))
    tests = dbtests.build(schema, settings.exposed_schemas)  # generated/tests/<module>.sql
    outputs.update(dbtests.outputs(tests))
    notes = models.notes + history.spent_notes(schema, origins, migrations, newest) + list(tests.notes)
    return Result(schema, outputs, notes, tuple(findings))


def doc_findings(findings: list[Finding], files: list[loader.LoadedFile]) -> list[DocFinding]:
    """Lint findings as the docs list them: under the module whose file they point at, without
    line numbers (a comment added to the spec must not change a page), most severe first."""
    module_of = {f.pos.file: f.module for f in files}
    active = sorted(
        (f for f in findings if f.suppressed is None), key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.object)
    )
    return [
        DocFinding(module_of.get(f.file, ""), f.severity, f"{f.rule} {f.name}", f.object, f.message) for f in active
    ]
