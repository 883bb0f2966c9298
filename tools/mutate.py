"""Mutation testing of schemagen: does the suite notice when the code is wrong? Not part of CI.

    python tools/mutate.py                       # a deterministic sample of every module in MODULES, report
    python tools/mutate.py --per-module 0        # every mutant (hours)
    python tools/mutate.py --only diff/tables.py --per-module 5 --json /tmp/mutants.json

Each mutant is one small change to one line of a copy of the source (below, OPERATORS): a comparison
flipped (`<` to `<=`, `==` to `!=`, `in` to `not in`), a condition negated or removed (`and` to `or`, one
side of an `and` dropped, `not` removed), a constant changed (an integer + 1, True to False), a
statement removed (a call, `x += ...`, `continue`), the branches of an `if`/`else` swapped, `+` and `-`
swapped. The mutants are made from the AST, put back in the source text, and applied one at a time
to a scratch copy of the repository (the worktree is never touched); each runs the tests that cover
its line, found by one run of the mapped tests under coverage with a context per test (MAPPING),
fastest first and up to BUDGET_S seconds of them, with pytest-xdist, stopping at the first failure.
Left out: tests marked `golden` (their only judge is a committed file that `schemagen build` would
rewrite) and tests that judge durations. A mutant is killed when a test fails (or errors, or runs
past the time limit), survives otherwise; one no mapped test runs survives too ("not covered").
EQUIVALENT lists the mutants that cannot change what schemagen does, with the reason; they are left
out of the score.

The sample is deterministic (`--seed`): the same source gives the same mutants. Needs `coverage`
(the `mutate` extra) besides the test extras; one PostgreSQL server serves every run (started here,
or SCHEMAGEN_TEST_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import ast
import copy
import dataclasses
import hashlib
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

README = REPO / "README.md"
README_START, README_END = "<!-- mutation:start -->", "<!-- mutation:end -->"

# The modules under test (paths in generator/), each with the test files that judge it.
DIFF_TESTS = [
    "test_diff_cases.py",
    "test_refusals.py",
    "test_migration_safety.py",
    "test_partition_moves.py",
    "test_chain.py",
    "test_broken_specs.py",
    "test_migration_phases.py",
]
MAPPING: dict[str, list[str]] = {
    "diff/": DIFF_TESTS,
    "pg/quoting.py": ["test_quoting.py", "test_reserved_words.py", "test_diff_cases.py", "test_fragments_pg.py"],
    "models/": [
        "test_models.py",
        "test_models_db.py",
        "test_models_checks_pg.py",
        "test_reserved_words.py",
        "test_speed.py",
    ],
    "lint/": [
        "test_lint_rules.py",
        "test_lint_pg.py",
        "test_lint_project.py",
        "test_lint_suppress.py",
        "test_chain.py",
    ],
}
# Tests that judge durations: a mutant may slow the code without being wrong, and the machine is shared.
NOT_JUDGES = ["grows_linearly"]
TIME_LIMIT_S = 900
BUDGET_S = 120  # of test time per mutant, fastest tests first (chosen_tests)

# Mutants that cannot change what schemagen does, by id (see Mutant.id), with the reason.
_UNUSED_NAME = "the name of a refused or empty migration is never used (chain/history.py raises or writes nothing)"
EQUIVALENT: dict[str, str] = {
    "diff/__init__.py:and/or swapped:708725ad4a": _UNUSED_NAME,
    "diff/__init__.py:condition removed:82129dd766": _UNUSED_NAME,
    "diff/__init__.py:condition removed:5f0e5e2051": _UNUSED_NAME,
    # `t1 is None or name in ctx.names.table` -> `and`: _dropped's loop runs only when applied() found no sign
    # before it, so no table is dropped (t1 is never None: a dropped table is the first sign of _dropped) and none
    # renamed (a renamed table is a sign of _created): both sides of the condition are False.
    "diff/guard.py:and/or swapped:7e349f47af": "unreachable difference: no dropped and no renamed table get there",
    # _import_key: Classes 1 -> 2, the functions' group. Every imported name is an ASCII identifier (library names,
    # enum classes from spec names matching ^[a-z0-9_]+$), and A-Z sort before `_` and a-z: by name alone a Class
    # already comes before every function.
    "models/imports.py:constant changed (off by one):0bf394449c": "ASCII names already sort Classes first",
    # key_node: `c.kind in ("primary_key", "unique") and` removed. Inline constraints are keys and CHECKs only, a
    # CHECK has no columns (ir.Constraint.columns is () for it, resolve/tables.py) and a foreign key references at
    # least one column (resolve/foreign_keys.py): no CHECK can match the referenced columns.
    "diff/tables.py:condition removed:17056c1266": "only a key can have the referenced columns",
    # frozen=True -> False on a dataclass (one id per module: the decorator's text is the same on every class). The
    # flag only guards against a mistake: these objects are made once, kept in lists and read by the templates;
    # none is hashed, used as a key or assigned to (checked: the RLS, trigger and models tests pass with it).
    "diff/statements.py:constant changed:b4e079ac7e": "statements are never hashed or assigned to",
    "models/viewmodel.py:constant changed:b4e079ac7e": "view objects are never hashed or assigned to",
    "models/modules.py:constant changed:b4e079ac7e": "Models, render()'s result, is never hashed or assigned to",
    # RELEASE_RANK trigger 2 -> 3, the foreign keys' rank: the ranks order only steps no edge orders; a trigger and
    # a foreign key never use each other, so only the order of their two drops in the same transaction changes.
    "diff/steps.py:constant changed (off by one):4b36ebe4da": "reorders two independent drops in one transaction",
}


@dataclasses.dataclass(frozen=True)
class Mutant:
    module: str  # path in generator/
    line: int
    col: int
    end_line: int
    end_col: int
    operator: str
    before: str
    after: str

    @property
    def id(self) -> str:
        """Stable while the line's text stays: module, operator, column and the text before and after."""
        digest = hashlib.sha256(f"{self.col}\0{self.before}\0{self.after}".encode()).hexdigest()[:10]
        return f"{self.module}:{self.operator}:{digest}"

    def shown(self) -> str:
        before, after = (" ".join(t.split()) for t in (self.before, self.after))
        return f"{self.module}:{self.line} {self.operator}: {before[:90]}  ->  {after[:90]}"


# -- making mutants ---------------------------------------------------------------------------------------------------

FLIP = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


def variants(node: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    """(operator, replacement) for each mutant of `node` itself."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in FLIP:
        yield "comparison flipped", ast.Compare(node.left, [FLIP[type(node.ops[0])]()], node.comparators)
    elif isinstance(node, ast.BoolOp):
        yield "and/or swapped", ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values)
        for i in range(len(node.values)):
            rest = node.values[:i] + node.values[i + 1 :]
            yield "condition removed", rest[0] if len(rest) == 1 else ast.BoolOp(node.op, rest)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "negation removed", node.operand
    elif isinstance(node, ast.IfExp):
        yield "branches swapped", ast.IfExp(node.test, node.orelse, node.body)
        yield "condition negated", ast.IfExp(_negated(node.test), node.body, node.orelse)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        yield (
            "arithmetic swapped",
            ast.BinOp(node.left, ast.Sub() if isinstance(node.op, ast.Add) else ast.Add(), node.right),
        )
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield "constant changed", ast.Constant(not node.value)
    elif isinstance(node, ast.Constant) and isinstance(node.value, int):
        yield "constant changed (off by one)", ast.Constant(node.value + 1)


def statement_variants(node: ast.stmt) -> Iterator[tuple[str, ast.AST]]:
    removable = isinstance(node, (ast.AugAssign, ast.Continue, ast.Break))
    if removable or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        yield "statement removed", ast.Pass()
    elif isinstance(node, (ast.If, ast.While)):
        yield "condition negated", type(node)(_negated(node.test), node.body, node.orelse)  # type: ignore[call-arg]
        if isinstance(node, ast.If) and node.orelse:
            yield "branches swapped", ast.If(node.test, node.orelse, node.body)


def _negated(test: ast.expr) -> ast.expr:
    return (
        test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) else ast.UnaryOp(ast.Not(), test)
    )


def _skipped(tree: ast.Module) -> set[int]:
    """ids of nodes no mutant touches: docstrings, annotations, `if TYPE_CHECKING`, `__all__`."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        annotations: list[ast.AST | None] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            annotations = [node.returns, *(a.annotation for a in ast.walk(node.args) if isinstance(a, ast.arg))]
        elif isinstance(node, ast.AnnAssign):
            annotations = [node.annotation]
        elif _type_checking(node) or _all(node):
            annotations = [node]
        for sub in annotations:
            if sub is not None:
                skip.update(id(n) for n in ast.walk(sub))
    return skip


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _all(node: ast.AST) -> bool:
    return isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)


def mutants_of(module: str, source: str) -> list[Mutant]:
    tree = ast.parse(source)
    skip = _skipped(tree)
    lines = source.splitlines(keepends=True)
    found: list[Mutant] = []
    for node in ast.walk(tree):
        if id(node) in skip or not hasattr(node, "lineno") or node.end_lineno is None:
            continue
        made = statement_variants(node) if isinstance(node, ast.stmt) else variants(node)
        for operator, replacement in made:
            before = _segment(lines, node)
            after = _text(replacement, node)
            if after != before:
                found.append(
                    Mutant(
                        module,
                        node.lineno,
                        node.col_offset,
                        node.end_lineno,
                        node.end_col_offset,
                        operator,
                        before,
                        after,
                    )
                )
    return sorted(set(found), key=lambda m: (m.line, m.col, m.operator, m.after))


def _segment(lines: list[str], node: ast.AST) -> str:
    first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
    if first == last:
        return lines[first][node.col_offset : node.end_col_offset]  # type: ignore[attr-defined]
    return lines[first][node.col_offset :] + "".join(lines[first + 1 : last]) + lines[last][: node.end_col_offset]  # type: ignore[attr-defined]


def _text(replacement: ast.AST, original: ast.AST) -> str:
    text = ast.unparse(ast.fix_missing_locations(copy.deepcopy(replacement)))
    if isinstance(original, ast.stmt):  # continuation lines keep the statement's indentation
        text = text.replace("\n", "\n" + " " * original.col_offset)
    elif "\n" not in text:
        text = f"({text})"  # an expression in place of another keeps its precedence
    return text


def applied(source: str, m: Mutant) -> str:
    lines = source.splitlines(keepends=True)
    head = "".join(lines[: m.line - 1]) + lines[m.line - 1][: m.col]
    tail = lines[m.end_line - 1][m.end_col :] + "".join(lines[m.end_line :])
    return head + m.after + tail


# -- the scratch copy, coverage and runs ------------------------------------------------------------------------------


def scratch_copy(root: Path, tests_from: Path = REPO) -> Path:
    """The repository's source, tests and committed outputs under `root`, the package importable as `schemagen`
    from root/site (PYTHONPATH): what the runs test, so that the worktree is never changed. The tests may come
    from another checkout (`--tests-from`: the suite of an older commit, judging today's code)."""
    ignore = shutil.ignore_patterns(".venv", "node_modules", "__pycache__", ".git", "site", "*.egg-info")
    shutil.copytree(tests_from / "tests", root / "tests", ignore=ignore)
    for name in ("spec", "generated", "benchmarks", "tools"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    for name in ("pyproject.toml", "package.json", "package-lock.json", "mkdocs.yml"):
        shutil.copy2(REPO / name, root / name)
    shutil.copytree(REPO / "generator", root / "site" / "schemagen", ignore=ignore)
    shutil.copytree(REPO / "templates", root / "site" / "schemagen" / "templates", ignore=ignore)
    return root


def environment(root: Path, db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV", "PYTEST_"))}
    reference = REPO.parent / "shared" / "reference" / "migration_0024_sync_operations.md"
    return env | {
        "PYTHONPATH": os.pathsep.join([str(root / "site"), str(REPO / "tools")]),
        "SCHEMAGEN_TEST_DATABASE_URL": db_url,
        "SCHEMAGEN_REFERENCE": os.environ.get("SCHEMAGEN_REFERENCE", str(reference)),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def pytest(
    root: Path, env: dict[str, str], tests: list[str], workers: int, *extra: str
) -> subprocess.CompletedProcess[str]:
    deselect = " and ".join(f"not {k}" for k in NOT_JUDGES + env.get("MUTATE_NOT", "").split())
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", "-m", "not golden", "-k", deselect,
        "-n", str(workers), "--dist", "loadgroup", *extra, *tests,
    ]  # fmt: skip
    try:
        return subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, timeout=TIME_LIMIT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, -9, "", "timed out")


# Loaded into the coverage run's pytest processes (`-p mutate`): one coverage context per test.
_coverage: Any = None


def pytest_configure(config: Any) -> None:
    global _coverage
    data = os.environ.get("MUTATE_COVERAGE")
    if data:
        import coverage

        _coverage = coverage.Coverage(data_file=data, data_suffix=True, source=[os.environ["MUTATE_SOURCE"]])
        _coverage.start()


def pytest_runtest_setup(item: Any) -> None:
    if _coverage is not None:
        _coverage.switch_context(item.nodeid)


def pytest_unconfigure(config: Any) -> None:
    if _coverage is not None:
        _coverage.stop()
        _coverage.save()


def coverage_map(
    root: Path, env: dict[str, str], tests: list[str], workers: int
) -> tuple[dict[tuple[str, int], set[str]], dict[str, float]]:
    """(module, line) -> the test node ids that run it, from one run of `tests` under coverage; and each test's
    duration in that run."""
    import coverage

    data_file = root / ".mutate-coverage"
    junit = root / ".mutate-junit.xml"
    source = root / "site" / "schemagen"
    run_env = env | {"MUTATE_COVERAGE": str(data_file), "MUTATE_SOURCE": str(source)}
    done = pytest(root, run_env, tests, workers, "-p", "mutate", f"--junit-xml={junit}")
    if done.returncode != 0:
        raise SystemExit(f"the mapped tests fail without any mutant:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")
    combined = coverage.Coverage(data_file=str(data_file))
    combined.combine(data_paths=[str(root)])
    data = combined.get_data()
    found: dict[tuple[str, int], set[str]] = {}
    for filename in data.measured_files():
        module = Path(filename).relative_to(source).as_posix()
        for line, contexts in data.contexts_by_lineno(filename).items():
            found[(module, line)] = {c for c in contexts if c}
    durations = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        path = case.get("classname", "").replace(".", "/") + ".py"
        durations[f"{path}::{case.get('name')}"] = float(case.get("time") or 0)
    return found, durations


def file_keys(root: Path, env: dict[str, str], tests: list[str]) -> dict[str, str]:
    """A key per test file that changes when the file, the source or anything else under tests/ (helpers, data:
    everything but the other test_*.py files) changes."""
    shared = hashlib.sha256(" ".join(sorted(env.get("MUTATE_NOT", "").split())).encode())
    for path in sorted((root / "site").rglob("*")) + sorted((root / "tests").rglob("*")):
        if path.is_file() and not path.name.startswith("test_"):
            shared.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return {t: hashlib.sha256(shared.digest() + t.encode() + (root / t).read_bytes()).hexdigest() for t in tests}


def cached_coverage_map(
    cache: Path | None, root: Path, env: dict[str, str], tests: list[str], workers: int
) -> tuple[dict[tuple[str, int], set[str]], dict[str, float]]:
    """coverage_map, kept per test file in `cache` (--coverage-cache): a later run maps again only the test files
    whose key (file_keys) changed, so that a re-run of the survivors after a test was added to one file is quick."""
    keys = file_keys(root, env, tests)
    files: dict[str, Any] = json.loads(cache.read_text(encoding="utf-8"))["files"] if cache and cache.is_file() else {}
    stale = [t for t in tests if files.get(t, {}).get("key") != keys[t]]
    if stale:
        covered, durations = coverage_map(root, env, stale, workers)
        files |= {t: {"key": keys[t], "covered": {}, "durations": {}} for t in stale}
        for (module, line), found in covered.items():
            for test in found:
                if test.split("::")[0] in stale:
                    lines = files[test.split("::")[0]]["covered"].setdefault(module, {})
                    lines.setdefault(str(line), []).append(test)
        for test, seconds in durations.items():
            if test.split("::")[0] in stale:
                files[test.split("::")[0]]["durations"][test] = seconds
        if cache is not None:
            cache.write_text(json.dumps({"files": files}), encoding="utf-8")
    print(f"coverage: {len(stale)} test files mapped, {len(tests) - len(stale)} from the cache", flush=True)
    merged: dict[tuple[str, int], set[str]] = {}
    durations = {}
    for t in tests:
        for module, lines in files[t]["covered"].items():
            for line, found in lines.items():
                merged.setdefault((module, int(line)), set()).update(found)
        durations |= files[t]["durations"]
    return merged, durations


def imported_lines(source: str) -> set[int]:
    """The lines that run when the module is imported (outside every function body: module and class bodies,
    decorators, defaults). Coverage gives them no test's context, yet every test that imports the module runs them."""
    lines = set(range(1, len(source.splitlines()) + 1))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            body = node.body if isinstance(node.body, list) else [node.body]
            lines -= set(range(body[0].lineno, body[-1].end_lineno + 1))  # type: ignore[operator]
    return lines


def chosen_tests(tests: set[str], durations: dict[str, float], budget: float = BUDGET_S) -> list[str]:
    """The tests to run for a mutant: fastest first (with -x, a kill is found soon), up to BUDGET_S of them as the
    coverage run timed them (a mutant that only a slower test would kill counts as surviving)."""
    ordered = sorted(tests, key=lambda t: (durations.get(t, 1.0), t))
    chosen, spent = [], 0.0
    for test in ordered:
        spent += durations.get(test, 1.0)
        if chosen and spent > budget:
            break
        chosen.append(test)
    return chosen


def modules_of(prefix: str) -> list[str]:
    """The modules (paths in generator/) a MAPPING key names: a package's, or one."""
    paths = (
        sorted((REPO / "generator" / prefix).glob("*.py")) if prefix.endswith("/") else [REPO / "generator" / prefix]
    )
    return [p.relative_to(REPO / "generator").as_posix() for p in paths]


def tests_for(module: str) -> list[str]:
    return next((tests for prefix, tests in MAPPING.items() if module.startswith(prefix)), [])


def sample(modules: list[str], seed: int, per_module: int) -> list[Mutant]:
    """`per_module` mutants of each module (0: all), in rounds (each module's first, then each one's second...).
    Each module's mutants are shuffled by their own generator, seeded by `seed` and the module's path, and the
    sample takes the first ones: a smaller sample is part of a larger one, and a run cut short after some rounds
    holds the sample of that many per module."""
    picks = []
    for module in modules:
        every = mutants_of(module, (REPO / "generator" / module).read_text(encoding="utf-8"))
        shuffled = random.Random(f"{seed}:{module}").sample(every, len(every))
        picks.append(shuffled if per_module == 0 else shuffled[:per_module])
    return [m for round_ in itertools.zip_longest(*picks) for m in round_ if m is not None]


def run(args: argparse.Namespace) -> dict[str, Any]:
    import pg

    modules = sorted(module for prefix in MAPPING for module in modules_of(prefix))
    if args.only:
        modules = [m for m in modules if any(m.startswith(o) for o in args.only)]
    chosen = sample(modules, args.seed, args.per_module)
    gone: list[dict[str, Any]] = []
    if args.again:  # the survivors of an earlier run, found again by id in today's source, judged by today's tests
        earlier = [r for r in json.loads(args.again.read_text(encoding="utf-8"))["mutants"] if r["verdict"] != "killed"]
        now = {
            m.id: m
            for module in sorted({r["module"] for r in earlier})
            for m in mutants_of(module, (REPO / "generator" / module).read_text(encoding="utf-8"))
        }
        gone = [{**r, "verdict": "gone"} for r in earlier if r["id"] not in now]  # its line changed: a fix
        for r in gone:
            print(f"gone (its line changed): {r['id']}", flush=True)
        chosen = [now[r["id"]] for r in earlier if r["id"] in now]
    modules = sorted({m.module for m in chosen})  # only these modules' tests are mapped
    print(f"{len(chosen)} mutants of {len(modules)} modules", flush=True)
    with tempfile.TemporaryDirectory(prefix="schemagen-mutate-") as name, _server(Path(name)) as db_url:
        pg.ensure_roles(db_url)
        root = scratch_copy(Path(name) / "repo", args.tests_from)
        env = environment(root, db_url) | {"MUTATE_NOT": " ".join(args.not_tests)}
        all_tests = sorted({f"tests/{t}" for m in modules for t in tests_for(m) if (root / "tests" / t).is_file()})
        judges: dict[str, list[str]] = json.loads(args.judges.read_text(encoding="utf-8")) if args.judges else {}
        covered: dict[tuple[str, int], set[str]] = {}
        durations: dict[str, float] = {}
        if any(m.id not in judges and m.id not in EQUIVALENT for m in chosen):
            began = time.monotonic()
            covered, durations = cached_coverage_map(args.coverage_cache, root, env, all_tests, args.workers)
            print(f"coverage of {len(all_tests)} test files: {time.monotonic() - began:.0f} s", flush=True)
        results = list(gone)
        at_import: dict[str, set[int]] = {}
        for i, m in enumerate(chosen, 1):
            path = root / "site" / "schemagen" / m.module
            original = path.read_text(encoding="utf-8")
            mapped = {f"tests/{t}" for t in tests_for(m.module)}
            running = {t for line in range(m.line, m.end_line + 1) for t in covered.get((m.module, line), ())}
            if m.line in at_import.setdefault(m.module, imported_lines(original)):  # every test runs it
                running = set(durations)
            tests = judges.get(m.id) or chosen_tests(
                {t for t in running if t.split("::")[0] in mapped},
                durations,
                args.budget,
            )
            started = time.monotonic()
            if m.id in EQUIVALENT and not args.keep_equivalent:
                verdict = "equivalent"
            elif not tests:
                verdict = "survived (not covered)"
            else:
                path.write_text(applied(original, m), encoding="utf-8")
                try:
                    done = pytest(root, env, tests, args.workers if len(tests) >= 8 else 0)
                finally:
                    path.write_text(original, encoding="utf-8")
                verdict = "survived" if done.returncode in (0, 5) else "killed"
            seconds = time.monotonic() - started
            results.append({**dataclasses.asdict(m), "id": m.id, "verdict": verdict, "tests": len(tests), "s": seconds})
            print(f"[{i}/{len(chosen)}] {verdict:<22} {seconds:5.0f} s {len(tests):4} tests  {m.shown()}", flush=True)
            if args.json:  # as it goes: a run cut short keeps the mutants it judged (whole rounds: see sample)
                done_so_far = {
                    "seed": args.seed,
                    "per_module": args.per_module,
                    "budget": args.budget,
                    "mutants": results,
                }
                args.json.write_text(json.dumps(done_so_far, indent=1) + "\n", encoding="utf-8")
    judges = str(args.judges.resolve().relative_to(REPO)) if args.judges else None
    return {
        "seed": args.seed,
        "per_module": args.per_module,
        "budget": args.budget,
        "judges": judges,
        "mutants": results,
    }


class _server:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.context: Any = None

    def __enter__(self) -> str:
        import pg

        url = os.environ.get("SCHEMAGEN_TEST_DATABASE_URL")
        if url:
            return url
        (self.workdir / "pg").mkdir()
        self.context = pg.postgres_server(self.workdir / "pg")
        return str(self.context.__enter__().url)

    def __exit__(self, *exc: object) -> None:
        if self.context is not None:
            self.context.__exit__(*exc)


LEFT_OUT = ("equivalent", "gone")  # out of the score: cannot change behaviour; or the mutated line was fixed


def merged(paths: list[Path]) -> dict[str, Any]:
    """The runs' mutants, a later run's verdict replacing an earlier one's; EQUIVALENT applied as it is now."""
    by_key: dict[str, dict[str, Any]] = {}  # by id: a mutant keeps it when lines above it change
    for path in paths:
        for r in json.loads(path.read_text(encoding="utf-8"))["mutants"]:
            by_key[r["id"]] = r
    mutants = []
    for r in by_key.values():
        m = Mutant(**{f.name: r[f.name] for f in dataclasses.fields(Mutant)})
        mutants.append({**r, "id": m.id, "verdict": "equivalent" if m.id in EQUIVALENT else r["verdict"]})
    return {"mutants": sorted(mutants, key=lambda r: (r["module"], r["line"], r["col"]))}


def report(result: dict[str, Any]) -> str:
    rows: dict[str, list[dict[str, Any]]] = {}
    for r in result["mutants"]:
        rows.setdefault(r["module"], []).append(r)
    out = ["| module | mutants | killed | survived | killed % |", "|---|---:|---:|---:|---:|"]
    total = killed = 0
    for module, every in sorted(rows.items()):
        rs = [r for r in every if r["verdict"] not in LEFT_OUT]
        if not rs:
            continue
        k = sum(r["verdict"] == "killed" for r in rs)
        total, killed = total + len(rs), killed + k
        out.append(f"| {module} | {len(rs)} | {k} | {len(rs) - k} | {100 * k / len(rs):.0f}% |")
    out.append(f"| **all** | {total} | {killed} | {total - killed} | {100 * killed / max(total, 1):.1f}% |")
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in result["mutants"]:
        if r["verdict"] not in LEFT_OUT:
            groups.setdefault(next(p for p in MAPPING if r["module"].startswith(p)), []).append(r)
    out.append("")
    for group, rs in sorted(groups.items()):
        k = sum(r["verdict"] == "killed" for r in rs)
        out.append(f"{group}: {k} of {len(rs)} killed ({100 * k / len(rs):.0f}%)")
    equivalent = [r for r in result["mutants"] if r["verdict"] == "equivalent"]
    if equivalent:
        out += ["", f"Equivalent (left out of the score, EQUIVALENT says why): {len(equivalent)}"]
    survivors = [r for r in result["mutants"] if r["verdict"] not in ("killed", *LEFT_OUT)]
    if survivors:
        out += ["", "Survivors:"]
        for r in survivors:
            m = Mutant(**{f.name: r[f.name] for f in dataclasses.fields(Mutant)})
            out.append(f"  {r['verdict']:<22} {m.id}  {m.shown()}")
    return "\n".join(out)


def update_readme(result: dict[str, Any], runs: list[Path]) -> None:
    """The figure, per area, between README's mutation markers: what was run (from the runs' --json), the counts,
    the survivors, and the commands that give it again."""
    first = json.loads(runs[0].read_text(encoding="utf-8"))
    rs = result["mutants"]
    rows = [
        "| area | mutants | left out | judged | killed | survived | killed % |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for group in [*MAPPING, None]:
        mine = [r for r in rs if group is None or r["module"].startswith(group)]
        equivalent = sum(r["verdict"] in LEFT_OUT for r in mine)
        killed = sum(r["verdict"] == "killed" for r in mine)
        judged = len(mine) - equivalent
        share = f"{100 * killed / judged:.1f}%" if judged else "-"
        name = f"`{group}`" if group else "**all**"
        rows.append(f"| {name} | {len(mine)} | {equivalent} | {judged} | {killed} | {judged - killed} | {share} |")
    survivors = [r for r in rs if r["verdict"] not in ("killed", *LEFT_OUT)]
    gone = [r for r in rs if r["verdict"] == "gone"]
    sample = f"--per-module {first['per_module']} --seed {first['seed']} --budget {first.get('budget', BUDGET_S):g}"
    judges = [json.loads(r.read_text(encoding="utf-8")).get("judges") for r in runs[1:]]
    commands = [
        f"python tools/mutate.py {sample} --json run.json",
        *(
            f"python tools/mutate.py --again {'run' if i == 0 else f'again{i}'}.json"
            + (f" --judges {j}" if j else "")
            + f" --json again{i + 1}.json"
            for i, j in enumerate(judges)
        ),
        "python tools/mutate.py --report run.json "
        + " ".join(f"again{i + 1}.json" for i in range(len(judges)))
        + " --update-readme",
    ]
    lines = [
        "```sh",
        *commands,
        "```",
        "",
        f"Sample `{sample}`: {len(rs)} mutants, drawn from the source before the tests and fixes they led to",
        "(a run on today's source draws the mutants of a changed module anew); the first run's survivors judged",
        f"again by today's suite (`--again`: the tests that cover each, at the default budget of {BUDGET_S} s; with",
        "`--judges`, the tests that file names for each, those written for it). Left out of the score: the",
        "mutants that cannot change behaviour (`EQUIVALENT` in the script says why), and those whose line a fix",
        "changed.",
        "",
        *rows,
        "",
        *(
            ["Survivors:", ""] + [f"- `{r['id']}` {r['module']}:{r['line']} {r['operator']}" for r in survivors]
            if survivors
            else ["No survivors."]
        ),
        *(["", "Left out, their line changed by a fix (gone):", ""] + [f"- `{r['id']}`" for r in gone] if gone else []),
    ]
    text = README.read_text(encoding="utf-8")
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    README.write_text(text[:start] + "\n" + "\n".join(lines).rstrip() + "\n" + text[end:], encoding="utf-8")


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server and remove the scratch copy
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-module", type=int, default=12, help="mutants sampled per module (0: all)")
    parser.add_argument("--seed", type=int, default=11, help="the sample's seed")
    parser.add_argument("--only", nargs="*", help="modules (paths in generator/, or their start) to mutate")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers of each run")
    parser.add_argument("--json", type=Path, help="write every mutant and its verdict here")
    parser.add_argument("--keep-equivalent", action="store_true", help="also run the mutants EQUIVALENT lists")
    parser.add_argument("--list", action="store_true", help="only count the mutants of each module")
    parser.add_argument("--again", type=Path, help="the --json of an earlier run: run only its survivors")
    parser.add_argument(
        "--report", type=Path, nargs="+", help="no run: the report of these --json files (a later one's verdicts win)"
    )
    parser.add_argument("--tests-from", type=Path, default=REPO, help="the checkout whose tests/ judge (default: this)")
    parser.add_argument(
        "--judges", type=Path, help="JSON {mutant id: [test ids]}: run these tests for those mutants, no coverage"
    )
    parser.add_argument("--update-readme", action="store_true", help="with --report: write the figure into README")
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="seconds of tests per mutant (as timed)")
    parser.add_argument("--coverage-cache", type=Path, help="keep the coverage map here for the next run")
    parser.add_argument("--not-tests", nargs="*", default=[], help="test name words to leave out (pytest -k not ...)")
    args = parser.parse_args()
    if args.report:
        result = merged(args.report)
        print(report(result))
        if args.update_readme:
            update_readme(result, args.report)
        return 0
    if args.list:
        for prefix in MAPPING:
            for module in modules_of(prefix):
                print(
                    f"{len(mutants_of(module, (REPO / 'generator' / module).read_text(encoding='utf-8'))):5} {module}"
                )
        return 0
    result = run(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
