"""The benchmark tooling: make_spec.py writes a valid, deterministic spec; run.py runs end to end.

Timings are not judged here (the machine is shared); run.py is smoke-tested on
10 tables with one run, and the synthetic spec is applied to a real PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import make_spec


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.yaml"))}


def test_make_spec_is_deterministic_and_split_into_modules(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    make_spec.write(120, first)
    make_spec.write(120, second)
    assert _files(first) == _files(second)
    assert sorted(_files(first)) == ["module_000.yaml", "module_001.yaml", "module_002.yaml"]
    make_spec.write(30, first)  # a smaller spec replaces the files of a larger one
    assert sorted(_files(first)) == ["module_000.yaml"]
    make_spec.write(120, first, one_file=True)
    assert sorted(_files(first)) == ["module_000.yaml"]
    assert _files(first)["module_000.yaml"].count(b"\n  order_0110:\n") == 1  # every table, in the one module


def test_make_spec_builds_and_applies_on_postgres(tmp_path, db_url):
    from schemagen import resolve
    from schemagen.spec import config
    from schemagen.sql import from_scratch
    from schemagen.sql.standins import standin_sql

    make_spec.write(40, tmp_path / "spec")
    settings = config.load(tmp_path, spec_dir=str(tmp_path / "spec"), out_dir=str(tmp_path / "out"))
    schema, sources = resolve.load_schema(settings)
    assert len(schema.tables) == 40
    assert sum(1 for t in schema.tables if t.partitions) == 2  # one table in 20
    assert all(len(t.columns) >= 14 for t in schema.tables)

    pg.apply_sql(db_url, standin_sql(schema))
    pg.apply_sql(db_url, from_scratch.migration_sql(schema, sources))
    with pg.connect(db_url) as conn:
        kinds = dict(
            conn.execute(
                "SELECT c.relkind, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND NOT c.relispartition AND c.relkind IN ('r', 'p') GROUP BY 1"
            ).fetchall()
        )
        policies = conn.execute("SELECT count(*) FROM pg_policies WHERE schemaname = 'public'").fetchone()[0]
        triggers = conn.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgparentid = 0").fetchone()[
            0
        ]
        fks = conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conparentid = 0 AND connamespace = "
            "'public'::regnamespace"
        ).fetchone()[0]
        rls = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relrowsecurity AND relnamespace = 'public'::regnamespace"
        ).fetchone()[0]
    assert kinds == {"r": 38 + 1, "p": 2}  # and the stand-in of the external organization table
    assert policies == 40 * 4
    assert triggers == 40 + 40 // make_spec.OWN_FUNCTION_EVERY
    parents = sum(1 for i in range(1, 40) if not make_spec.is_partitioned(i - 1))
    assert fks == 40 * 2 + parents  # organization and user on each, and the previous table unless it is partitioned
    assert rls == 40


def test_make_spec_follows_lint(tmp_path, monkeypatch):
    # a team using schemagen keeps lint quiet; the benchmark times the generator, not pages of findings
    from click.testing import CliRunner
    from schemagen.cli import main

    make_spec.write(40, tmp_path / "spec")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["lint", "--spec", "spec", "--today", "2025-08-01"])
    assert result.exit_code == 0 and "no findings" in result.output, result.output


def test_run_py_smoke(tmp_path):
    results = tmp_path / "results.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--sizes",
            "10",
            "--one-file",
            "20",
            "--import-tables",
            "10",
            "--runs",
            "1",
            "--results",
            str(results),
            "--workdir",
            str(tmp_path / "work"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "| command | spec | median s |" in proc.stdout
    data = json.loads(results.read_text())
    rows = {(r["command"], r["tables"]): r for r in data["rows"]}
    assert set(rows) == {
        ("--help", None),
        ("build", None),
        ("build", 10),
        ("build (no change)", 10),
        ("build --check", 10),
        ("lint", 10),
        ("build", 20),
        ("import", 10),
    }
    assert rows[("import", 10)]["median_s"] > 0, rows[("import", 10)]
    assert (
        [r["one_file"] for r in data["rows"]].count(True) == 1
        and rows[("build", 20)]["one_file"]
        and rows[("build", 20)]["median_s"] > 0
    )
    assert (tmp_path / "work" / "one_file_20" / "spec" / "module_000.yaml").is_file() and len(
        list((tmp_path / "work" / "one_file_20" / "spec").glob("*.yaml"))
    ) == 1
    for key in [("--help", None), ("build", None), ("build", 10), ("build (no change)", 10), ("build --check", 10)]:
        row = rows[key]
        assert len(row["runs"]) == 1 and row["median_s"] > 0 and 0 < row["median_cpu_s"] and row["max_peak_mb"] > 1, row
    assert rows[("build (no change)", 10)]["note"] == "no file rewritten"
    lint = rows[("lint", 10)]
    assert lint["median_s"] is not None or "does not exist in this version yet" in lint["note"]
    assert data["machine"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert data["machine"]["cpus"] >= 1
    assert (tmp_path / "work" / "tables_10" / "generated" / "manifest.json").is_file()


def test_drift_read_smoke(pg_admin_url, tmp_path):
    """benchmarks/drift_read.py on 20 tables: the migrated database has no drift, and the figures are there."""
    import drift_read

    result = drift_read.run(pg_admin_url, 20, tmp_path, runs=1)
    assert result["tables"] == 20 + 1  # and the stand-in of the external organization table, read but not compared
    assert result["catalog_read_s"] > 0 and result["drift_command_s"] > 0
