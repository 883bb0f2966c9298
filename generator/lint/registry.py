"""Where the checks of the rules are registered: `@rule(...)` on a function of the lint context.

The modules security.py, performance.py, correctness.py and suppressions.py
register theirs on import; the rule's data goes to findings.RULES, its check
to CHECKS, which lint() runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .context import Context
from .findings import RULES, Finding, Rule

Check = Callable[[Context], Iterable[Finding]]
CHECKS: dict[str, Check] = {}


def rule(
    id: str, name: str, severity: str, *, why: str, hint: str, needs_today: bool = False
) -> Callable[[Check], Check]:
    """Register the decorated check as rule `id`."""

    def register(check: Check) -> Check:
        assert id not in RULES, f"rule {id} registered twice"
        RULES[id] = Rule(id, name, severity, why, hint, needs_today)
        CHECKS[id] = check
        return check

    return register
