"""A hash of every output schemagen writes for a set of specs: proof that a refactoring changed no byte.

    python tools/output_hashes.py > /tmp/before.json            # on the old code
    python tools/output_hashes.py --compare /tmp/before.json    # on the new code: lists what differs

The specs: the project's spec/ (its chain rebuilt: the newest migration written
again from the one before it), the benchmark's spec at 100 tables, and every
diff case of tests/diff_cases/ (its old spec built, then its new one: the
migration, its down, state, models and docs). Besides the files: the output of
`schemagen sql`, `standins`, `json-schema` and `lint` (with a fixed date) on each
spec. Everything runs through the command line (in-process), so the script does
not depend on how the package is laid out. Not a test: the suite judges
behaviour; this only says whether the bytes moved.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from schemagen.cli import main

TODAY = "2026-01-15"  # lint's partition horizon depends on the date: a fixed one


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


@contextmanager
def inside(directory: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def command(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return f"exit {result.exit_code}\n{result.stdout}\n--- stderr\n{result.stderr}"


def files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): digest(p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()}


def spec_outputs(work: Path, prefix: str, hashes: dict[str, str]) -> None:
    """The stdout of the printing commands on `work`/spec."""
    with inside(work):
        for name, args in {
            "sql": ["sql", "--spec", "spec"],
            "standins": ["standins", "--spec", "spec"],
            "lint": ["lint", "--spec", "spec", "--format", "json", "--today", TODAY],
            "lint-text": ["lint", "--spec", "spec", "--today", TODAY],
        }.items():
            hashes[f"{prefix}/$ {name}"] = digest(command(*args).encode())


def build(work: Path, *extra: str) -> str:
    with inside(work):
        return command("build", "--spec", "spec", "--out", "out", *extra)


def project(tmp: Path, hashes: dict[str, str]) -> None:
    work = tmp / "project"
    shutil.copytree(REPO / "spec", work / "spec")
    shutil.copytree(REPO / "generated", work / "out")
    newest = max(p.name.split(".")[0] for p in (work / "out" / "migrations").glob("*.sql"))
    for path in list((work / "out" / "migrations").glob(newest + ".*")):
        path.unlink()
    _drop_from_manifest(work / "out" / "manifest.json", newest)
    hashes["project/$ build"] = digest(build(work, "--name", newest.split("_", 1)[1]).encode())
    hashes.update({f"project/{k}": v for k, v in files(work / "out").items()})
    spec_outputs(work, "project", hashes)
    with inside(work):
        hashes["$ json-schema"] = digest(command("json-schema").encode())
        hashes["$ lint --list-rules"] = digest(command("lint", "--list-rules", "--format", "markdown").encode())


def _drop_from_manifest(path: Path, stem: str) -> None:
    """The manifest without the entries of migration `stem` (whatever shape its entries have)."""

    def keep(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: keep(v) for k, v in value.items() if stem not in k}
        if isinstance(value, list):
            return [keep(v) for v in value if not (isinstance(v, str) and stem in v)]
        return value

    path.write_text(json.dumps(keep(json.loads(path.read_text())), indent=2) + "\n")


def benchmark(tmp: Path, hashes: dict[str, str], tables: int) -> None:
    work = tmp / f"bench{tables}"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "make_spec.py"),
            "--tables",
            str(tables),
            "--out",
            str(work / "spec"),
        ],
        check=True,
    )
    hashes[f"bench{tables}/$ build"] = digest(build(work).encode())
    hashes.update({f"bench{tables}/{k}": v for k, v in files(work / "out").items()})
    spec_outputs(work, f"bench{tables}", hashes)


def diff_cases(tmp: Path, hashes: dict[str, str]) -> None:
    import diff_harness

    for case in diff_harness.cases():
        work = tmp / "cases" / case.name
        old, new = diff_harness.spec_dicts(case)
        (work / "spec").mkdir(parents=True)
        (work / "spec" / "shop.yaml").write_text(yaml.safe_dump(old, sort_keys=False))
        first = build(work)
        (work / "spec" / "shop.yaml").write_text(yaml.safe_dump(new, sort_keys=False))
        second = build(work, "--name", case.name)
        hashes[f"cases/{case.name}/$ build"] = digest((first + second).encode())
        hashes.update(
            {
                f"cases/{case.name}/{k}": v
                for k, v in files(work / "out").items()
                if "/docs/" not in k or k.endswith(".md")
            }
        )
        spec_outputs(work, f"cases/{case.name}", hashes)


def collect() -> dict[str, str]:
    hashes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="schemagen-hashes-") as name:
        tmp = Path(name)
        project(tmp, hashes)
        benchmark(tmp, hashes, 100)
        diff_cases(tmp, hashes)
    return hashes


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="JSON",
        help="hashes recorded before; print what differs, exit 1 if anything does",
    )
    args = parser.parse_args()
    hashes = collect()
    if args.compare is None:
        json.dump(hashes, sys.stdout, indent=1, sort_keys=True)
        print()
        return 0
    before = json.loads(args.compare.read_text())
    differ = sorted(k for k in before.keys() | hashes.keys() if before.get(k) != hashes.get(k))
    for key in differ:
        print(f"differs: {key} ({before.get(key, 'absent')} -> {hashes.get(key, 'absent')})")
    print(f"{len(hashes)} outputs, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main_())
