"""Where the SQL keywords of the generated migrations come from: the templates, or Python strings.

    python tools/sql_keywords.py              # a table of the figures
    python tools/sql_keywords.py --show 20    # and the first 20 keywords that Python still writes

Every value a template prints passes through Jinja's `finalize` hook, which this
script sets to wrap the value in two marker characters; text the template
writes itself is left unmarked. A value that already holds markers is the
output of another template (a statement inside the migration's frame, a
condition macro: a macro's output is flagged) and keeps its own marks. Then each SQL keyword of the output
(an upper-case word in pglast's keyword list, outside comments, string
literals and quoted names) is counted as:

- template: written by a template;
- spec: inside a value that is a fragment of the spec as the IR holds it (a
  CHECK, a default, a type, a bound, a function's body, or a choice from a
  closed list such as `on_delete: cascade` or a trigger's timing), which
  Python passes on unchanged;
- python: any other keyword inside a value, i.e. SQL written by Python.

The goal (issue 11): python is 0; Python supplies names, literals and the
spec's validated fragments only. The outputs: the from-scratch migration of
the project's spec (`schemagen sql`), its migration 0025 (up and down) built
again, and the benchmark's spec at 100 tables (from scratch).
Not a test: a measurement, reported in the README.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import jinja2.runtime
from click.testing import CliRunner
from pglast import keywords

REPO = Path(__file__).resolve().parent.parent
OPEN, CLOSE, MACRO = "\x01", "\x02", "\x03"
KEYWORDS = {
    k.upper()
    for k in keywords.RESERVED_KEYWORDS
    | keywords.UNRESERVED_KEYWORDS
    | keywords.COL_NAME_KEYWORDS
    | keywords.TYPE_FUNC_NAME_KEYWORDS
}
# IR fields whose text reaches SQL as written (after being parsed or checked against a closed list).
FRAGMENTS = {"default", "sql_type", "check", "expression", "where", "lower", "upper", "using", "args", "returns"}
FRAGMENTS |= {"body", "when", "stand_in", "target"}
CHOICES = {"on_delete", "on_update", "partition_by", "timing", "level", "events", "volatility", "command"}
CHOICES |= {"identity", "privileges", "nulls", "method", "language"}
TOKEN = re.compile(r"--[^\n]*|E?'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[A-Za-z_][A-Za-z0-9_$]*|.", re.DOTALL)


def _mark(value: Any) -> Any:
    text = "" if value is None else str(value)
    if OPEN in text or MACRO in text or not text:
        return value  # written by a template (another one, or a macro), its values marked there
    return OPEN + text + CLOSE


def instrument() -> None:
    """Every value a template prints, marked (before any template is compiled)."""
    from schemagen import templating

    env = templating.environment()
    env.finalize = _mark
    call = jinja2.runtime.Macro.__call__

    def marked_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        return MACRO + str(call(self, *args, **kwargs))

    jinja2.runtime.Macro.__call__ = marked_call  # type: ignore[method-assign]
    env.bytecode_cache = None
    env.cache = None


def spec_texts(schema: Any) -> set[str]:
    """The fragments of the IR that reach SQL unchanged (and the upper-case spelling of closed choices)."""
    found: set[str] = set()

    def visit(value: Any, field: str = "") -> None:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                visit(getattr(value, f.name), f.name)
        elif isinstance(value, tuple):
            for item in value:
                visit(item, field)
        elif isinstance(value, str) and value and field in FRAGMENTS:
            found.add(value)
        elif isinstance(value, str) and value and field in CHOICES:
            found.update({value, value.upper()})

    visit(schema)
    return found


def classify(text: str, fragments: set[str]) -> Counter[str]:
    """Keyword counts by origin (template / spec / python) in a marked output."""
    plain: list[str] = []
    origin: list[str] = []  # per character of `plain`: "t" template, "p" python
    inside = False
    for ch in text:
        if ch == MACRO:
            continue
        if ch == OPEN:
            inside = True
        elif ch == CLOSE:
            inside = False
        else:
            plain.append(ch)
            origin.append("p" if inside else "t")
    clean = "".join(plain)
    spans = _python_spans(origin)
    from_spec = [False] * len(clean)
    for start, end in spans:
        value = clean[start:end]
        for fragment in fragments:
            if len(fragment) < 2 or fragment not in value:
                continue
            for m in re.finditer(re.escape(fragment), value):
                for i in range(start + m.start(), start + m.end()):
                    from_spec[i] = True
    counts: Counter[str] = Counter()
    for m in TOKEN.finditer(clean):
        word = m.group()
        if word not in KEYWORDS or not word.isupper():
            continue
        i = m.start()
        counts["template" if origin[i] == "t" else "spec" if from_spec[i] else "python"] += 1
        if origin[i] == "p" and not from_spec[i]:
            counts[f"python:{_context(clean, i)}"] += 1
    return counts


def _python_spans(origin: list[str]) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, o in enumerate(origin + ["t"]):
        if o == "p" and start is None:
            start = i
        elif o != "p" and start is not None:
            spans.append((start, i))
            start = None
    return spans


def _context(text: str, i: int) -> str:
    line_start = text.rfind("\n", 0, i) + 1
    line_end = text.find("\n", i)
    return text[line_start : line_end if line_end >= 0 else None].strip()[:100]


def outputs(tmp: Path, tables: int = 100) -> dict[str, tuple[str, set[str]]]:
    """Each measured output, marked, with the spec fragments of its schema."""
    from schemagen.chain import state
    from schemagen.cli import main
    from schemagen.sql import from_scratch

    result: dict[str, tuple[str, set[str]]] = {}
    work = tmp / "project"
    shutil.copytree(REPO / "spec", work / "spec")
    shutil.copytree(REPO / "generated", work / "out")
    schema = _schema(work / "spec")
    result["project: from scratch"] = (from_scratch.migration_sql(schema, ["spec"]), spec_texts(schema))
    for path in list((work / "out" / "migrations").glob("0025_*")):
        path.unlink()
    manifest = work / "out" / "manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps(_without(data, "0025_"), indent=2) + "\n")
    files = {}
    old = state.decode(json.loads((work / "out/migrations/0024_sync_operations.state.json").read_text()))
    here = Path.cwd()
    os.chdir(work)
    try:
        got = CliRunner().invoke(
            main,
            ["build", "--spec", "spec", "--out", "out", "--name", "harden_sync_operations"],
            catch_exceptions=False,
        )
    finally:
        os.chdir(here)
    assert got.exit_code == 0, got.output
    for path in (work / "out" / "migrations").glob("0025_*.sql"):
        files[path.name] = path.read_text()
    fragments = spec_texts(old) | spec_texts(schema)
    result["0025 up"] = (files["0025_harden_sync_operations.sql"], fragments)
    result["0025 down"] = (files["0025_harden_sync_operations.down.sql"], fragments)
    bench = tmp / "bench"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "make_spec.py"),
            "--tables",
            str(tables),
            "--out",
            str(bench / "spec"),
        ],
        check=True,
    )
    schema = _schema(bench / "spec")
    result[f"benchmark {tables} tables: from scratch"] = (
        from_scratch.migration_sql(schema, ["spec"]),
        spec_texts(schema),
    )
    return result


def _schema(spec: Path) -> Any:
    from schemagen import resolve
    from schemagen.spec import loader

    return resolve.resolve(loader.load_dir(spec))


def _without(value: Any, stem: str) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, stem) for k, v in value.items() if stem not in k}
    if isinstance(value, list):
        return [_without(v, stem) for v in value if not (isinstance(v, str) and stem in v)]
    return value


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", type=int, default=0, metavar="N", help="list the N most frequent Python keywords")
    parser.add_argument("--tables", type=int, default=100, help="the size of the benchmark spec measured")
    args = parser.parse_args()
    instrument()
    with tempfile.TemporaryDirectory(prefix="schemagen-keywords-") as name:
        measured = outputs(Path(name), args.tables)
    print(
        "| output | keywords | in templates | in the spec's fragments | written by Python | share written by Python |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    leftovers: Counter[str] = Counter()
    for label, (text, fragments) in measured.items():
        counts = classify(text, fragments)
        total = counts["template"] + counts["spec"] + counts["python"]
        share = f"{100 * counts['python'] / total:.0f}%" if total else "-"
        print(f"| {label} | {total} | {counts['template']} | {counts['spec']} | {counts['python']} | {share} |")
        leftovers.update({k: v for k, v in counts.items() if k.startswith("python:")})
    for line, n in leftovers.most_common(args.show):
        print(f"{n:5d}  {line.removeprefix('python:')}")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
