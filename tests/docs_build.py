"""Building the docs site in tests: `npm ci` when needed, then `mkdocs build --strict`.

The site serves Mermaid itself, from node_modules/ (package.json, package-lock.json),
as a user's build does: the first build of a fresh clone runs `npm ci` in the
repository, later ones reuse what it installed while it matches the lock file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from locking import exclusive
from reference_sql import REPO_ROOT

NODE_MODULES = REPO_ROOT / "node_modules"


def _installed_matches_lock() -> bool:
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    for name in lock[""]["dependencies"]:
        manifest = NODE_MODULES / name / "package.json"
        if (
            not manifest.is_file()
            or json.loads(manifest.read_text(encoding="utf-8"))["version"] != lock[f"node_modules/{name}"]["version"]
        ):
            return False
    return True


def ensure_node_modules() -> Path:
    """node_modules/ as package-lock.json pins it, installed by `npm ci` if it is not; a skip, with the reason, without
    npm. One worker at a time: `npm ci` first deletes node_modules/, which another worker may be reading."""
    if _installed_matches_lock():
        return NODE_MODULES
    with exclusive(NODE_MODULES):
        return _npm_ci()


def _npm_ci() -> Path:
    if _installed_matches_lock():  # another worker installed it while this one waited
        return NODE_MODULES
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(
            "npm is not installed: the docs site serves Mermaid from node_modules/, which `npm ci` "
            "installs (Node.js from Debian's nodejs and npm packages)"
        )
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"npm ci failed:\n{result.stdout}\n{result.stderr}"
    assert _installed_matches_lock()
    return NODE_MODULES


def mkdocs(config: Path, site: Path, offline: bool = False) -> subprocess.CompletedProcess[str]:
    ensure_node_modules()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SCHEMAGEN_DOCS_OFFLINE": "true" if offline else "false"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


def build_site(site: Path, offline: bool = False) -> Path:
    """The repository's own site (mkdocs.yml over generated/docs), built strictly into `site`."""
    result = mkdocs(REPO_ROOT / "mkdocs.yml", site, offline)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return site


def config_for(tmp: Path, docs_dir: Path) -> Path:
    """The repository's mkdocs.yml pointed at another `docs_dir`, with the navigation mkdocs derives from its pages.

    The config sits in `tmp`, with node_modules/ linked beside it (the plugin looks beside mkdocs.yml).
    """
    conf = (REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "docs_dir: generated/docs\n" in conf
    conf = conf.replace("docs_dir: generated/docs\n", f"docs_dir: {docs_dir}\n")
    conf, n = re.subn(r"^nav:\n(?:[ #].*\n)+", "", conf, flags=re.MULTILINE)
    assert n == 1, "mkdocs.yml has one nav block"
    (tmp / "mkdocs.yml").write_text(conf, encoding="utf-8")
    link = tmp / "node_modules"
    if not link.exists():
        link.symlink_to(ensure_node_modules(), target_is_directory=True)
    return tmp / "mkdocs.yml"
