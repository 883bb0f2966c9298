"""The house standard "small modules, strict tools" (STYLE.md, lesson 8), kept by the suite.

ruff (its default rules) over the code and the tests, and mypy --strict over the
generator, must find nothing: a finding fails here rather than waiting for a review.
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


def test_ruff_finds_nothing() -> None:
    proc = _run("ruff", "check", "--no-cache", "generator", "tests", "benchmarks")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_finds_nothing(tmp_path: Path) -> None:
    # A cache of its own: a cold run of the generator takes a few seconds, and a
    # cache shared with a developer's mypy (another version, other flags) could hide a finding.
    proc = _run("mypy", "--strict", "--cache-dir", str(tmp_path / "mypy_cache"), "generator")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found" in proc.stdout
