"""Time schemagen in fresh processes, as a user and pre-commit run it.

    python benchmarks/run.py                     # 5 runs of each case, sizes 10, 100, 1000
    python benchmarks/run.py --runs 1 --sizes 10 --one-file 20 --results /tmp/r.json

Every case is a new `schemagen` process (interpreter start-up and imports
included); the median of the runs is reported, with the peak resident memory of
the process (`ru_maxrss` from wait4). Cases:

- `schemagen --help`, and `schemagen build` on a copy of the project's spec/;
- for each size N, on a spec from make_spec.py: `build` into an empty output
  directory, `build` again with nothing changed (which must rewrite no file:
  checked by modification times), and `build --check`;
- `schemagen lint` on the largest size;
- `schemagen import` of a database holding the 1,000-table spec, migrated (`--import-tables`; a private
  embedded PostgreSQL, as benchmarks/import_read.py starts it);
- for each size of `--one-file` (default 1,000 and 4,000): `build` of a spec
  whose tables are all in one file (one module), where a step that grows
  faster than the number of tables shows most (issue 10 found one).

A command that this version of schemagen does not have (yet) is reported as
skipped, not as a failure. Prints a Markdown table and writes results.json
with the machine it ran on. Not part of the test suite's pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import import_read

PYPROJECT = '[tool.schemagen]\nspec_dir = "spec"\nout_dir = "generated"\n'
README_START = "<!-- benchmark:start -->"
README_END = "<!-- benchmark:end -->"

# Seconds (and MB) a case should stay under on a 2-core machine (issue 7).
TARGETS: dict[tuple[str, int | None], tuple[float, float | None]] = {
    ("--help", None): (0.15, None),
    ("build", None): (0.35, None),
    ("build", 1000): (3.0, 250.0),
    ("build --check", 1000): (2.5, None),
    ("import", 1000): (10.0, None),  # issue 14
}
MAX_RATIO = 12.0  # 1000 tables may take at most 12x as long as 100
MAX_ONE_FILE_RATIO = 5.0  # 4x the tables in one file: linear is 4x, a quadratic step makes it up to 16x


@dataclass
class Case:
    label: str  # the command as shown, e.g. "build --check"
    tables: int | None  # None: the project's own spec
    args: list[str]
    cwd: Path | None = None
    clean_output: bool = False  # remove generated/ before each run
    ok_codes: tuple[int, ...] = (0,)
    one_file: bool = False  # every table in one spec file


@dataclass
class Row:
    command: str
    spec: str
    tables: int | None
    one_file: bool = False
    runs: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds: steadier than wall time on a shared machine
    peak_mb: list[float] = field(default_factory=list)
    median_s: float | None = None
    median_cpu_s: float | None = None
    min_s: float | None = None
    max_peak_mb: float | None = None
    target_s: float | None = None
    target_mb: float | None = None
    ok: bool | None = None
    note: str = ""


def schemagen_command(explicit: str | None) -> list[str]:
    if explicit:
        return [explicit]
    beside = Path(sys.executable).parent / "schemagen"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("schemagen")
    if found:
        return [found]
    raise SystemExit("run.py: no `schemagen` executable beside this Python or on PATH; pip install -e . first")


# Timed processes run as a user's would: Python keeps compiled bytecode
# (__pycache__), which an environment may have turned off (this one did).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(cmd: list[str], cwd: Path | None) -> tuple[float, float, float, int, str]:
    """Wall seconds, CPU seconds (user + system), peak RSS in MB, exit status and stderr of one fresh process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return (
            elapsed,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,
            proc.returncode,
            err.read().decode("utf-8", "replace"),
        )


def has_command(schemagen: list[str], name: str) -> bool:
    if name.startswith("-"):
        return True
    code = run_once([*schemagen, name, "--help"], None)[3]
    return code == 0


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, inode) of every file: an atomic rewrite changes the inode even within one mtime tick."""
    return {
        str(p.relative_to(directory)): (p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def project(
    workdir: Path, name: str, spec_files: list[Path] | None = None, tables: int | None = None, one_file: bool = False
) -> Path:
    root = workdir / name
    if root.exists():
        shutil.rmtree(root)
    (root / "spec").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    if spec_files is not None:
        for f in spec_files:
            shutil.copy2(f, root / "spec" / f.name)
    else:
        assert tables is not None
        # in a child process: a spec of thousands of tables built here would stay in this process's
        # memory, and every timed process forked from it would start with that as its peak RSS
        args = [sys.executable, str(HERE / "make_spec.py"), "--tables", str(tables), "--out", str(root / "spec")]
        subprocess.run([*args, "--one-file"] if one_file else args, check=True, capture_output=True)
    return root


def measure(schemagen: list[str], case: Case, runs: int) -> Row:
    shown = (
        ""
        if case.cwd is None
        else "project spec/"
        if case.tables is None
        else f"{case.tables} tables" + (", one file" if case.one_file else "")
    )
    row = Row(case.label, shown, case.tables, case.one_file)
    target = None if case.one_file else TARGETS.get((case.label, case.tables))
    if target:
        row.target_s, row.target_mb = target
    sub = case.args[0]
    if not has_command(schemagen, sub):
        row.note = f"skipped: `schemagen {sub}` does not exist in this version yet"
        return row
    out = case.cwd / "generated" if case.cwd else None
    before = snapshot(out) if out is not None and case.label == "build (no change)" else None
    for _ in range(runs):
        if case.clean_output and out is not None:
            shutil.rmtree(out, ignore_errors=True)
        seconds, cpu, mb, code, stderr = run_once([*schemagen, *case.args], case.cwd)
        if code not in case.ok_codes:
            row.note = f"failed: exit {code}: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}"
            row.ok = False
            return row
        row.runs.append(round(seconds, 4))
        row.cpu.append(round(cpu, 4))
        row.peak_mb.append(round(mb, 1))
    row.median_s = round(statistics.median(row.runs), 4)
    row.median_cpu_s = round(statistics.median(row.cpu), 4)
    row.min_s = min(row.runs)
    row.max_peak_mb = max(row.peak_mb)
    if before is not None and out is not None:
        after = snapshot(out)
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        row.note = "no file rewritten" if not changed else f"REWROTE {len(changed)} file(s): {', '.join(changed[:3])}"
        if changed:
            row.ok = False
    if target and row.ok is None:
        row.ok = row.median_s <= target[0] and (target[1] is None or row.max_peak_mb <= target[1])
    return row


def cases(workdir: Path, sizes: list[int], one_file: tuple[int, ...] | list[int] = ()) -> list[Case]:
    spec_files = sorted((REPO / "spec").glob("*.yaml"))
    proj = project(workdir, "project", spec_files=spec_files)
    result = [
        Case("--help", None, ["--help"]),
        Case("build", None, ["build"], proj, clean_output=True),
    ]
    for n in sizes:
        root = project(workdir, f"tables_{n}", tables=n)
        result += [
            Case("build", n, ["build"], root, clean_output=True),
            Case("build (no change)", n, ["build"], root),
            Case("build --check", n, ["build", "--check"], root),
        ]
    largest = max(sizes)
    # lint reports findings with exit 1; only a crash (2) is a failure
    result.append(Case("lint", largest, ["lint"], workdir / f"tables_{largest}", ok_codes=(0, 1)))
    for n in one_file:
        root = project(workdir, f"one_file_{n}", tables=n, one_file=True)
        result.append(Case("build", n, ["build"], root, clean_output=True, one_file=True))
    return result


def machine() -> dict[str, object]:
    info: dict[str, object] = {
        "bytecode_cache": "on (PYTHONDONTWRITEBYTECODE cleared for the timed processes)"
        if "PYTHONDONTWRITEBYTECODE" in os.environ
        else "on",
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpus": os.cpu_count(),
    }
    try:
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not Linux
        pass
    from importlib import metadata

    info["packages"] = {}
    for pkg in ("schemagen", "pydantic", "pydantic-core", "jinja2", "pglast", "pyyaml", "click"):
        try:
            info["packages"][pkg] = metadata.version(pkg)  # type: ignore[index]
        except metadata.PackageNotFoundError:
            pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        info["commit"] = commit
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


def ratio(rows: list[Row], label: str, big: int, small: int, one_file: bool = False) -> float | None:
    by = {(r.command, r.tables, r.one_file): r.median_s for r in rows}
    a, b = by.get((label, big, one_file)), by.get((label, small, one_file))
    return round(a / b, 2) if a and b else None


def table(rows: list[Row], ratios: dict[str, tuple[float | None, float]], runs: int) -> str:
    lines = [
        "| command | spec | median s | min s | CPU s | peak MB | target | |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        target = ""
        if r.target_s is not None:
            target = f"< {r.target_s} s" + (f", < {r.target_mb:.0f} MB" if r.target_mb else "")
        verdict = {True: "ok", False: "**over**", None: ""}[r.ok]
        if r.note:
            verdict = f"{verdict} {r.note}".strip()
        fmt = lambda v, spec: "" if v is None else format(v, spec)
        lines.append(
            f"| `schemagen {r.command}` | {r.spec} | {fmt(r.median_s, '.3f')} | {fmt(r.min_s, '.3f')} | "
            f"{fmt(r.median_cpu_s, '.3f')} | {fmt(r.max_peak_mb, '.0f')} | {target} | {verdict} |"
        )
    for name, (value, limit) in ratios.items():
        if value is not None:
            lines.append(f"\n{name}: {value}x (target <= {limit:g}x: {'ok' if value <= limit else '**over**'})")
    lines.append(
        f"\nWall time: median and fastest of {runs} fresh processes per case; CPU: median user + system "
        "time; peak: largest resident set."
    )
    return "\n".join(lines)


def update_readme(readme: Path, text: str, command: str, info: dict[str, object]) -> None:
    content = readme.read_text(encoding="utf-8")
    if README_START not in content or README_END not in content:
        raise SystemExit(f"run.py: {readme} has no {README_START} ... {README_END} block")
    head, rest = content.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    where = (
        f"{info.get('cpu', info['machine'])}, {info.get('cpus_usable', info['cpus'])} cores, Python {info['python']}"
    )
    block = f"{README_START}\n```sh\n{command}\n```\n\n{text}\n\nMachine: {where}.\n{README_END}"
    readme.write_text(head + block + tail, encoding="utf-8")


def measure_and_say(schemagen: list[str], case: Case, runs: int) -> Row:
    row = measure(schemagen, case, runs)
    shown = f"{row.median_s:.3f} s, {row.max_peak_mb:.0f} MB" if row.median_s is not None else row.note
    print(f"  schemagen {case.label:<18} {row.spec:<14} {shown}", file=sys.stderr, flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time schemagen in fresh processes.")
    parser.add_argument("--runs", type=int, default=5, help="runs per case (median reported)")
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated table counts")
    parser.add_argument(
        "--one-file", default="1000,4000", help="comma-separated table counts of specs in one file (empty: none)"
    )
    parser.add_argument(
        "--import-tables", default="1000", help="table count of the database `schemagen import` reads (empty: none)"
    )
    parser.add_argument("--results", type=Path, default=HERE / "results.json", help="where to write the JSON results")
    parser.add_argument(
        "--workdir", type=Path, help="where generated specs and outputs go (default: a temporary directory)"
    )
    parser.add_argument("--schemagen", help="the schemagen executable (default: beside this Python, else on PATH)")
    parser.add_argument(
        "--update-readme", action="store_true", help="replace the table in README.md's Performance section"
    )
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    one_file = sorted({int(s) for s in args.one_file.split(",") if s.strip()})
    schemagen = schemagen_command(args.schemagen)

    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="schemagen-bench-")
        workdir = Path(tmp.name)
    else:
        workdir = args.workdir
        workdir.mkdir(parents=True, exist_ok=True)
    try:
        run_once([*schemagen, "--help"], None)  # warm the OS cache and bytecode; not counted
        rows = []
        for case in cases(workdir, sizes, one_file):
            rows.append(measure_and_say(schemagen, case, args.runs))
        for n in sorted({int(s) for s in args.import_tables.split(",") if s.strip()}):
            with import_read.database(n, workdir / f"import_{n}") as url:
                out = workdir / f"import_{n}" / "imported"
                case = Case("import", n, ["import", "--database-url", url, "--out", str(out)], workdir)
                rows.append(measure_and_say(schemagen, case, args.runs))
    finally:
        if tmp is not None:
            tmp.cleanup()

    ratios: dict[str, tuple[float | None, float]] = {}
    if 100 in sizes and 1000 in sizes:
        ratios["build 1000 / 100 tables"] = (ratio(rows, "build", 1000, 100), MAX_RATIO)
    if 1000 in one_file and 4000 in one_file:
        ratios["build 4000 / 1000 tables in one file"] = (
            ratio(rows, "build", 4000, 1000, one_file=True),
            MAX_ONE_FILE_RATIO,
        )
    text = table(rows, ratios, args.runs)
    print(text)
    info = machine()
    results = {
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "runs": args.runs,
        "sizes": sizes,
        "one_file": one_file,
        "machine": info,
        "ratios": {name: value for name, (value, _limit) in ratios.items()},
        "max_ratio": MAX_RATIO,
        "max_one_file_ratio": MAX_ONE_FILE_RATIO,
        "rows": [asdict(r) for r in rows],
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.update_readme:
        update_readme(REPO / "README.md", text, results["command"].strip(), info)
    failed = [r for r in rows if r.note.startswith("failed")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
