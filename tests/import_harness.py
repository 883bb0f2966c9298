"""The round trip of `schemagen import` on a real PostgreSQL (tests/test_import*.py).

A source database is imported; the spec is built; its migrations are applied, after the stand-ins of the spec's
external objects (`schemagen standins`), to an empty database of the same server; the two databases' schemas
are compared through pg_dump --schema-only of the imported schemas (never through schemagen's own output); and
the rebuilt database imported again gives the same bytes (a fixed point).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pg
from click.testing import CliRunner
from schemagen.cli import main


@dataclass(frozen=True)
class Imported:
    exit_code: int
    stderr: str
    files: dict[str, str]


def run_import(url: str, spec_dir: Path, *args: str) -> Imported:
    result = CliRunner().invoke(main, ["import", "--database-url", url, "--out", str(spec_dir), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(spec_dir.glob("*.yaml"))}
    return Imported(result.exit_code, result.stderr, files)


def build(spec_dir: Path, out_dir: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--spec", str(spec_dir), "--out", str(out_dir)])
    assert result.exit_code == 0, result.output + (result.stderr or "")


def standins(spec_dir: Path) -> str:
    result = CliRunner().invoke(main, ["standins", "--spec", str(spec_dir)])
    assert result.exit_code == 0, result.output
    return result.stdout


def apply_migrations(url: str, out_dir: Path) -> None:
    for path in sorted((out_dir / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql")):
        if not path.name.endswith(".down.sql"):
            pg.apply_sql_per_statement(url, path.read_text(encoding="utf-8"))


def round_trip(admin_url: str, source_url: str, environment: str, work: Path, *args: str) -> Imported:
    """Import the source, build, apply the migrations after `environment` (what the source had before its own
    SQL: roles, stand-ins) on an empty database, compare the two whole dumps, import again: the first import."""
    first = run_import(source_url, work / "spec", *args)
    assert first.exit_code == 0, first.stderr
    build(work / "spec", work / "generated")
    with pg.fresh_database(admin_url) as rebuilt:
        pg.apply_sql(rebuilt, environment)
        apply_migrations(rebuilt, work / "generated")
        diff = pg.dump_text_diff(
            pg.schema_dump(source_url), pg.schema_dump(rebuilt), label_a="source", label_b="rebuilt"
        )
        assert not diff, f"the rebuilt database differs from the source:\n{diff}"
        again = run_import(rebuilt, work / "spec-again", *args)
    assert again.files == first.files, "importing the rebuilt database gave another spec"
    return first
