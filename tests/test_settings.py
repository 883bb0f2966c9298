"""[tool.schemagen] in the user's pyproject.toml: honoured from anywhere in the project; mistakes are E070."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from schemagen import build as pipeline
from schemagen import config, render_sql
from schemagen.cli import main

REPO = Path(__file__).resolve().parent.parent


def project(tmp_path: Path, settings: str) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(REPO / "spec", root / "schema")
    (root / "pyproject.toml").write_text(f'[project]\nname = "demo"\n\n[tool.schemagen]\n{settings}', encoding="utf-8")
    return root


def build(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, ["build", *args])


def test_settings_choose_spec_dir_out_dir_and_migration_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, 'spec_dir = "schema"\nout_dir = "build/sql"\nmigration_name = "V{version}__{name}"\n')
    sub = root / "somewhere" / "deeper"
    sub.mkdir(parents=True)

    result = build(sub, monkeypatch)  # found by walking up from the working directory

    assert result.exit_code == 0, result.output
    out = root / "build" / "sql"
    assert (out / "manifest.json").is_file()
    assert sorted(p.name for p in (out / "migrations").iterdir()) == ["V24__sync_operations.sql", "V24__sync_operations.state.json"]
    sql = (out / "migrations" / "V24__sync_operations.sql").read_text(encoding="utf-8")
    assert "from schema/sync_operations.yaml" in sql  # sources are named relative to the project root
    schema, _sources = pipeline.load_schema(config.load(REPO))
    assert sql.replace("schema/sync_operations.yaml", "spec/sync_operations.yaml") == render_sql.migration_sql(schema, ["spec/sync_operations.yaml"])
    assert not (root / "generated").exists() and not (sub / "generated").exists()


def test_command_line_paths_override_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, 'spec_dir = "nowhere"\nout_dir = "build/sql"\n')
    result = build(root, monkeypatch, "--spec", "schema", "--out", "elsewhere")
    assert result.exit_code == 0, result.output
    assert (root / "elsewhere" / "migrations" / "0024_sync_operations.sql").is_file()
    assert not (root / "build").exists()


def test_project_is_found_from_the_spec_not_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, 'migration_name = "V{version}__{name}"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = build(elsewhere, monkeypatch, "--spec", str(root / "schema"), "--out", str(root / "out"))
    assert result.exit_code == 0, result.output
    sql = (root / "out" / "migrations" / "V24__sync_operations.sql").read_text(encoding="utf-8")
    assert "from schema/sync_operations.yaml" in sql  # named from the project root, not from elsewhere/


def test_outside_any_project_the_output_does_not_depend_on_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No pyproject.toml anywhere above: the spec's parent is the root, wherever the command runs.
    outputs = []
    for n, cwd in enumerate((tmp_path, tmp_path / "a" / "b")):
        cwd.mkdir(parents=True, exist_ok=True)
        proj = tmp_path / f"proj{n}"
        shutil.copytree(REPO / "spec", proj / "spec")
        result = build(cwd, monkeypatch, "--spec", str(proj / "spec"), "--out", str(proj / "out"))
        assert result.exit_code == 0, result.output
        outputs.append({p.relative_to(proj / "out"): p.read_bytes() for p in sorted((proj / "out").rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert b"spec/sync_operations.yaml" in outputs[0][Path("docs/sync_operations.md")]
    assert not any(str(tmp_path).encode() in text for text in outputs[0].values())


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ('spec_dir = "schema"\nmigrations = "x"\n', "unknown [tool.schemagen] setting(s): migrations; known: spec_dir, out_dir, migration_name"),
        ('out_dir = 3\n', "[tool.schemagen] out_dir must be a string"),
        ('migration_name = "{version:04d}_{title}"\n', "[tool.schemagen] migration_name is not a valid pattern: 'title'"),
        ('spec_dir = "schema\n', "cannot read pyproject.toml"),
    ],
    ids=["unknown-setting", "not-a-string", "bad-pattern", "bad-toml"],
)
def test_bad_settings_are_E070_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: str, message: str) -> None:
    root = project(tmp_path, settings)
    result = build(root, monkeypatch)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{root / 'pyproject.toml'}:1:1: E070 ")
    assert message in first
    assert not (root / "generated").exists()
