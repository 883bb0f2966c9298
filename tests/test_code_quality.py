"""Strict tools, kept by the suite: a finding fails here rather than waiting for a review.

ruff (the rules and line length of pyproject.toml's [tool.ruff]) and `ruff format`
over the code, the tests, the benchmarks and tools/, and mypy --strict over the
generator, must find nothing. The three tools are pinned in the test extras, so a
new release cannot change the verdict.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], check=False, cwd=REPO, capture_output=True, text=True, timeout=120
    )


PYTHON_DIRS = ("generator", "tests", "benchmarks", "tools")


def test_ruff_finds_nothing() -> None:
    proc = _run("ruff", "check", "--no-cache", *PYTHON_DIRS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_changes_nothing() -> None:
    proc = _run("ruff", "format", "--check", "--no-cache", *PYTHON_DIRS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_finds_nothing(tmp_path: Path) -> None:
    # A cache of its own: a cold run of the generator takes a few seconds, and a
    # cache shared with a developer's mypy (another version, other flags) could hide a finding.
    proc = _run("mypy", "--strict", "--cache-dir", str(tmp_path / "mypy_cache"), "generator")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found" in proc.stdout
