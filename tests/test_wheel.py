"""`pip install .` gives a schemagen that works from any directory: its templates travel with it.

A wheel is built from a copy of the sources, installed into a fresh virtual
environment, and run from an unrelated directory on a copy of spec/; its
output must equal the committed generated/. To stay fast and offline, the wheel
is built without build isolation (setuptools>=70.1 comes with the test extras), and
the new environment borrows the dependencies of this one through a .pth file,
so only the wheel itself is installed, with --no-deps.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "README.md", "generator", "templates"]


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, check=False, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_installed_wheel_builds_generated_from_any_directory(tmp_path: Path) -> None:
    # 1. a wheel, built from a copy so the checkout gets no build/ or *.egg-info
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, src / name)
    wheels = tmp_path / "wheels"
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, src, cwd=tmp_path)
    (wheel,) = wheels.glob("schemagen-*.whl")

    # 2. a fresh venv that sees this environment's dependencies, and the wheel installed into it
    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    venv_site = Path(
        sh(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip()
    )
    sh(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel, cwd=tmp_path)
    # only now: with this environment visible, pip would find its schemagen "already installed"
    (venv_site / "borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    # 3. run it far from the checkout, with nothing pointing back at it
    work = tmp_path / "elsewhere"
    shutil.copytree(REPO / "spec", work / "spec")
    # the migrations written so far: the next one is diffed against them
    shutil.copytree(REPO / "generated", work / "out")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    where = sh(
        python,
        "-c",
        "import schemagen, schemagen.templates as t; print(schemagen.__file__); print(t.__file__)",
        cwd=work,
        env=env,
    )
    for path in where.split():
        assert Path(path).is_relative_to(venv_site), f"imported {path}, not the installed wheel"
    sh(venv / "bin" / "schemagen", "build", "--spec", "spec", "--out", "out", cwd=work, env=env)
    sh(python, "-c", "import schemagen.diff", cwd=work, env=env)

    assert tree(work / "out") == tree(REPO / "generated")
