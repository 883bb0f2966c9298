"""The output directory under real processes (issue 10, items 18, 19, 27): two builds at
once, a build killed at each point of its write, and discarding a migration no database ran.

Processes are killed with SIGKILL at fault-injection points of writer.commit
(SCHEMAGEN_FAULT=<point>, inert when unset): nothing of theirs runs after it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from diff_harness import base, write_spec
from schemagen.chain import lock, writer

SCHEMAGEN = str(Path(sys.executable).parent / "schemagen")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock: POSIX")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.schemagen]\nspec_dir = "spec"\nout_dir = "generated"\n')
    write_spec(root / "spec", base())
    assert schemagen(root, "build").returncode == 0
    return root


def schemagen(cwd: Path, *args: str, fault: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCHEMAGEN, *args], cwd=cwd, env=_env(fault, **env), capture_output=True, text=True, timeout=120, check=False
    )


def _env(fault: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SCHEMAGEN_FAULT", "SCHEMAGEN_LOCK_TIMEOUT")}
    if fault:
        env["SCHEMAGEN_FAULT"] = fault
    return {**env, **extra}


def edit(project: Path, change) -> None:
    spec = yaml.safe_load((project / "spec" / "shop.yaml").read_text())
    change(spec)
    write_spec(project / "spec", spec)


def add_column(name: str):
    return lambda s: s["tables"]["item"]["columns"].update({name: {"type": "text"}})


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def migrations(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "generated" / "migrations").iterdir())


# -- item 19: a build killed while writing ----------------------------------


@pytest.fixture(scope="module")
def built_with_color(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """generated/ after the base spec and then `color` added, built without interruption."""
    root = tmp_path_factory.mktemp("reference")
    (root / "pyproject.toml").write_text('[tool.schemagen]\nspec_dir = "spec"\nout_dir = "generated"\n')
    write_spec(root / "spec", base())
    assert schemagen(root, "build").returncode == 0
    edit(root, add_column("color"))
    assert schemagen(root, "build").returncode == 0
    return files(root / "generated")


def test_a_build_killed_after_staging_its_files_is_finished_by_the_next_build(
    project: Path, built_with_color: dict[str, bytes]
) -> None:
    """Killed with every file written beside its target, none in place: `--check` names the temporary files."""
    edit(project, add_column("color"))
    killed = schemagen(project, "build", fault="staged")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    check = schemagen(project, "build", "--check")
    assert check.returncode == 1, check.stderr
    left = sorted(line for line in check.stderr.splitlines() if line.startswith("left by an interrupted build: "))
    assert left and all(
        re.fullmatch(r"left by an interrupted build: generated/(migrations/|models/|docs/|tests/)?\..+\.tmp", line)
        for line in left
    ), left
    assert any("/migrations/.0002_add_column_item_color.sql." in line for line in left)
    assert schemagen(project, "build").returncode == 0
    assert schemagen(project, "build", "--check").returncode == 0
    assert files(project / "generated") == built_with_color


# The same without schemagen's own fault points: the child process replaces os.replace with one that
# SIGKILLs itself after the n-th rename (a build renames the journal and 7 files, manifest last).
KILL_AFTER_RENAME = """
import os, signal, sys
real, done = os.replace, []
def replace(src, dst):
    real(src, dst)
    done.append(dst)
    if len(done) == int(os.environ["KILL_AFTER"]):
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
from schemagen.cli import run
sys.argv[0] = "schemagen"
run()
"""


# 8 renames: the journal, docs/index.md, docs/shop.md, the three 0002 files, models/shop.py, manifest.json
@pytest.mark.parametrize(
    "renames", [1, 4, 6, 7, 8], ids=["journal", "migration-half", "migration-whole", "all-but-manifest", "manifest"]
)
def test_a_build_killed_after_any_rename_is_finished_by_the_next_build(
    project: Path, renames: int, built_with_color: dict[str, bytes]
) -> None:
    """Issue 10, item 19: killed after its migration was in place and before manifest.json, a build
    left every later build and --check failing with E061 "schemagen did not write it", and .tmp files."""
    edit(project, add_column("color"))
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_RENAME, "build"],
        cwd=project,
        env=_env(None, KILL_AFTER=str(renames)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    check = schemagen(project, "build", "--check")
    assert check.returncode == 1 and "E061" not in check.stderr, check.stderr
    assert "left by an interrupted build: generated/.manifest.json.journal" in check.stderr.splitlines()
    rebuilt = schemagen(project, "build")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert schemagen(project, "build", "--check").returncode == 0
    assert files(project / "generated") == built_with_color  # one 0002, no .tmp file, no journal
    assert not lock.lock_path(project / "generated").exists()


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ("replaced-3", ["0002_add_column_item_c31_and_1_more"]),  # its .down.sql in place
        ("replaced-4", ["0002_add_column_item_c31_and_1_more"]),  # its .down.sql and .sql
        ("replaced-5", ["0002_add_column_item_c31", "0003_add_column_item_c32"]),  # the whole migration
    ],
    ids=["down-in-place", "up-and-down-in-place", "whole-migration-in-place"],
)
def test_a_build_killed_with_its_migration_in_place_and_a_spec_edited_since_gives_one_chain(
    project: Path, point: str, expected: list[str]
) -> None:
    """Review of issue 10, item 3: killed once the new .down.sql (and .sql) were in place but not the
    state, then the spec edited again: the next build wrote a second migration 0002 beside the
    half-written one and said it succeeded; every later build failed with E061. The half-written
    migration was never part of the chain (no state, not in manifest.json): the next build removes it and
    writes the spec's change as one migration. A migration whose every file was in place is part of the
    chain: the edit is the next one."""
    edit(project, add_column("c31"))
    killed = schemagen(project, "build", fault=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    edit(project, add_column("c32"))
    rebuilt = schemagen(project, "build")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert schemagen(project, "build", "--check").returncode == 0
    stems = sorted({n.split(".")[0] for n in migrations(project)} - {"0001_shop"})
    assert stems == expected
    assert all(
        {f"{stem}{suffix}" for suffix in (".sql", ".down.sql", ".state.json")} <= set(migrations(project))
        for stem in stems
    )
    assert not writer.leftovers(project / "generated")


def test_a_migration_no_manifest_or_journal_vouches_for_says_what_to_do(project: Path) -> None:
    """What a build killed before this version left: a migration in place, the manifest without it."""
    edit(project, add_column("color"))
    before = files(project / "generated")
    manifest = (project / "generated" / "manifest.json").read_bytes()
    assert schemagen(project, "build").returncode == 0
    (project / "generated" / "manifest.json").write_bytes(manifest)
    for args in (("build",), ("build", "--check")):
        result = schemagen(project, *args)
        assert result.returncode == 1
        lines = result.stderr.splitlines()
        assert lines[0] == (
            "generated/migrations/0002_add_column_item_color.down.sql:1:1: E061 file is not in "
            "manifest.json, so nothing proves schemagen "
            "wrote it unedited: if it was put here by hand, or by a build this version could not recover, "
            "and no database has run it, "
            "remove it and build again; otherwise restore manifest.json from version control"
        )
        assert lines[-1] == "schemagen: 3 errors; nothing was written"
    for name in migrations(project):
        if name.startswith("0002_"):
            (project / "generated" / "migrations" / name).unlink()
    assert schemagen(project, "build").returncode == 0  # doing what it says works
    assert files(project / "generated").keys() == before.keys() | {
        f"migrations/0002_add_column_item_color{s}" for s in (".sql", ".down.sql", ".state.json")
    }


# -- item 18: two builds at once ----------------------------------------------


# A build that stops once it has generated everything and is about to write (it holds the lock by
# then), until the test creates the file $RELEASE: the tests wait for events (a line the other run
# prints), never for a fixed time, so a slow machine cannot reorder them. The child wraps
# writer.write, so the pause works on any version of schemagen.
SLOW_WRITE = """
import os, sys, time
from schemagen.chain import writer
real = writer.write
def write(out, outputs):
    print("about to write", file=sys.stderr, flush=True)
    deadline = time.monotonic() + 300
    while not os.path.exists(os.environ["RELEASE"]) and time.monotonic() < deadline:
        time.sleep(0.01)
    return real(out, outputs)
writer.write = write
from schemagen.cli import run
sys.argv[0] = "schemagen"
run()
"""


def _start(cwd: Path, *args: str, held_until: Path | None = None, **env: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", SLOW_WRITE, *args] if held_until is not None else [SCHEMAGEN, *args]
    extra = {"RELEASE": str(held_until)} if held_until is not None else {}
    return subprocess.Popen(
        command, cwd=cwd, env=_env(None, **extra, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _about_to_write(proc: subprocess.Popen[str]) -> None:
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line == "about to write\n", line + proc.stderr.read()


def _waits(proc: subprocess.Popen[str]) -> str:
    """The first line the run prints on stderr, once it says it waits for the lock's holder."""
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.startswith("schemagen: waiting for schemagen (pid "), line + proc.stderr.read()
    return line


def test_a_second_build_waits_for_the_first_and_builds_on_its_migration(project: Path, tmp_path: Path) -> None:
    """Issue 10, item 18: a build that read the chain while another was writing wrote a second
    0002 (after which every build failed with E061), or removed the other's migration."""
    release = tmp_path / "release"
    edit(project, add_column("color"))
    first = _start(project, "build", held_until=release)  # generated 0002, not yet written
    _about_to_write(first)
    edit(project, add_column("size"))  # the spec changes meanwhile
    second = _start(project, "build")
    waited = _waits(second)
    release.touch()
    _out1, err1 = first.communicate(timeout=120)
    _out2, err2 = second.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    assert [m for m in migrations(project) if not m.startswith("0001_")] == [
        "0002_add_column_item_color.down.sql",
        "0002_add_column_item_color.sql",
        "0002_add_column_item_color.state.json",
        "0003_add_column_item_size.down.sql",
        "0003_add_column_item_size.sql",
        "0003_add_column_item_size.state.json",
    ]
    check = schemagen(project, "build", "--check")
    assert check.returncode == 0, check.stderr
    assert waited == f"schemagen: waiting for schemagen (pid {first.pid}), which is using generated/ ...\n"
    assert not lock.lock_path(project / "generated").exists()


def test_a_check_during_a_build_waits_and_sees_its_result(project: Path, tmp_path: Path) -> None:
    release = tmp_path / "release"
    edit(project, add_column("color"))
    building = _start(project, "build", held_until=release)
    _about_to_write(building)
    check = _start(project, "build", "--check")
    _waits(check)
    release.touch()
    assert building.wait(timeout=120) == 0
    _out, err = check.communicate(timeout=120)
    assert check.returncode == 0, err  # not the half-written directory


def test_a_build_that_waits_too_long_stops_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    release = tmp_path / "release"
    edit(project, add_column("color"))
    building = _start(project, "build", held_until=release)
    _about_to_write(building)
    before = files(project / "generated")
    late = schemagen(project, "build", SCHEMAGEN_LOCK_TIMEOUT="0.5")  # the first holds the lock until released
    release.touch()
    assert late.returncode == 1
    assert late.stderr.splitlines()[-1] == (
        f"schemagen: generated/ is still in use by schemagen (pid {building.pid}) after 0.5 s "
        "(SCHEMAGEN_LOCK_TIMEOUT); "
        "nothing was written: run again when it has finished"
    )
    assert files(project / "generated") == before
    assert building.wait(timeout=120) == 0


def test_a_lock_left_by_a_killed_build_blocks_nobody(project: Path) -> None:
    edit(project, add_column("color"))
    killed = schemagen(project, "build", fault="staged")
    assert killed.returncode == -signal.SIGKILL
    assert lock.lock_path(project / "generated").exists()  # its file stays; the kernel dropped the lock
    after = schemagen(project, "build", SCHEMAGEN_LOCK_TIMEOUT="5")
    assert after.returncode == 0, after.stderr
    assert "waiting for" not in after.stderr  # it took the lock at once
    assert not lock.lock_path(project / "generated").exists()


# -- item 27: discarding a migration no database ran --------------------------


def test_discard_removes_the_newest_migration_and_the_next_build_writes_the_edited_one(project: Path) -> None:
    edit(project, add_column("colour"))
    assert schemagen(project, "build").returncode == 0
    gone = [
        "0002_add_column_item_colour.down.sql",
        "0002_add_column_item_colour.sql",
        "0002_add_column_item_colour.state.json",
    ]
    assert set(gone) <= set(migrations(project))

    result = schemagen(project, "discard", "0002_add_column_item_colour")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        *(f"removed generated/migrations/{name}" for name in gone),
        "discarded; edit the spec and run `schemagen build` to write the next migration",
    ]
    assert migrations(project) == ["0001_shop.sql", "0001_shop.state.json"]
    recorded = json.loads((project / "generated" / "manifest.json").read_text())["files"]
    assert not [rel for rel in recorded if "0002_" in rel]

    edit(project, lambda s: s["tables"]["item"]["columns"].update(color=s["tables"]["item"]["columns"].pop("colour")))
    assert schemagen(project, "build").returncode == 0
    assert [m for m in migrations(project) if m.startswith("0002_")] == [
        "0002_add_column_item_color.down.sql",
        "0002_add_column_item_color.sql",
        "0002_add_column_item_color.state.json",
    ]
    assert schemagen(project, "build", "--check").returncode == 0


@pytest.mark.parametrize(
    ("which", "message"),
    [
        (
            "0001_shop",
            (
                "Error: 0001_shop is not the newest migration; only the newest, 0002_add_column_item_color, "
                "can be discarded (one at a time)"
            ),
        ),
        (
            "1",
            (
                "Error: 0001_shop is not the newest migration; only the newest, 0002_add_column_item_color, "
                "can be discarded (one at a time)"
            ),
        ),
        (
            "0007_nothing",
            (
                'Error: no migration is named "0007_nothing"; only the newest, 0002_add_column_item_color, can '
                "be discarded (one at a time)"
            ),
        ),
    ],
)
def test_discard_refuses_anything_but_the_newest(project: Path, which: str, message: str) -> None:
    edit(project, add_column("color"))
    assert schemagen(project, "build").returncode == 0
    before = files(project / "generated")
    result = schemagen(project, "discard", which)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == message
    assert files(project / "generated") == before


def test_discard_refuses_a_migration_edited_by_hand(project: Path) -> None:
    edit(project, add_column("color"))
    assert schemagen(project, "build").returncode == 0
    sql = project / "generated" / "migrations" / "0002_add_column_item_color.sql"
    sql.write_text(sql.read_text() + "-- applied to staging with this edit\n")
    before = files(project / "generated")
    result = schemagen(project, "discard", "2")
    assert result.returncode == 1
    assert "E061 migration was edited by hand" in result.stderr
    assert files(project / "generated") == before


@pytest.mark.parametrize("point", ["journal", "removed", "replaced-1"])
def test_a_discard_killed_half_way_leaves_a_chain_the_next_build_accepts(project: Path, point: str) -> None:
    edit(project, add_column("color"))
    assert schemagen(project, "build").returncode == 0
    killed = schemagen(project, "discard", "2", fault=point)
    assert killed.returncode == -signal.SIGKILL
    rebuilt = schemagen(project, "build")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert schemagen(project, "build", "--check").returncode == 0
    names = migrations(project)
    # discarded and written again, or kept: whole either way
    assert names.count("0002_add_column_item_color.sql") == 1 and len(names) == 5
    assert not writer.leftovers(project / "generated")
