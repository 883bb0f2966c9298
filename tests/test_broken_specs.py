"""The corpus of broken specs: every mistake is reported where it is, with its code.

Each directory under tests/broken/ is one case: its *.yaml spec files and
`expected.txt`, the exact diagnostic lines `schemagen build` prints on stderr
when run from inside the case directory (`--spec .`), so file names in them are
relative to the case. A case about a change to a spec also has `previous/`,
the spec built first (its migration is the last one when the case is built), or
`previous/1/`, `previous/2/`, ... built in that order (a case about the migration
after next). Regenerate with SCHEMAGEN_UPDATE_GOLDEN=1, then read every changed
line against its YAML: a position must point at the offending text.

`expected.txt` is a golden file (its test is marked `golden`); what does not rest
on it: every case exits 1, writes nothing and prints well-formed lines inside its
files, and the refusals of a change are judged on their own in test_refusals.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from schemagen import errors
from schemagen.cli import main

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p for p in BROKEN.iterdir() if p.is_dir())
UPDATE = os.environ.get("SCHEMAGEN_UPDATE_GOLDEN") == "1"
DIAGNOSTIC = re.compile(r"(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>E\d{3}) (?P<message>\S.*)\Z")
# Errors about the output directory (a migration edited or missing), not the spec: see test_chain.
OUTPUT_CODES = {errors.MIGRATION_EDITED, errors.MIGRATION_MISSING}
CODES = {v for k, v in vars(errors).items() if k.isupper() and isinstance(v, str) and re.fullmatch(r"E\d{3}", v)}


def previous_specs(case: Path) -> list[str]:
    """The specs built before the case's own, in order, relative to the case."""
    previous = case / "previous"
    if not previous.is_dir():
        return []
    steps = sorted((p for p in previous.iterdir() if p.is_dir()), key=lambda p: int(p.name))
    return [p.relative_to(case).as_posix() for p in steps] or ["previous"]


def build_previous(case: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    for spec in previous_specs(case):
        first = CliRunner().invoke(main, ["build", "--spec", spec, "--out", str(out)])
        assert first.exit_code == 0, first.output


def build_broken(case: Path, out: Path, monkeypatch: pytest.MonkeyPatch):
    build_previous(case, out, monkeypatch)
    return CliRunner().invoke(main, ["build", "--spec", ".", "--out", str(out)])


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def diagnostics_of(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The diagnostic lines of a failed build of the case, after checking that it failed as a user error and
    wrote nothing."""
    out = tmp_path / "out"
    previous = tmp_path / "previous"
    if previous_specs(case):
        build_previous(case, previous, monkeypatch)
    result = build_broken(case, out, monkeypatch)

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    if previous.exists():
        assert files_under(out) == files_under(previous), "a failed build must not write the output directory"
    else:
        assert not out.exists(), "a failed build must not create or write the output directory"
    *diagnostics, summary = result.stderr.splitlines()
    n = len(diagnostics)
    assert summary == f"schemagen: {n} error{'s' if n != 1 else ''}; nothing was written"
    return diagnostics


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_broken_spec_exits_1_writes_nothing_and_points_into_the_spec(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diagnostics = diagnostics_of(case, tmp_path, monkeypatch)
    assert diagnostics
    for line in diagnostics:
        assert_points_into_the_spec(case, line)


@pytest.mark.golden
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_broken_spec_reports_code_and_position(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    diagnostics = diagnostics_of(case, tmp_path, monkeypatch)
    expected_file = case / "expected.txt"
    if UPDATE:
        expected_file.write_text("".join(line + "\n" for line in diagnostics), encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert diagnostics == expected


def assert_points_into_the_spec(case: Path, line: str) -> None:
    """The line is well formed, uses a known code and points inside its file."""
    m = DIAGNOSTIC.match(line)
    assert m, f"not `FILE:LINE:COL: CODE message`: {line}"
    assert m["code"] in CODES, line
    target = case / m["file"]
    if target.is_dir():  # a problem with the spec directory itself
        assert (int(m["line"]), int(m["col"])) == (1, 1), line
        return
    source = target.read_bytes().decode("utf-8", "replace").splitlines()  # one case is not UTF-8 on purpose
    row, col = int(m["line"]), int(m["col"])
    assert 1 <= row <= len(source), line
    assert 1 <= col <= len(source[row - 1]) + 1, line


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_expected_positions_point_into_the_spec(case: Path) -> None:
    """Every expected line is well formed, uses a known code and points inside its file."""
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert lines, "a broken case expects at least one diagnostic"
    for line in lines:
        assert_points_into_the_spec(case, line)


def test_corpus_covers_every_spec_error_code() -> None:
    assert len(CASES) >= 35
    seen = {
        DIAGNOSTIC.match(line)["code"]
        for case in CASES
        for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    }
    assert CODES - OUTPUT_CODES - seen == set()


def test_broken_spec_in_a_real_process_exits_1_without_traceback(tmp_path: Path) -> None:
    case = BROKEN / "several_errors_one_run"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from schemagen.cli import main; main()",
            "build",
            "--spec",
            ".",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=case,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[:-1] == (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert not (tmp_path / "out").exists()
