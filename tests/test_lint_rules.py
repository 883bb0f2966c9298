"""Each lint rule on a spec that triggers it and on near-misses that must not.

One case file per rule in tests/lint_cases/ (named after the rule id), linted
together with _base.yaml. On each line where a finding is expected the file
says `# expect: <object>[=severity]; ...`; lines marked `# near-miss` hold
objects the rule must leave alone. The test compares (rule, object, line,
severity) sets exactly, so a near-miss that fires, a finding at another line or
a missing finding all fail.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from schemagen import resolve
from schemagen.lint import RULES, Options, lint
from schemagen.spec import loader

CASES_DIR = Path(__file__).parent / "lint_cases"
CASES = sorted(p for p in CASES_DIR.glob("*.yaml") if not p.name.startswith("_"))
TODAY = datetime.date(2026, 11, 25)


def lint_case(case: Path, tmp_path: Path, options: Options | None = None) -> list:
    spec = tmp_path / "spec"
    spec.mkdir()
    shutil.copy(CASES_DIR / "_base.yaml", spec / "0_base.yaml")  # loaded first: it declares the schemas
    shutil.copy(case, spec / case.name)
    schema, origins = resolve.resolve_with_origins(loader.load_dir(spec, tmp_path))
    return lint(schema, origins, options or Options(today=TODAY))


def markers(case: Path, rule: str) -> tuple[set[tuple[str, str, int, str]], set[int]]:
    expected, near = set(), set()
    default = RULES[rule].severity
    for n, line in enumerate(case.read_text().splitlines(), start=1):
        _, _, comment = line.partition("#")
        comment = comment.strip()
        if comment.startswith("expect:"):
            for item in comment.removeprefix("expect:").split(";"):
                obj, _, severity = item.strip().partition("=")
                expected.add((rule, obj, n, severity or default))
        elif comment.startswith("near-miss"):
            near.add(n)
    return expected, near


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_rule_case(case: Path, tmp_path: Path) -> None:
    rule = case.stem.split("_")[0]
    expected, near = markers(case, rule)
    assert expected and near, f"{case.name} needs a triggering case and a near-miss"
    # `# spent: <entry>`: an allow_destructive entry the newest migration used (C311)
    spent = tuple(
        line.split(":", 1)[1].strip() for line in case.read_text().splitlines() if line.startswith("# spent:")
    )
    findings = [
        f
        for f in lint_case(case, tmp_path, Options(today=TODAY, spent=spent, last_migration="0002_drop"))
        if f.rule == rule
    ]
    got = {(f.rule, f.object, f.line, f.severity) for f in findings}
    assert got == expected
    assert not [f for f in findings if f.line in near]
    assert all(f.file.endswith(case.name) for f in findings)


def test_every_rule_has_a_case() -> None:
    assert {p.stem.split("_")[0] for p in CASES} == set(RULES)


def test_a_finding_in_a_template_points_at_the_call_in_the_template(tmp_path: Path) -> None:
    """{table} is replaced before the call: the column is mapped back to the spec text."""
    case = CASES_DIR / "P201_auth_function_per_row.yaml"
    found = [f for f in lint_case(case, tmp_path) if f.object == "public.docs.docs_select"]
    line = case.read_text().splitlines()[found[0].line - 1]
    assert "{table}.owner = auth.uid()" in line
    assert found[0].column == line.index("auth.uid()") + 1


def test_per_row_hint_names_the_function_the_policy_calls(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        "tables:\n"
        "  account:\n"
        "    columns:\n"
        "      id: {type: uuid, primary_key: true}\n"
        "      tenant: {type: text}\n"
        "    row_level_security: true\n"
        "    policies:\n"
        "      by_setting: {command: select, using: \"tenant = current_setting('app.tenant', true)\"}\n",
        encoding="utf-8",
    )
    (tmp_path / "run").mkdir()
    (p201,) = [f for f in lint_case(case, tmp_path / "run") if f.rule == "P201"]
    assert "current_setting(...)" in p201.hint and "auth.uid" not in p201.hint


def test_maxvalue_partition_says_what_splitting_it_costs(tmp_path: Path) -> None:
    """schemagen does split a MAXVALUE partition for a later range (diff/partitions.py): C305 must not claim it
    cannot."""
    (c305,) = [f for f in lint_case(CASES_DIR / "C305_maxvalue_partition.yaml", tmp_path) if f.rule == "C305"]
    assert "no later range partition can be created" not in c305.message
    assert "every later range partition is split out of it, moving its rows" in c305.message
    assert "cannot" not in RULES["C305"].why
    # the copy-then-swap of diff/moves.py (review of issue 10, item 9: the text still said "detaches it, moves its
    # rows out and attaches it again")
    assert "copies every row it has gathered into new partitions" in RULES["C305"].why
    assert "detaches" not in RULES["C305"].why and "locks the table longer" not in RULES["C305"].why
