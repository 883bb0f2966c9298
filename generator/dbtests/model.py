"""A check, as data: a probe (an SQL expression read from the database) and what it must give.

The pgTAP file (pgtap.py) writes each as `is(probe, want, label)` or `matches(probe, want, label)`;
`schemagen test` (db/dbtests.py) runs the same probe and compares it the same way, so the two
give the same verdict on every check by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..pg import quoting


@dataclass(frozen=True)
class Check:
    label: str  # what it proves, naming the object: "column public.sync_progress.org_id is uuid not null"
    probe: str  # SQL expression of type text
    want: str  # SQL expression of type text: the value, or (pattern) a POSIX regular expression
    pattern: bool = False  # `probe ~ want` rather than `probe IS NOT DISTINCT FROM want`
    heading: str = ""  # starts a group of checks in the file (a comment line)

    @property
    def assertion(self) -> str:
        """The pgTAP function that makes the comparison."""
        return "matches" if self.pattern else "is"

    @property
    def quoted_label(self) -> str:
        return quoting.literal(self.label)


@dataclass(frozen=True)
class Suite:
    """The checks of one spec module, with what runs before them in the same transaction."""

    module: str
    source: str  # the spec file
    setup: str  # SQL statements (after the helper function): e.g. a role made for the test
    checks: tuple[Check, ...]
    structure: int  # how many of the checks are structure checks
    fixture: int  # ... rows made
    role: str | None = None  # the role of the tenancy's checks, when the module has tenant tables

    @property
    def behaviour(self) -> int:
        return len(self.checks) - self.structure - self.fixture


def text(value: str) -> str:
    """A constant as a probe's `want`."""
    return quoting.literal(value)
