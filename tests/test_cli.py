"""The `schemagen` command: exit codes, what a failed or repeated build leaves on disk, --check, --help."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from schemagen.chain import writer
from schemagen.cli import main

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "spec"
# A generated file that is not a migration: written migrations never change (see test_chain), other outputs follow the
# spec.
DERIVED = Path("docs") / "sync_operations.md"
OLD = 1_000_000_000  # an mtime (2001) that no write during the test can produce


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under root, hidden ones included: bytes, mtime and inode."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def age(root: Path) -> None:
    for p in root.rglob("*"):
        os.utime(p, (OLD, OLD))


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of spec/ and a fresh build of it, every file's mtime set far in the past."""
    spec = tmp_path / "spec"
    shutil.copytree(SPEC, spec)
    out = tmp_path / "out"
    result = run("build", "--spec", str(spec), "--out", str(out))
    assert result.exit_code == 0, result.output
    age(out)
    return spec, out


def test_internal_crash_exits_2_and_says_it_is_a_bug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from schemagen.sql import from_scratch

    def crash(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(from_scratch, "migration_sql", crash)
    result = run("build", "--spec", str(SPEC), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "internal error (this is a bug in schemagen, not in your spec)" in result.stderr
    assert "RuntimeError: renderer exploded" in result.stderr  # the traceback, for the bug report
    assert not (tmp_path / "out").exists()


def test_failed_build_leaves_existing_output_untouched(built: tuple[Path, Path]) -> None:
    spec, out = built
    before = snapshot(out)
    yaml = spec / "sync_operations.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("type: sync_type,", "type: sync_kind,"), encoding="utf-8")

    result = run("build", "--spec", str(spec), "--out", str(out))

    assert result.exit_code == 1
    assert 'E022 unknown type "sync_kind"' in result.stderr
    assert snapshot(out) == before  # same files, bytes, mtimes and inodes; no temp file left


def test_check_lists_a_hand_edited_file_and_passes_when_current(built: tuple[Path, Path]) -> None:
    spec, out = built
    current = run("build", "--check", "--spec", str(spec), "--out", str(out))
    assert current.exit_code == 0, current.output
    assert "is up to date" in current.stdout

    edited = out / DERIVED
    edited.write_text(edited.read_text(encoding="utf-8") + "-- a hand edit\n", encoding="utf-8")
    before = snapshot(out)
    stale = run("build", "--check", "--spec", str(spec), "--out", str(out))

    assert stale.exit_code == 1
    listed = [line for line in stale.stderr.splitlines() if line.startswith("stale: ")]
    assert listed == [f"stale: {os.path.relpath(out)}/{DERIVED.as_posix()}"]
    assert snapshot(out) == before  # --check writes nothing


def test_build_with_nothing_changed_rewrites_no_file(built: tuple[Path, Path]) -> None:
    spec, out = built
    before = snapshot(out)
    result = run("build", "--spec", str(spec), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "is up to date" in result.stdout
    assert snapshot(out) == before


def test_build_rewrites_only_the_changed_file(built: tuple[Path, Path]) -> None:
    spec, out = built
    edited = out / DERIVED
    generated = edited.read_bytes()
    edited.write_text("-- stale\n", encoding="utf-8")
    os.utime(edited, (OLD, OLD))
    before = snapshot(out)

    result = run("build", "--spec", str(spec), "--out", str(out))

    assert result.exit_code == 0, result.output
    after = snapshot(out)
    changed = {rel for rel in after if after[rel] != before[rel]}
    assert changed == {DERIVED.as_posix()}
    assert after[DERIVED.as_posix()][0] == generated


def test_crash_mid_write_keeps_the_old_file_and_no_temp_file(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, out = built
    edited = out / DERIVED
    edited.write_text("-- the old contents\n", encoding="utf-8")
    before = snapshot(out)

    def no_rename(*_args: object) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(writer.os, "replace", no_rename)
    result = run("build", "--spec", str(spec), "--out", str(out))

    assert result.exit_code == 1  # the file system's refusal is not a bug of schemagen's
    assert "disk went away" in result.stderr and "Traceback" not in result.output
    assert snapshot(out) == before  # old bytes in place, and nothing else, e.g. no .tmp files


def test_disk_full_while_writing_changes_no_file_and_is_a_user_error(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, out = built
    # make every file stale but the migrations (never rewritten) and the manifest (their checksums), so several must be
    # written
    for path in out.rglob("*.*"):
        if path.is_file() and path.parent.name != "migrations" and path.name != "manifest.json":
            path.write_text("-- old\n", encoding="utf-8")
    before = snapshot(out)
    real_fsync, calls = writer.os.fsync, []

    def fsync_then_full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(writer.os, "fsync", fsync_then_full)
    result = run("build", "--spec", str(spec), "--out", str(out))

    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert snapshot(out) == before  # the two files already staged were not put in place either


def test_atomic_write_failure_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.sql"
    target.write_text("old\n", encoding="utf-8")

    def no_rename(*_args: object) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(writer.os, "replace", no_rename)
    with pytest.raises(OSError, match="disk went away"):
        writer.atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.sql"]


COMMANDS = sorted(main.commands)


def test_main_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.stdout
    assert set(COMMANDS) >= {"build", "sql", "json-schema", "standins"}


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_mentions_every_option(name: str) -> None:
    command = main.commands[name]
    result = run(name, "--help")
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())
    assert " ".join((command.help or "").split("\n")[0].split()) in shown
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts} has no help text"
            for opt in param.opts:
                assert opt in result.stdout, f"{opt} missing from `schemagen {name} --help`"


@pytest.mark.parametrize(
    "args", [["build", "--bogus"], ["nosuch"], ["lint", "--format", "nope"], ["build", "--name", "Bad Name!"]]
)
def test_usage_mistakes_exit_1_like_spec_mistakes(args: list[str], tmp_path: Path) -> None:
    # 2 is reserved for a crash of schemagen; a typo on the command line is the user's mistake.
    result = subprocess.run(
        [str(Path(sys.executable).parent / "schemagen"), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Error:" in result.stderr or "E0" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["build", "lint", "sql", "standins"])
def test_a_trigger_setting_a_column_of_a_table_that_did_not_resolve_reports_the_table_error(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10, item 16: a table with a column of unknown type and a trigger with `sets:` crashed (KeyError)."""
    case = REPO / "tests" / "broken" / "trigger_sets_on_unresolved_table"
    monkeypatch.chdir(case)
    result = run(command, "--spec", ".", *(["--out", str(tmp_path / "out")] if command == "build" else []))
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        *(case / "expected.txt").read_text(encoding="utf-8").splitlines(),
        "schemagen: 1 error; nothing was written",
    ]
    assert not (tmp_path / "out").exists()
