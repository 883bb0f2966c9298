"""Odd and hostile input (issue 10): YAML features, typed scalars, file names; refused where written, or read as
meant."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner, Result
from schemagen.cli import main

REPO = Path(__file__).resolve().parent.parent
SCHEMAGEN = Path(sys.executable).parent / "schemagen"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a bomb that expanded would need far more


def test_a_yaml_alias_bomb_is_refused_at_once_in_a_real_process(tmp_path: Path) -> None:
    """Item 17: nine levels of nine aliases, 400 bytes, would expand to 387 million values
    (seven levels took 20 s and 2.2 GB). Refused at the alias that crosses the bound."""
    lines = ["migration: {version: 1, name: demo}", "bomb:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    lines += ["tables: {t: {comment: *a8, columns: {id: {type: integer}}}}"]
    write(tmp_path / "spec", {"bomb.yaml": "\n".join(lines) + "\n"})
    started = time.monotonic()
    proc = subprocess.run(
        [str(SCHEMAGEN), "build", "--spec", "spec", "--out", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=_limit_memory,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert proc.stderr.splitlines() == [
        (
            "spec/bomb.yaml:8:12: E001 YAML error: aliases add 141,148 values to a file that writes out 30 "
            "(*a4 adds 66,430): refused, "
            "as a YAML alias bomb would be (at most 100,000, or 10 times the values written out); reuse less deeply"
        ),
        "schemagen: 1 error; nothing was written",
    ]
    assert "Traceback" not in proc.stderr
    assert time.monotonic() - started < 30
    assert not (tmp_path / "out").exists()


def test_anchors_and_aliases_that_reuse_definitions_read_as_the_values_written_out(tmp_path: Path, monkeypatch) -> None:
    """Reuse within the bound is ordinary YAML: 300 tables sharing column definitions build the same files as written
    out."""
    reused = ["migration: {version: 1, name: demo}", "tables:"]
    written = list(reused)
    for i in range(300):
        anchor = " &audit" if i == 0 else ""
        reused += [f"  t{i}:", f"    columns:{anchor}" if i == 0 else "    columns: *audit"]
        written += [f"  t{i}:", "    columns:"]
        if i == 0:
            reused += [
                "      id: {type: integer, primary_key: true}",
                "      created_at: {type: timestamptz, not_null: true, default: now()}",
            ]
        written += [
            "      id: {type: integer, primary_key: true}",
            "      created_at: {type: timestamptz, not_null: true, default: now()}",
        ]
    outputs = []
    for name, lines in (("reused", reused), ("written", written)):
        spec = write(tmp_path / name / "spec", {"demo.yaml": "\n".join(lines) + "\n"})
        monkeypatch.chdir(tmp_path / name)
        result = run("build", "--spec", "spec", "--out", "out")
        assert result.exit_code == 0, result.output
        outputs.append(files_under(spec.parent / "out"))
    assert outputs[0] == outputs[1]


def test_yml_files_are_spec_files_too(tmp_path: Path, monkeypatch) -> None:
    """Item 23: a *.yml file in the spec directory was silently ignored; it is read like *.yaml."""
    write(
        tmp_path / "spec",
        {
            "a.yaml": "migration: {version: 1, name: demo}\ntables: {a: {columns: {id: {type: integer, primary_key: "
            "true}}}}\n",
            "b.yml": "tables: {b: {columns: {id: {type: integer, primary_key: true}, a_id: {type: integer, "
            "references: a(id)}}}}\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    result = run("sql", "--spec", "spec")
    assert result.exit_code == 0, result.output
    assert "CREATE TABLE public.b " in result.stdout and "from spec/a.yaml, spec/b.yml" in result.stdout


def test_spec_files_in_upper_case_are_read_too(tmp_path: Path, monkeypatch) -> None:
    """Review of issue 10, item 9: a spec file named *.YAML (or *.Yml) was silently left out."""
    write(
        tmp_path / "spec",
        {
            "a.YAML": "migration: {version: 1, name: demo}\ntables: {a: {columns: {id: {type: integer, primary_key: "
            "true}}}}\n",
            "b.Yml": "tables: {b: {columns: {id: {type: integer, primary_key: true}}}}\n",
            "notes.txt": "not a spec",
        },
    )
    monkeypatch.chdir(tmp_path)
    result = run("sql", "--spec", "spec")
    assert result.exit_code == 0, result.output
    assert "CREATE TABLE public.a " in result.stdout and "CREATE TABLE public.b " in result.stdout
    assert "from spec/a.YAML, spec/b.Yml" in result.stdout


def test_unquoted_scalars_that_mean_the_same_in_sql_are_kept(tmp_path: Path, monkeypatch) -> None:
    """Item 3's choice: a YAML-typed scalar is refused only where SQL would read it otherwise;
    `0`, `true`, `1.50` (the same number), `0x1F` (31) and an unquoted date as a partition bound
    (a literal) keep working."""
    write(
        tmp_path / "spec",
        {
            "a.yaml": """\
migration: {version: 1, name: demo}
tables:
  a:
    columns:
      id: {type: integer, not_null: true, default: 0x1F}
      on: {type: boolean, default: true}
      n: {type: integer, default: 0, check: n >= 0}
      price: {type: numeric, default: 1.50}
      at: {type: date, not_null: true}
    partitioning:
      key: [at]
      partitions:
        a_2026: {from: 2026-01-01, to: 2027-01-01}
"""
        },
    )
    monkeypatch.chdir(tmp_path)
    result = run("sql", "--spec", "spec")
    assert result.exit_code == 0, result.output
    for text in (
        "id integer NOT NULL DEFAULT 31",
        '"on" boolean DEFAULT true',
        "n integer DEFAULT 0",
        "price numeric DEFAULT 1.5",
        "FROM ('2026-01-01') TO ('2027-01-01')",
    ):
        assert text in result.stdout, text


def test_a_file_where_the_migrations_directory_belongs_is_named_as_such(tmp_path: Path, monkeypatch) -> None:
    """Item 22: it was reported as every migration missing (E062 "migration file is missing")."""
    shutil.copytree(REPO / "spec", tmp_path / "spec")
    monkeypatch.chdir(tmp_path)
    assert run("build", "--spec", "spec", "--out", "out").exit_code == 0
    shutil.rmtree(tmp_path / "out" / "migrations")
    (tmp_path / "out" / "migrations").write_text("not a directory\n", encoding="utf-8")
    before = files_under(tmp_path / "out")
    for args in (["build"], ["build", "--check"]):
        result = run(*args, "--spec", "spec", "--out", "out")
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [
            (
                "out/migrations:1:1: E062 a file, where the directory of migrations belongs: move it away (and "
                "restore the directory from version control if it held migrations)"
            ),
            "schemagen: 1 error; nothing was written",
        ]
        assert files_under(tmp_path / "out") == before


def test_a_mistake_reached_through_an_alias_is_placed_at_the_anchors_text(tmp_path: Path, monkeypatch) -> None:
    """Positions are found by reading the parser's events again (spec/positions.py `_index`): what an alias
    repeats is placed where its anchor wrote it, and a repeated key at its first writing."""
    write(
        tmp_path / "spec",
        {
            "demo.yaml": (
                "migration: {version: 1, name: demo}\n"
                "tables:\n"
                "  a:\n"
                "    columns: &cols\n"
                "      id: {type: integer, primary_key: true}\n"
                '      n: {type: integer, check: "m > 0"}\n'
                "  b:\n"
                "    columns: *cols\n"
            ),
        },
    )
    monkeypatch.chdir(tmp_path)
    result = run("build", "--spec", "spec", "--out", "out")
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[:-1] == [
        'spec/demo.yaml:6:34: E021 unknown column "m" in table a',
        'spec/demo.yaml:6:34: E021 unknown column "m" in table b',
    ]
    write(tmp_path / "spec", {"demo.yaml": "x: &m {a: 1}\ny: *m\nz: {b: 1, b: {c: 2}, d: *m}\n"})
    result = run("build", "--spec", "spec", "--out", "out")
    assert result.stderr.splitlines()[:-1] == ['spec/demo.yaml:3:11: E002 duplicate key "b" (first defined at line 3)']
