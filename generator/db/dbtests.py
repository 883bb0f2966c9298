"""`schemagen test`: the checks of generated/tests/<module>.sql, run without pgTAP.

The suites are built from the spec as `schemagen build` builds the pgTAP files (dbtests/), and
each check runs the same probe and compares it the same way (`is`: equal, NULL equal to NULL;
`matches`: a POSIX regular expression), so both give the same verdict. Each module runs in one
transaction that is rolled back: the probes' functions, the test rows and the anonymous role (when
one is made) are gone afterwards. The report is TAP: a plan, `ok N - label` or `not ok N - label`
with what was found and what was wanted.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from .. import dbtests, ir
from ..spec.config import Settings
from ..templating import environment
from . import UserError
from .connect import connect

APPLICATION = "schemagen test"


@dataclass(frozen=True)
class Result:
    module: str
    check: dbtests.Check
    have: str | None
    want: str | None
    passed: bool
    error: str = ""  # the database's error, when the probe itself failed


@dataclass(frozen=True)
class Report:
    results: tuple[Result, ...]
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def failed(self) -> int:
        return sum(not r.passed for r in self.results)

    def tap(self) -> str:
        lines = [f"1..{len(self.results)}"]
        module = None
        for n, r in enumerate(self.results, 1):
            if r.module != module:
                module = r.module
                lines.append(f"# module {module}")
            lines.append(f"{'ok' if r.passed else 'not ok'} {n} - {r.check.label}")
            if not r.passed:
                lines += _diagnostics(r)
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        passed = len(self.results) - self.failed
        return f"{passed} passed, {self.failed} failed ({len(self.results)} checks in {self.seconds:.2f} s)"


def _diagnostics(r: Result) -> list[str]:
    if r.error:
        return [f"#   error: {r.error}"]
    have = "NULL (no such object)" if r.have is None else repr(r.have)
    want = f"matching {r.want!r}" if r.check.pattern else repr(r.want)
    return [f"#   have: {have}", f"#   want: {want}"]


def run(schema: ir.Schema, settings: Settings, url: str, *, echo: Callable[[str], None] | None = None) -> Report:
    """Every module's checks against the database at `url`."""
    built = dbtests.build(schema, settings.exposed_schemas)
    started = time.perf_counter()
    results: list[Result] = []
    with connect(url, application=APPLICATION) as conn:
        for suite in built.suites:
            results += _suite(conn, suite)
    return Report(tuple(results), time.perf_counter() - started, built.notes)


def _suite(conn: psycopg.Connection[Any], suite: dbtests.Suite) -> list[Result]:
    results: list[Result] = []
    try:
        with conn.transaction() as tx:
            try:
                conn.execute(dbtests.helper_sql())
                if suite.setup:
                    conn.execute(suite.setup)
            except psycopg.Error as exc:
                raise UserError(
                    f"schemagen: cannot prepare the checks of module {suite.module} (the probes are pg_temp "
                    f"functions: the user needs the TEMPORARY privilege; a role made for the anonymous checks needs "
                    f"CREATEROLE): {_first_line(exc)}"
                ) from None
            aborted = ""
            run = environment().get_template("dbtests/probes/run.sql.j2")
            for check in suite.checks:
                if aborted:
                    results.append(Result(suite.module, check, None, None, False, aborted))
                    continue
                try:
                    row = conn.execute(run.render(check=check)).fetchone()
                except psycopg.Error as exc:
                    aborted = f"not run: an earlier check failed with an error ({_first_line(exc)})"
                    results.append(Result(suite.module, check, None, None, False, _first_line(exc)))
                    continue
                have, want = (row[0], row[1]) if row is not None else (None, None)
                results.append(Result(suite.module, check, have, want, _passes(check, have, want)))
            raise psycopg.Rollback(tx)
    except psycopg.OperationalError as exc:
        raise UserError(f"schemagen: the connection failed while checking: {_first_line(exc)}") from None
    return results


def _passes(check: dbtests.Check, have: str | None, want: str | None) -> bool:
    if check.pattern:
        return have is not None and want is not None and re.search(want, have) is not None
    return have == want


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
