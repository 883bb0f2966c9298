"""[tool.schemagen] in the user's pyproject.toml: honoured from anywhere in the project; mistakes are E070."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from schemagen import resolve
from schemagen.cli import main
from schemagen.spec import config
from schemagen.sql import from_scratch

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
    root = project(tmp_path, 'spec_dir = "schema"\nout_dir = "build/sql"\nmigration_name = "V{version:04d}__{name}"\n')
    sub = root / "somewhere" / "deeper"
    sub.mkdir(parents=True)

    result = build(sub, monkeypatch)  # found by walking up from the working directory

    assert result.exit_code == 0, result.output
    out = root / "build" / "sql"
    assert (out / "manifest.json").is_file()
    assert sorted(p.name for p in (out / "migrations").iterdir()) == [
        "V0024__sync_operations.sql",
        "V0024__sync_operations.state.json",
    ]
    sql = (out / "migrations" / "V0024__sync_operations.sql").read_text(encoding="utf-8")
    assert "from schema/sync_operations.yaml" in sql  # sources are named relative to the project root
    schema, _sources = resolve.load_schema(config.load(REPO))
    assert sql.replace("schema/sync_operations.yaml", "spec/sync_operations.yaml") == from_scratch.migration_sql(
        schema, ["spec/sync_operations.yaml"]
    )
    assert not (root / "generated").exists() and not (sub / "generated").exists()


def test_command_line_paths_override_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, 'spec_dir = "nowhere"\nout_dir = "build/sql"\n')
    result = build(root, monkeypatch, "--spec", "schema", "--out", "elsewhere")
    assert result.exit_code == 0, result.output
    assert (root / "elsewhere" / "migrations" / "0024_sync_operations.sql").is_file()
    assert not (root / "build").exists()


def test_project_is_found_from_the_spec_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, 'migration_name = "V{version:04d}__{name}"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = build(elsewhere, monkeypatch, "--spec", str(root / "schema"), "--out", str(root / "out"))
    assert result.exit_code == 0, result.output
    sql = (root / "out" / "migrations" / "V0024__sync_operations.sql").read_text(encoding="utf-8")
    assert "from schema/sync_operations.yaml" in sql  # named from the project root, not from elsewhere/


def test_outside_any_project_the_output_does_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No pyproject.toml anywhere above: the spec's parent is the root, wherever the command runs.
    outputs = []
    for n, cwd in enumerate((tmp_path, tmp_path / "a" / "b")):
        cwd.mkdir(parents=True, exist_ok=True)
        proj = tmp_path / f"proj{n}"
        shutil.copytree(REPO / "spec", proj / "spec")
        result = build(cwd, monkeypatch, "--spec", str(proj / "spec"), "--out", str(proj / "out"))
        assert result.exit_code == 0, result.output
        outputs.append(
            {p.relative_to(proj / "out"): p.read_bytes() for p in sorted((proj / "out").rglob("*")) if p.is_file()}
        )
    assert outputs[0] == outputs[1]
    assert b"spec/sync_operations.yaml" in outputs[0][Path("docs/sync_operations.md")]
    assert not any(str(tmp_path).encode() in text for text in outputs[0].values())


@pytest.mark.parametrize(
    ("settings", "at", "message"),
    [
        (
            'spec_dir = "schema"\nmigrations = "x"\n',
            "6:1",
            (
                'unknown [tool.schemagen] setting: migrations (did you mean "migration_name"? known: spec_dir, '
                "out_dir, migration_name"
            ),
        ),
        ("out_dir = 3\n", "5:1", "[tool.schemagen] out_dir must be a string"),
        (
            'spec_dir = "schema"\nmigration_name = "{version:04d}_{title}"\n',
            "6:1",
            "[tool.schemagen] migration_name is not a valid pattern: 'title'",
        ),
        ('spec_dir = "schema\n', "5:19", "cannot read pyproject.toml: Illegal character"),
        # issue 10, item 20: a pattern that leaves generated/migrations, or whose files do not sort in chain order
        (
            'spec_dir = "schema"\n  migration_name = "../../{version}_{name}"\n',
            "6:3",
            (
                '[tool.schemagen] migration_name gives the file name "../../1_a.sql": use only letters, '
                "digits, _, - and . (no path separator"
            ),
        ),
        ('migration_name = "{name}"\n', "5:1", "[tool.schemagen] migration_name must contain {version}"),
        (
            'migration_name = "{version}_{name}"\n',
            "5:1",
            (
                "[tool.schemagen] migration_name must give file names that sort in chain order: put the "
                "version first and zero-padded"
            ),
        ),
        (
            'migration_name = "{name}_{version:04d}"\n',
            "5:1",
            "[tool.schemagen] migration_name must give file names that sort in chain order",
        ),
        (  # review of issue 10, item 9: the example said "version 10 must sort after 9", not the real clash
            'migration_name = "{version:03d}_{name}"\n',
            "5:1",
            (
                "[tool.schemagen] migration_name must give file names that sort in chain order: put the "
                "version first and zero-padded, e.g. {version:04d}_{name} (1000_a.sql would sort before "
                "999_a.sql)"
            ),
        ),
        (
            'migration_name = ".{version:04d}_{name}"\n',
            "5:1",
            '[tool.schemagen] migration_name gives the file name ".0001_a.sql"',
        ),
    ],
    ids=[
        "unknown-setting",
        "not-a-string",
        "bad-pattern",
        "bad-toml",
        "path-separator",
        "no-version",
        "unpadded-version",
        "version-last",
        "padded-to-three-digits",
        "hidden-file",
    ],
)
def test_bad_settings_are_E070_errors_where_they_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: str, at: str, message: str
) -> None:
    """Issue 10, items 20 and 22: E070 at the setting's line (it was 1:1), the TOML error's own position."""
    root = project(tmp_path, settings)
    result = build(root, monkeypatch)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{root / 'pyproject.toml'}:{at}: E070 {message}"), first
    assert not (root / "generated").exists()
    assert not (tmp_path / "1_a.sql").exists() and not any(tmp_path.glob("*.sql"))
