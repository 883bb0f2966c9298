"""The pipeline: spec/ -> IR -> {path: text}. Pure: nothing is written here."""

from __future__ import annotations

import json
from dataclasses import dataclass

from . import ir, loader, resolve
from .config import Settings


@dataclass(frozen=True)
class Result:
    schema: ir.Schema
    outputs: dict[str, str]  # relative to the output directory


def load_schema(settings: Settings) -> tuple[ir.Schema, list[str]]:
    files = loader.load_dir(settings.spec_dir, settings.root)
    return resolve.resolve(files), [f.source for f in files]


def generate(settings: Settings, migration_name: str | None = None) -> Result:
    """Every output. Migrations already written are kept as they are; the next one is the spec's change."""
    from . import chain, spec

    files = loader.load_dir(settings.spec_dir, settings.root)
    schema = resolve.resolve(files)
    outputs = {
        **chain.outputs(settings, schema, files, migration_name),
        "spec.schema.json": json.dumps(spec.json_schema(), indent=2, sort_keys=True) + "\n",
    }
    return Result(schema, outputs)
