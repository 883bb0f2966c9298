"""Findings and rules as text: the terminal, JSON, GitHub Actions annotations, the docs page."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..templating import environment
from .findings import ERROR, INFO, WARNING, Finding, ordered


def active(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.suppressed is None]


def text(findings: Iterable[Finding]) -> str:
    """One line per finding, `file:line:col: severity RULE name: message (object)`, and its hint below."""
    return "".join(
        f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule} {f.name}: {f.message} ({f.object})\n    hint: {f.hint}\n"
        for f in active(findings)
    )


def as_json(findings: Iterable[Finding], docs_page: str | None = None) -> str:
    """Every finding, suppressed ones included (with the reason under `suppressed`).

    `docs_page` is where this project's build writes the rules page (it follows
    `out_dir`); each finding's `url` points at its rule there.
    """
    items = [f.to_json() for f in findings]
    if docs_page is not None:
        for item in items:
            item["url"] = f"{docs_page}#{item['url'].partition('#')[2]}"
    return json.dumps(items, indent=2) + "\n"


_GITHUB_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "notice"}


def github(findings: Iterable[Finding]) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on its spec line.

    https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
    """
    lines = []
    for f in active(findings):
        props = ",".join(
            f"{k}={_escape(str(v), prop=True)}"
            for k, v in (("file", f.file), ("line", f.line), ("col", f.column), ("title", f"{f.rule} {f.name}"))
        )
        lines.append(f"::{_GITHUB_LEVEL[f.severity]} {props}::{_escape(f'{f.message} ({f.object}). Hint: {f.hint}')}\n")
    return "".join(lines)


def _escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def summary(findings: Iterable[Finding]) -> str:
    """`1 error, 22 warnings, 5 info (2 suppressed)`, or `no findings`."""
    findings = list(findings)
    counts = Counter(f.severity for f in active(findings))
    suppressed = len(findings) - len(active(findings))
    parts = [
        f"{counts[s]} {s}{'s' if s != INFO and counts[s] != 1 else ''}" for s in (ERROR, WARNING, INFO) if counts[s]
    ]
    line = ", ".join(parts) or "no findings"
    return line + (f" ({suppressed} suppressed)" if suppressed else "")


def exit_status(findings: Iterable[Finding], strict: bool) -> int:
    failing = {ERROR, WARNING} if strict else {ERROR}
    return 1 if any(f.severity in failing for f in active(findings)) else 0


# -- the rules -------------------------------------------------------------
def rules_text() -> str:
    return "".join(f"{r.id}  {r.severity:<7}  {r.name}: {r.why}\n" for r in ordered())


def rules_json() -> str:
    rules = [
        {
            "rule": r.id,
            "name": r.name,
            "severity": r.severity,
            "family": r.family,
            "why": r.why,
            "hint": r.hint,
            "needs_today": r.needs_today,
            "url": r.url,
        }
        for r in ordered()
    ]
    return json.dumps(rules, indent=2) + "\n"


@dataclass(frozen=True)
class _RuleView:
    id: str
    name: str
    severity: str
    anchor: str
    why: str
    hint: str
    when_note: str


@dataclass(frozen=True)
class _FamilyView:
    title: str
    rules: list[_RuleView]


def rules_markdown() -> str:
    """The page `schemagen build` writes to generated/docs/lint-rules.md (published with the docs site)."""
    views = [
        _RuleView(
            r.id,
            r.name,
            r.severity,
            r.anchor,
            r.why,
            r.hint,
            " Runs only in `schemagen lint` (it depends on today's date)." if r.needs_today else "",
        )
        for r in ordered()
    ]
    families = [
        _FamilyView(family.capitalize(), [v for v, r in zip(views, ordered()) if r.family == family])
        for family in dict.fromkeys(r.family for r in ordered())
    ]
    return environment().get_template("docs/lint_rules.md.j2").render(rules=views, families=families)
