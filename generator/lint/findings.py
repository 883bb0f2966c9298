"""What `schemagen lint` reports: the rules as data, and the findings.

A rule is data (id, name, default severity, why it matters, how to fix it);
its check, a function of the lint context, is registered beside it by
registry.py. `--list-rules` and generated/docs/lint-rules.md are printed from
here (report.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)

FAMILIES = {"S": "security", "P": "performance", "C": "correctness", "L": "suppressions"}
DOCS_PAGE = "generated/docs/lint-rules.md"  # relative to the project root; `schemagen build` writes it


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str  # the default; a finding may be milder (see P202)
    why: str  # one sentence: what goes wrong
    hint: str  # one line: how to fix it
    needs_today: bool = False  # depends on the date: `schemagen lint` only, never `build`

    @property
    def family(self) -> str:
        return FAMILIES[self.id[0]]

    @property
    def anchor(self) -> str:
        """The heading slug of the rule on the docs page (GitHub and MkDocs agree on it)."""
        return f"{self.id.lower()}-{self.name}"

    @property
    def url(self) -> str:
        return f"{DOCS_PAGE}#{self.anchor}"


RULES: dict[str, Rule] = {}


def ordered() -> list[Rule]:
    """Every rule, family by family (security, performance, correctness, suppressions), then by id."""
    families = list(FAMILIES)
    return sorted(RULES.values(), key=lambda r: (families.index(r.id[0]), r.id))


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    column: int
    rule: str
    object: str  # schema-qualified: public.t, public.t.column, public.t.policy, public.f(integer), ...
    severity: str
    message: str
    hint: str
    suppressed: str | None = None  # the reason given in the spec's `lint: ignore:`, when silenced

    @property
    def name(self) -> str:
        return RULES[self.rule].name

    @property
    def url(self) -> str:
        return RULES[self.rule].url

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "object": self.object,
            "message": self.message,
            "hint": self.hint,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "url": self.url,
            "suppressed": self.suppressed,
        }
