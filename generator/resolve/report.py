"""What the passes report besides the IR they return: problems at their place in the YAML, and where each
object is written.

`Report` is the one thing the passes share, and they only ever add to it:
diagnostics (every problem is collected, so one run shows them all) and origins
(spec/origins.py: where each IR object is written, for the stages after this
one). The small checks every pass makes (a name PostgreSQL accepts, one SQL
expression) report through it too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from .. import errors
from ..ir import Name, names
from ..pg import sqlparse
from ..spec.origins import Key, Origins
from ..spec.positions import Path, Positions


@dataclass(frozen=True)
class Problem:
    """A problem of a SQL fragment found by a module that only reads it (columnrefs.py, defaults.py,
    comparisons.py): the pass that owns the fragment reports it, at character `offset` of it."""

    offset: int | None
    code: str
    message: str


class Where(NamedTuple):
    """A place in the spec: a file's positions and the YAML path in it (a tuple: 300,000 are made for 1,000
    tables)."""

    pos: Positions
    path: Path

    def at(self, *path: str | int) -> Where:
        """The place `path` below this one."""
        return Where(self.pos, self.path + path)


class Report:
    def __init__(self) -> None:
        self.diagnostics: list[errors.Diagnostic] = []
        self.origins = Origins()

    def error(self, where: Where, code: str, message: str, *, key: bool = False) -> None:
        """A problem at `where` (`key`: at the key of a mapping entry, else at its value)."""
        self.diagnostics.append(where.pos.diag(where.path, code, message, key=key))

    def error_in_fragment(self, where: Where, offset: int | None, code: str, message: str) -> None:
        """A problem at character `offset` of the SQL fragment at `where`."""
        line, col = where.pos.fragment(where.path, offset)
        self.diagnostics.append(errors.Diagnostic(where.pos.file, line, col, code, message))

    def sql_error(self, where: Where, exc: sqlparse.FragmentError) -> None:
        self.error_in_fragment(where, exc.offset, errors.SQL_SYNTAX, exc.message)

    def origin(
        self,
        key: Key,
        where: Where,
        lint: Any = None,
        holder: Where | None = None,
        *,
        raw: str | None = None,
        subs: tuple[tuple[str, str], ...] = (),
        stripped: bool = True,
    ) -> None:
        """Record that the object `key` is written at `where` (`holder`: the mapping of its `lint:`)."""
        self.origins.add(
            key,
            where.pos,
            where.path,
            lint,
            None if holder is None else holder.path,
            raw=raw,
            subs=subs,
            stripped=stripped,
        )


# -- the checks every pass makes --------------------------------------------


def ident(report: Report, name: str, where: Where, what: str) -> bool:
    """Whether `name` is a name PostgreSQL keeps as written (reported if not)."""
    why = names.problem(name)
    if why:
        code = errors.NAME_TOO_LONG if "bytes long" in why else errors.SPEC_BAD_IDENTIFIER
        report.error(where, code, f"{what} {why}", key=True)
        return False
    return True


def qualified(report: Report, text: str, where: Where, what: str) -> Name:
    """`text` (`name` or `schema.name`) as a Name, its parts checked."""
    name = names.split(text)
    if "." in text and not ident(report, name.schema, where, f"{what} schema"):
        return name
    ident(report, name.name, where, what)
    return name


def expression(report: Report, text: str, where: Where) -> Any | None:
    """The parse tree of one SQL expression, or None (reported)."""
    try:
        return sqlparse.expression(text)
    except sqlparse.FragmentError as exc:
        report.sql_error(where, exc)
        return None


def valid_expression(report: Report, text: str, where: Where) -> bool:
    """Whether `text` is one SQL expression (reported if not), when its tree is not needed."""
    try:
        sqlparse.check_expression(text)
    except sqlparse.FragmentError as exc:
        report.sql_error(where, exc)
        return False
    return True


def fragment_columns(
    report: Report,
    refs: Iterable[tuple[tuple[str, ...], int | None]],
    columns: Collection[str],
    table: Name,
    where: Where,
) -> set[str]:
    """The columns of `table` among `refs` (names with their offsets in the fragment at `where`:
    sqlparse.column_refs_at); each unknown one is reported."""
    found: set[str] = set()
    for ref, offset in refs:
        col = ref[-1]
        if len(ref) > 1 and ref[-2] != table.name:
            continue  # qualified by another table or alias: not ours to check
        if col not in columns:
            report.error_in_fragment(
                where, offset, errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table.display}'
            )
        else:
            found.add(col)
    return found
