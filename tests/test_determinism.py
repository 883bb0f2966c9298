"""Output is byte-identical across processes and hash seeds, and equal to the committed generated/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def build_in_fresh_process(out: Path, seed: str) -> None:
    # Start from the committed migrations: a migration, once written, is history the build keeps.
    (out / "migrations").mkdir(parents=True)
    for path in (REPO / "generated" / "migrations").iterdir():
        shutil.copy2(path, out / "migrations" / path.name)
    shutil.copy2(REPO / "generated" / "manifest.json", out / "manifest.json")
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run(
        [sys.executable, "-c", "from schemagen.cli import main; main()", "build", "--out", str(out)],
        cwd=REPO,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.golden
def test_build_is_byte_identical_across_hash_seeds_and_matches_generated(tmp_path: Path) -> None:
    trees = []
    for seed in ("0", "12345"):
        out = tmp_path / f"seed-{seed}"
        build_in_fresh_process(out, seed)
        trees.append(tree(out))
    assert trees[0] == trees[1]
    assert trees[0] == tree(REPO / "generated"), "generated/ is stale: run `schemagen build` and commit it"
    assert "migrations/0024_sync_operations.sql" in trees[0]
