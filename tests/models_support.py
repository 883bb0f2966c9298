"""Helpers for the generated-models tests: rendering a spec, importing the result, inserting dumps."""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import BaseModel
from schemagen import pipeline
from schemagen.spec import config

REPO = Path(__file__).resolve().parents[1]
GENERATED_MODELS = REPO / "generated" / "models" / "sync_operations.py"
EDGE_SPEC = REPO / "tests" / "models_cases" / "edge"


def generate(spec_dir: Path) -> pipeline.Result:
    # An empty output directory: the repository's migration history belongs to spec/, not to other specs.
    with tempfile.TemporaryDirectory() as out:
        return pipeline.generate(config.load(REPO, spec_dir=str(spec_dir), out_dir=out))


def write_models(spec_dir: Path, out: Path) -> dict[str, Path]:
    """Render a spec's models into `out`; returns {relative path: file}."""
    written = {}
    for rel, text in generate(spec_dir).outputs.items():
        if rel.startswith("models/"):
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written[rel] = path
    return written


def project_models() -> Path:
    """The project's models as the spec and the generator give them now, in a file of their own: what the
    behaviour tests import (the committed generated/models/ only guards output stability, test_models.py)."""
    out = Path(tempfile.mkdtemp(prefix="schemagen-models-"))
    return write_models(REPO / "spec", out)["models/sync_operations.py"]


def import_file(path: Path) -> ModuleType:
    """Import a generated module on its own, from its file, under a unique name."""
    name = f"generated_models_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def json_columns(row_model: type[BaseModel]) -> set[str]:
    return {f.alias or name for name, f in row_model.model_fields.items() if "JsonValue" in repr(f.annotation)}


def insert(conn: Any, table: str, data: dict[str, Any], json_cols: set[str]) -> dict[str, Any]:
    """INSERT a dump (column -> value) with psycopg; returns the row as the database stored it."""
    cols = list(data)
    if not cols:
        return conn.execute(
            sql.SQL("INSERT INTO {} DEFAULT VALUES RETURNING *").format(sql.Identifier(table))
        ).fetchone()  # type: ignore[no-any-return]
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(c) for c in cols),
        sql.SQL(", ").join(sql.Placeholder() * len(cols)),
    )
    params = [Jsonb(v) if c in json_cols and v is not None else v for c, v in data.items()]
    row: dict[str, Any] = conn.execute(query, params).fetchone()
    return row
