"""A migration file read back as the phases it is made of, each a list of statements.

`schemagen build` writes every migration after the first as a sequence of phases, each
starting with a marker line `-- schemagen:phase <name> <transaction|no-transaction>`
(diff/model.py, PHASES); everything from a marker on runs by itself. The first migration
has no marker: it is one phase, `main`, in one transaction (its own BEGIN/COMMIT).

Statements are found by PostgreSQL's own parser (pglast): dollar-quoted bodies, strings
and comments that hold `;` are never cut. A transaction phase keeps its own BEGIN and
COMMIT as statements, so a runner runs the file as written and can add its bookkeeping
just before the COMMIT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pglast
from pglast.parser import ParseError, scan

MARKER = re.compile(r"^-- schemagen:phase (?P<name>[a-z_]+) (?P<mode>transaction|no-transaction)[ \t]*$", re.MULTILINE)
FIRST = "main"  # the one phase of a file without markers (the first migration)

BEGIN, COMMIT, OTHER = "begin", "commit", "other"
_OPENING = {"BEGIN_P", "START"}
_CLOSING = {"COMMIT", "END_P"}
# What PostgreSQL refuses to run inside a transaction block (the statements a runner that
# wraps files in a transaction must run on their own). ALTER TYPE ... ADD VALUE runs in one
# since PostgreSQL 12; DO bodies that COMMIT are found by `commits`.
_NOT_IN_TRANSACTION = re.compile(
    r"^\s*(?:CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY|REINDEX\b.*\bCONCURRENTLY"
    r"|VACUUM\b|CLUSTER\b|ALTER\s+SYSTEM\b|CREATE\s+DATABASE\b|DROP\s+DATABASE\b|ALTER\s+TABLE\b.*\bDETACH\s+PARTITION\b.*\bCONCURRENTLY)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Statement:
    sql: str  # without its closing ";"
    line: int  # where it starts in the file, 1-based
    kind: str = OTHER  # BEGIN / COMMIT: the phase's own transaction control
    notes: tuple[str, ...] = ()  # the comment lines right above it (what lock it takes, why), kept by layouts

    @property
    def concurrent(self) -> bool:
        """Whether PostgreSQL refuses it inside a transaction block (CREATE INDEX CONCURRENTLY, ...)."""
        return bool(_NOT_IN_TRANSACTION.match(_code(self.sql)))

    @property
    def commits(self) -> bool:
        """Whether it is a DO block whose body commits (the batched copy): it cannot run in a transaction."""
        code = _code(self.sql)
        return (
            code[:2].upper() == "DO"
            and re.search(r"^\s*COMMIT\s*;", self.sql, re.IGNORECASE | re.MULTILINE) is not None
        )


@dataclass(frozen=True)
class Phase:
    name: str
    transactional: bool
    line: int  # of its marker (1 for a file without markers)
    statements: tuple[Statement, ...]

    @property
    def last_line(self) -> int:
        last = self.statements[-1] if self.statements else None
        return self.line if last is None else last.line + last.sql.count("\n")

    @property
    def body(self) -> tuple[Statement, ...]:
        """The statements without the phase's own BEGIN and COMMIT."""
        return tuple(s for s in self.statements if s.kind == OTHER)


def read(text: str) -> list[Phase]:
    """The phases of a migration file, in the order they run."""
    statements = split(text)
    spans = [(m.start(), m) for m in MARKER.finditer(text)]
    inside = [(s_start, s_end) for s_start, s_end, _ in statements]
    markers = [(pos, m) for pos, m in spans if not any(a <= pos < b for a, b in inside)]  # not in a function body
    if not markers:
        found = tuple(st for _, _, st in statements)
        return [Phase(FIRST, any(s.kind == BEGIN for s in found), 1, found)] if found else []
    result = []
    for i, (pos, m) in enumerate(markers):
        end = markers[i + 1][0] if i + 1 < len(markers) else len(text)
        found = tuple(st for start, _, st in statements if pos <= start < end)
        result.append(Phase(m["name"], m["mode"] == "transaction", text.count("\n", 0, pos) + 1, found))
    return result


def split(text: str) -> list[tuple[int, int, Statement]]:
    """Every top-level statement of `text` with its start and end offsets."""

    try:
        slices = list(pglast.split(text, only_slices=True))
    except ParseError:  # syntax newer than pglast's parser: its scanner still knows quotes and comments
        slices = [s for s in pglast.split(text, with_parser=False, only_slices=True) if _code(text[s])]
    result = []
    previous = 0
    for piece in slices:
        sql = text[piece].strip()
        start = piece.start + (len(text[piece]) - len(text[piece].lstrip()))
        result.append(
            (
                start,
                piece.stop,
                Statement(sql, text.count("\n", 0, start) + 1, _kind(sql), _notes(text[previous:start])),
            )
        )
        previous = piece.stop + 1
    return result


def _notes(gap: str) -> tuple[str, ...]:
    """The comment lines that end a gap between two statements, unless they open a phase (its marker and heading)."""
    lines = gap.rstrip().split("\n")
    block: list[str] = []
    for line in reversed(lines):
        if not line.startswith("--"):
            break
        block.insert(0, line)
    return () if any(MARKER.match(line) for line in block) else tuple(block)


def _kind(sql: str) -> str:

    words = [t.name for t in scan(sql) if t.name not in ("C_COMMENT", "SQL_COMMENT")]
    if words and words[0] in _OPENING:  # BEGIN ATOMIC only opens a function body, never a top-level statement
        return BEGIN
    if words and words[0] in _CLOSING:
        return COMMIT
    return OTHER


def _code(sql: str) -> str:
    """The statement without its comments (what decides its kind)."""
    return re.sub(r"--[^\n]*|/\*.*?\*/", "", sql, flags=re.DOTALL).strip()
