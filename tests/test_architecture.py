"""The tree is the design: imports between schemagen's modules, read with `ast`, follow the layers.

Every module of generator/ (the package schemagen) is parsed, and every import
of another schemagen module is an edge, wherever it stands: at the top, under
`if TYPE_CHECKING:` (a type is a dependency too) or inside a function. Three
rules hold:

1. no cycle between modules;
2. a package imports only the packages its row of LAYERS names (and itself),
   so dependencies point one way: spec -> resolve -> ir <- outputs, the
   pipeline and the command on top;
3. imports inside functions only where IMPORTED_LATE says why (the command
   line imports each command's packages when it runs, so `--help` is fast).

A new package needs a row here, and its place in pyproject.toml's package list
(checked too), before it can be imported.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "generator"

# Who may import whom. A "package" is a directory of generator/ or a top-level module.
# Read a row as: `resolve` may import `errors`, `pg`, `spec` and `ir`.
LAYERS: dict[str, set[str]] = {
    # shared leaves: no schemagen import at all
    "errors": set(),
    "templating": set(),
    # PostgreSQL's language: quoting, the pglast layer, the type table, bound order
    "pg": set(),
    # the spec as written, with positions
    "spec": {"errors"},
    # the resolved schema: data, names, order
    "ir": {"pg"},
    # spec -> IR
    "resolve": {"errors", "pg", "spec", "ir", "templating"},  # templating: a time partitioning's maintenance function
    # outputs of the IR
    "sql": {"pg", "ir", "templating"},
    "diff": {"errors", "pg", "ir", "sql", "templating"},
    "models": {"errors", "pg", "ir", "templating"},
    "lint": {"pg", "spec", "ir", "templating"},  # spec: origins.py, where each object is written
    "docs": {"pg", "ir", "sql", "lint", "templating"},  # lint: the rules page
    "dbtests": {"pg", "ir", "templating"},  # the database tests: pgTAP files and the checks `schemagen test` runs
    # the output directory over time: reads the spec's intent to place refusals
    "chain": {"errors", "spec", "ir", "resolve", "sql", "diff"},
    # a live database (migrate, drift), and the chain as other runners' files (layouts.py, written by build)
    "db": {"errors", "pg", "spec", "ir", "resolve", "sql", "diff", "chain", "templating", "dbtests"},
    # a live database's catalog as spec YAML (`schemagen import`)
    "importer": {"errors", "pg", "ir", "db", "templating"},
    # on top
    "pipeline": {"errors", "spec", "ir", "resolve", "sql", "diff", "models", "lint", "docs", "chain", "db", "dbtests"},
    "cli": {
        "errors",
        "spec",
        "ir",
        "resolve",
        "sql",
        "diff",
        "models",
        "lint",
        "docs",
        "chain",
        "db",
        "pipeline",
        "dbtests",
        "importer",
    },
}

# Imports inside a function: (module, imported module) -> why it is not at the top.
_COMMAND = "a command's packages, imported when it runs: `schemagen --help` loads none of them"
IMPORTED_LATE: dict[tuple[str, str], str] = {
    ("schemagen.cli", "schemagen.pipeline"): _COMMAND,
    ("schemagen.cli", "schemagen.resolve"): _COMMAND,
    ("schemagen.cli", "schemagen.spec.config"): _COMMAND,
    ("schemagen.cli", "schemagen.spec.model"): _COMMAND,
    ("schemagen.cli", "schemagen.chain.history"): _COMMAND + " (lint: only for allow_destructive entries)",
    ("schemagen.cli", "schemagen.chain.writer"): _COMMAND,
    ("schemagen.cli", "schemagen.chain.lock"): _COMMAND,
    ("schemagen.cli", "schemagen.lint"): _COMMAND,
    ("schemagen.cli", "schemagen.lint.report"): _COMMAND,
    ("schemagen.cli", "schemagen.sql.from_scratch"): _COMMAND,
    ("schemagen.cli", "schemagen.sql.standins"): _COMMAND,
    ("schemagen.cli", "schemagen.db"): _COMMAND,
    ("schemagen.cli", "schemagen.db.migrate"): _COMMAND + " (migrate: psycopg)",
    ("schemagen.cli", "schemagen.db.drift"): _COMMAND + " (drift: psycopg)",
    ("schemagen.cli", "schemagen.db.dbtests"): _COMMAND + " (test: psycopg)",
    ("schemagen.cli", "schemagen.db.partitions"): _COMMAND + " (partitions: psycopg)",
    ("schemagen.cli", "schemagen.importer"): _COMMAND + " (import: psycopg)",
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    late: bool  # inside a function


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(["schemagen", *parts])] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    in_function = {
        id(node)
        for func in ast.walk(tree)
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(func)
    }
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from p import m` imports module p.m when there is one, else a name of p
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in known else source for a in node.names]
        for target in targets:
            if target in known and target != name:
                yield Import(name, target, node.lineno, id(node) in in_function)


def graph() -> list[Import]:
    known = modules()
    return [edge for name, path in known.items() for edge in imports(name, path, known)]


def package_of(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def test_the_graph_is_read() -> None:
    edges = {(e.importer, e.imported) for e in graph()}
    assert len(modules()) > 60 and len(edges) > 200
    assert ("schemagen.pipeline", "schemagen.chain.history") in edges  # from .chain import history
    assert ("schemagen.diff.engine", "schemagen.diff.tables") in edges  # from . import ..., tables
    assert ("schemagen.sql.from_scratch", "schemagen.ir") in edges  # from .. import ir


def test_no_module_imports_itself_back() -> None:
    following: dict[str, set[str]] = {}
    for edge in graph():
        following.setdefault(edge.importer, set()).add(edge.imported)
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for nxt in sorted(following.get(module, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[module] = 2

    for module in sorted(modules()):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_packages_import_only_the_layers_below_them() -> None:
    wrong = []
    for edge in graph():
        mine, theirs = package_of(edge.importer), package_of(edge.imported)
        if mine == "schemagen":
            wrong.append(f"{edge.importer}:{edge.line} imports {edge.imported}: the root holds only __version__")
        elif theirs == "schemagen":
            continue  # __version__, a leaf
        elif mine not in LAYERS:
            wrong.append(f"{edge.importer}: package {mine} has no row in LAYERS")
        elif theirs != mine and theirs not in LAYERS[mine]:
            wrong.append(f"{edge.importer}:{edge.line} imports {edge.imported}: {mine} may not import {theirs}")
    assert not wrong, "\n".join(wrong)


def test_every_package_has_a_row_and_a_place_in_the_wheel() -> None:
    packages = {package_of(name) for name in modules()} - {"schemagen"}
    assert packages <= set(LAYERS), f"no row in LAYERS: {sorted(packages - set(LAYERS))}"
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    directories = {name for name, path in modules().items() if path.name == "__init__.py"}
    assert directories <= listed, f"missing from [tool.setuptools] packages: {sorted(directories - listed)}"


def test_imports_inside_functions_only_where_they_keep_the_command_fast() -> None:
    late = {(e.importer, e.imported): e.line for e in graph() if e.late}
    unexplained = sorted(
        f"{importer}:{line} imports {imported}"
        for (importer, imported), line in late.items()
        if (importer, imported) not in IMPORTED_LATE
    )
    assert not unexplained, "an import inside a function hides the graph; move it to the top:\n" + "\n".join(
        unexplained
    )
    stale = sorted(f"{a} -> {b}" for a, b in IMPORTED_LATE if (a, b) not in late)
    assert not stale, f"IMPORTED_LATE lists imports that are gone: {stale}"


def test_no_third_party_import_inside_a_function() -> None:
    """The same for everything else (jinja2, pydantic, the standard library): one graph, read at the top."""
    found = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and not node.level):
                    names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                    found += [f"{name}:{node.lineno} imports {n}" for n in names if not n.startswith("schemagen")]
    assert not found, "\n".join(found)
