"""`schemagen lint` on the reference schema's spec: its real defects, exactly.

The spec is tests/reference_spec/, a copy of spec/ as it was for migration
0024 (migration 0025 fixed these defects in spec/ itself, which now lints
clean: see test_migration_0025). The expected set below is the whole of what
lint reports on it (no more, no fewer), with the spec line each finding points at. Also the command line:
output formats, exit status, the summary `schemagen build` prints, and the
docs page the JSON output links to.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from schemagen import pipeline, resolve
from schemagen.cli import main
from schemagen.lint import RULES, Options, lint
from schemagen.lint.report import rules_markdown
from schemagen.spec import config

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = "tests/reference_spec"
SPEC = f"{SPEC_DIR}/sync_operations.yaml"
TODAY = "2026-11-25"

# (rule, object, line, severity) of every finding on the reference spec, linted on 2026-11-25.
EXPECTED = {
    # The tenant_isolation template calls auth.uid() per row in all 12 policies
    # (USING on its line 63, WITH CHECK on its line 66; UPDATE has both).
    *{
        ("P201", f"public.{table}.{prefix}_{cmd}", 66 if cmd == "insert" else 63, "warning")
        for table, prefix in (
            ("sync_preview_cache", "preview_cache"),
            ("sync_progress", "sync_progress"),
            ("sync_activity_log", "sync_activity_log"),
        )
        for cmd in ("select", "insert", "update", "delete")
    },
    # computed_by and initiated_by: ON DELETE SET NULL, no index leads with them.
    ("P202", "public.sync_preview_cache.sync_preview_cache_computed_by_fkey", 93, "warning"),
    ("P202", "public.sync_progress.sync_progress_initiated_by_fkey", 139, "warning"),
    # CHECK (expires_at > NOW()), pointing at NOW().
    ("C301", "public.sync_preview_cache.preview_cache_not_expired", 100, "error"),
    # Partial index on cache_key, which already has a full unique index.
    ("P204", "public.idx_sync_preview_cache_key", 105, "warning"),
    # Same columns as UNIQUE (org_id, sync_id).
    ("P203", "public.idx_sync_progress_org_sync", 151, "warning"),
    # Monthly partitions end at 2026-03-01; then everything goes to the MAXVALUE partition.
    ("C306", "public.sync_activity_log", 190, "warning"),
    ("C305", "public.sync_activity_log_future", 198, "warning"),
    # No function sets search_path.
    ("S101", "public.auto_cleanup_preview_cache()", 211, "warning"),
    ("S101", "public.update_sync_progress_elapsed()", 229, "warning"),
    ("S101", "public.validate_sync_progress_totals()", 251, "warning"),
    ("S101", "public.update_sync_progress_timestamp()", 274, "warning"),
    ("S101", "public.auto_log_sync_activity_on_progress_change()", 283, "warning"),
    # GRANT EXECUTE on the four trigger functions.
    ("C309", "public.update_sync_progress_elapsed()", 345, "info"),
    ("C309", "public.validate_sync_progress_totals()", 346, "info"),
    ("C309", "public.update_sync_progress_timestamp()", 347, "info"),
    ("C309", "public.auto_log_sync_activity_on_progress_change()", 348, "info"),
    # USAGE, SELECT on every sequence of public, though the module has none.
    ("S109", "ALL SEQUENCES IN SCHEMA public", 351, "info"),
}


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


def findings(today: datetime.date | None) -> list:
    settings = config.load(ROOT, spec_dir=str(ROOT / SPEC_DIR))
    schema, origins, _ = resolve.load_located(settings)
    return lint(schema, origins, Options.from_settings(settings, today))


def test_reference_findings_are_exactly_its_defects(at_root: Path) -> None:
    got = findings(datetime.date.fromisoformat(TODAY))
    assert {(f.rule, f.object, f.line, f.severity) for f in got} == EXPECTED
    assert len(got) == len(EXPECTED) == 29
    assert {f.file for f in got} == {SPEC}
    # at auth.uid() in the template
    assert {(f.line, f.column) for f in got if f.rule == "P201"} == {
        (63, 20),
        (66, 20),
    }
    assert not [f for f in got if f.suppressed]


def test_without_a_date_the_date_rules_do_not_run(at_root: Path) -> None:
    got = {(f.rule, f.object, f.line, f.severity) for f in findings(None)}
    assert got == {e for e in EXPECTED if e[0] != "C306"}


def test_text_output_and_exit_status(at_root: Path) -> None:
    result = CliRunner().invoke(main, ["lint", "--spec", SPEC_DIR, "--today", TODAY])
    assert result.exit_code == 1  # C301 is an error
    lines = result.stdout.splitlines()
    assert len(lines) == 2 * len(EXPECTED)
    assert (
        f"{SPEC}:100:29: error C301 check-not-immutable: CHECK (expires_at > NOW()) calls now() (stable) "
        "(public.sync_preview_cache.preview_cache_not_expired)" in lines
    )
    i = lines.index(
        f"{SPEC}:151:7: warning P203 duplicate-index: (org_id, sync_id) duplicates the index of UNIQUE "
        "constraint sync_progress_org_id_sync_id_key (public.idx_sync_progress_org_sync)"
    )
    assert lines[i + 1] == f"    hint: {RULES['P203'].hint}"
    for line in lines[::2]:
        assert re.fullmatch(
            r"tests/reference_spec/sync_operations\.yaml:\d+:\d+: (error|warning|info) [SPCL]\d{3} [a-z-]+: .+ \(.+\)",
            line,
        ), line
    assert result.stderr == "lint: 1 error, 23 warnings, 5 info\n"


def test_exit_status_strict_and_warnings_only(at_root: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    text = (ROOT / SPEC).read_text().replace("check: expires_at > NOW()", "check: expires_at > computed_at")
    (spec / "sync_operations.yaml").write_text(text)
    runner = CliRunner()
    assert runner.invoke(main, ["lint", "--spec", str(spec), "--today", TODAY]).exit_code == 0
    assert runner.invoke(main, ["lint", "--spec", str(spec), "--today", TODAY, "--strict"]).exit_code == 1


def test_json_output(at_root: Path) -> None:
    result = CliRunner().invoke(main, ["lint", "--spec", SPEC_DIR, "--today", TODAY, "--format", "json"])
    rows = json.loads(result.stdout)
    assert len(rows) == len(EXPECTED)
    assert all(
        set(r)
        == {"rule", "name", "severity", "object", "message", "hint", "file", "line", "column", "url", "suppressed"}
        for r in rows
    )
    row = next(r for r in rows if r["rule"] == "P204")
    assert row == {
        "rule": "P204",
        "name": "partial-index-under-unique",
        "severity": "warning",
        "object": "public.idx_sync_preview_cache_key",
        "message": "partial index (cache_key) WHERE cache_key IS NOT NULL holds a subset of the rows of the index of "
        "UNIQUE constraint sync_preview_cache_cache_key_key, on the same columns",
        "hint": RULES["P204"].hint,
        "file": SPEC,
        "line": 105,
        "column": 7,
        "url": "generated/docs/lint-rules.md#p204-partial-index-under-unique",
        "suppressed": None,
    }


def test_json_urls_follow_the_projects_out_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "proj"
    shutil.copytree(ROOT / "spec", project / "spec")
    (project / "pyproject.toml").write_text('[tool.schemagen]\nout_dir = "build/gen"\n', encoding="utf-8")
    monkeypatch.chdir(project)
    findings = json.loads(CliRunner().invoke(main, ["lint", "--format", "json"]).stdout)
    assert findings and all(f["url"].startswith("build/gen/docs/lint-rules.md#") for f in findings)
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    page = (project / "build" / "gen" / "docs" / "lint-rules.md").read_text(encoding="utf-8")
    assert all(
        f'<a id="{anchor}" name="{anchor}"></a>' in page for f in findings for anchor in [f["url"].partition("#")[2]]
    )


def test_every_rule_links_to_its_section_of_the_docs_page() -> None:
    page = (ROOT / "generated" / "docs" / "lint-rules.md").read_text()
    assert page == rules_markdown(), "run `schemagen build`: it writes generated/docs/lint-rules.md"
    slugs = set(re.findall(r'^### \S+ \S+ <a id="([^"]+)" name="\1"></a>$', page, flags=re.MULTILINE))
    for rule in RULES.values():
        path, _, anchor = rule.url.partition("#")
        assert (ROOT / path).is_file() and anchor in slugs
        assert rule.why in page and rule.hint in page


def test_github_annotations(at_root: Path) -> None:
    result = CliRunner().invoke(main, ["lint", "--spec", SPEC_DIR, "--today", TODAY, "--format", "github"])
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXPECTED)
    assert (
        f"::error file={SPEC},line=100,col=29,title=C301 check-not-immutable::CHECK (expires_at > NOW()) "
        "calls now() (stable) (public.sync_preview_cache.preview_cache_not_expired). Hint: "
        + RULES["C301"].hint
        in lines
    )
    assert sum(line.startswith("::notice ") for line in lines) == 5


def test_list_rules(at_root: Path) -> None:
    result = CliRunner().invoke(main, ["lint", "--list-rules"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(RULES)
    for rule in RULES.values():
        assert f"{rule.id}  {rule.severity:<7}  {rule.name}: {rule.why}" in lines
    as_json = json.loads(CliRunner().invoke(main, ["lint", "--list-rules", "--format", "json"]).stdout)
    assert {r["rule"]: r["severity"] for r in as_json} == {r.id: r.severity for r in RULES.values()}


def test_build_prints_a_summary_and_does_not_fail_on_findings(at_root: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--spec", SPEC_DIR, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "lint: 1 error, 22 warnings, 5 info; `schemagen lint` shows them"


def test_the_docs_page_lists_the_findings_that_do_not_depend_on_the_date(tmp_path: Path) -> None:
    page = pipeline.generate(config.load(ROOT, spec_dir=str(ROOT / SPEC_DIR), out_dir=str(tmp_path))).outputs[
        "docs/sync_operations.md"
    ]
    section = page[page.index("## Lint findings") :]
    rows = [
        line for line in section.splitlines() if line.startswith("| ") and not line.startswith(("| Level", "| ---"))
    ]
    assert len(rows) == len(EXPECTED) - 1
    for rule, obj, _line, severity in EXPECTED - {e for e in EXPECTED if e[0] == "C306"}:
        assert f"| {severity} | {rule} {RULES[rule].name} | {obj} |" in section


def test_positions_stay_out_of_generated_files(tmp_path: Path) -> None:
    """A comment line above a table moves its findings, and changes no generated byte."""
    outputs, lines = [], []
    for shift in ("", "# a comment that moves every line below it\n"):
        root = tmp_path / f"p{len(shift)}"
        (root / "spec").mkdir(parents=True)
        shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
        text = (ROOT / SPEC).read_text().replace("\ntables:\n", "\ntables:\n" + shift, 1)
        (root / "spec" / "sync_operations.yaml").write_text(text)
        result = pipeline.generate(config.load(root))
        outputs.append(result.outputs)
        lines.append(sorted(f.line for f in result.findings if f.rule == "P203"))
    assert outputs[0] == outputs[1]
    assert lines[1] == [lines[0][0] + 1]
