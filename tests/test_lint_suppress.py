"""Silencing a finding for one object in the spec, with a required reason."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from schemagen import resolve
from schemagen.cli import main
from schemagen.lint import Options, lint
from schemagen.spec import config

ROOT = Path(__file__).resolve().parent.parent
# The spec as it was for migration 0024, defects and all (spec/ itself lints clean since 0025).
SPEC_TEXT = (ROOT / "tests" / "reference_spec" / "sync_operations.yaml").read_text()


def project(tmp_path: Path, text: str, pyproject: str = "") -> Path:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "sync_operations.yaml").write_text(text)
    (tmp_path / "pyproject.toml").write_text("[tool.schemagen]\n" + pyproject)
    return tmp_path


def edit(old: str, new: str) -> str:
    assert SPEC_TEXT.count(old) == 1, old
    return SPEC_TEXT.replace(old, new)


def run(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(root)
    return CliRunner().invoke(main, ["lint", "--today", "2026-11-25", *args])


def test_a_suppression_silences_one_object_and_shows_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(
        tmp_path,
        edit(
            "      idx_sync_progress_org_sync: {columns: [org_id, sync_id]}\n",
            "      idx_sync_progress_org_sync:\n        columns: [org_id, sync_id]\n        lint: {ignore: "
            "{P203: dropped in 0025 with the queries that name it}}\n",
        ),
    )
    rows = json.loads(run(root, "--format", "json", monkeypatch=monkeypatch).stdout)
    silenced = [r for r in rows if r["suppressed"] is not None]
    assert [(r["rule"], r["object"], r["suppressed"]) for r in silenced] == [
        ("P203", "public.idx_sync_progress_org_sync", "dropped in 0025 with the queries that name it")
    ]
    result = run(root, monkeypatch=monkeypatch)
    assert "P203" not in result.stdout and "P202" in result.stdout
    assert result.stderr == "lint: 1 error, 22 warnings, 5 info (1 suppressed)\n"


def test_a_suppression_on_a_template_use_covers_its_policies_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(
        tmp_path,
        edit(
            "      - {template: tenant_isolation, prefix: preview_cache}\n",
            "      - template: tenant_isolation\n        prefix: preview_cache\n        lint: {ignore: "
            "{P201: the cache is read by id only}}\n",
        ),
    )
    rows = json.loads(run(root, "--format", "json", monkeypatch=monkeypatch).stdout)
    p201 = {r["object"]: r["suppressed"] for r in rows if r["rule"] == "P201"}
    assert len(p201) == 12
    assert {o for o, reason in p201.items() if reason} == {
        f"public.sync_preview_cache.preview_cache_{c}" for c in ("select", "insert", "update", "delete")
    }


def test_an_error_can_be_silenced_so_the_exit_status_follows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(
        tmp_path,
        edit(
            "      - name: preview_cache_not_expired\n",
            "      - name: preview_cache_not_expired\n        lint: {ignore: {C301: kept as in production "
            "until 0025}}\n",
        ),
    )
    assert run(root, monkeypatch=monkeypatch).exit_code == 0


@pytest.mark.parametrize("ignore", ['{P203: ""}', "{P203: '   '}", "{}"])
def test_a_suppression_needs_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ignore: str) -> None:
    root = project(
        tmp_path,
        edit(
            "      idx_sync_progress_org_sync: {columns: [org_id, sync_id]}\n",
            "      idx_sync_progress_org_sync:\n        columns: [org_id, sync_id]\n        lint: "
            f"{{ignore: {ignore}}}\n",
        ),
    )
    result = run(root, monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert (
        first.startswith("spec/sync_operations.yaml:153:")
        and " E010 tables.sync_progress.indexes.idx_sync_progress_org_sync.lint.ignore" in first
    ), first
    assert "Traceback" not in result.stderr


def test_build_does_not_report_a_date_rule_suppression_as_unused(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        edit(
            "    comment: Append-only log of sync actions, one partition per month.\n",
            "    comment: Append-only log of sync actions, one partition per month.\n    lint: {ignore: "
            "{C306: partitions are added by the monthly job}}\n",
        ),
    )
    settings = config.load(root)
    schema, origins, _ = resolve.load_located(settings)
    assert not [f for f in lint(schema, origins, Options.from_settings(settings)) if f.rule in ("C306", "L001")]
    dated = lint(schema, origins, Options.from_settings(settings, datetime.date(2026, 11, 25)))
    assert [(f.rule, f.suppressed) for f in dated if f.rule in ("C306", "L001")] == [
        ("C306", "partitions are added by the monthly job")
    ]


def test_settings_change_the_horizon_and_the_exposed_schemas(tmp_path: Path) -> None:
    text = edit(
        "    row_level_security: true\n    apply_policies:\n      - {template: tenant_isolation}\n\n  "
        "sync_activity_log:",
        "\n  sync_activity_log:",
    )
    root = project(tmp_path, text, 'partition_horizon_months = 0\nexposed_schemas = ["api"]\n')
    settings = config.load(root)
    assert (settings.partition_horizon_months, settings.exposed_schemas) == (0, ("api",))
    schema, origins, _ = resolve.load_located(settings)
    rules = {f.rule for f in lint(schema, origins, Options.from_settings(settings, datetime.date(2026, 2, 10)))}
    assert "C306" not in rules  # 2026-02 is covered, and no month ahead is asked for
    assert "S105" not in rules  # sync_progress lost its RLS, but public is not exposed here
    rules = {f.rule for f in lint(schema, origins, Options(datetime.date(2026, 2, 10)))}
    assert {"C306", "S105"} <= rules  # the defaults: 3 months ahead, public exposed


@pytest.mark.parametrize(
    "setting",
    [
        'partition_horizon_months = "3"',
        "partition_horizon_months = -1",
        "partition_horizon_months = true",
        'exposed_schemas = "public"',
    ],
)
def test_a_setting_of_the_wrong_type_is_a_config_error(tmp_path: Path, setting: str) -> None:
    from schemagen.errors import SpecError

    root = project(tmp_path, SPEC_TEXT, setting + "\n")
    with pytest.raises(SpecError) as exc:
        config.load(root)
    assert exc.value.diagnostics[0].code == "E070"
