"""`schemagen lint`: unsafe, slow and broken schema design, found in the spec before it reaches a database.

`lint(schema, origins, options)` runs every rule over the IR and returns the
findings, each placed at the YAML that wrote the object. Rules that depend on
today's date run only when `options.today` is given, so `schemagen build`
(which never passes it) stays byte-identical from one day to the next.
Rules and findings: findings.py; the checks: security.py, performance.py,
correctness.py, suppressions.py, registered by registry.py.
"""

from __future__ import annotations

from .. import ir
from ..spec.origins import Origins
from . import correctness, performance, routines, security, suppressions, views  # noqa: F401 - they register the rules
from .context import Context, Options
from .findings import ERROR, INFO, RULES, SEVERITIES, WARNING, Finding, Rule
from .registry import CHECKS

__all__ = ["ERROR", "INFO", "RULES", "SEVERITIES", "WARNING", "Finding", "Options", "Rule", "lint"]


def lint(schema: ir.Schema, origins: Origins | None = None, options: Options | None = None) -> list[Finding]:
    ctx = Context(schema, origins or Origins(), options or Options())
    findings: list[Finding] = []
    # L001 (unused suppressions) last: it judges what the other rules silenced.
    for rule in sorted(RULES.values(), key=lambda r: r.id == "L001"):
        if rule.needs_today and ctx.options.today is None:
            continue
        ctx.ran.add(rule.id)
        findings.extend(CHECKS[rule.id](ctx))
    return sorted(findings, key=lambda f: (f.file, f.line, f.column, f.rule, f.object, f.message))
