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


def generate(settings: Settings) -> Result:
    from . import render_docs, render_sql, spec

    schema, sources = load_schema(settings)
    stem = settings.migration_stem(schema.version, schema.name)
    outputs = {
        f"migrations/{stem}.sql": render_sql.migration_sql(schema, sources),
        f"migrations/{stem}.state.json": state_json(schema),
        "spec.schema.json": json.dumps(spec.json_schema(), indent=2, sort_keys=True) + "\n",
        **render_docs.docs_outputs(schema, f"migrations/{stem}.sql"),
    }
    return Result(schema, outputs)


def state_json(schema: ir.Schema) -> str:
    """The schema state a migration produces, saved so the next migration can be diffed against it."""
    return json.dumps(schema.to_json(), indent=1, sort_keys=True) + "\n"
