"""`schemagen migrate`: apply the chain in generated/migrations/ to a database, or take it back.

Each run takes a session-level advisory lock (a second runner waits, then finds nothing
to do), checks the history against the files (an edited or unknown migration stops it),
then runs each pending migration phase by phase, as its markers say: a transaction phase
as the file's own BEGIN ... COMMIT, with the history row written inside that transaction;
a no-transaction phase statement by statement, recorded when it ends. A run that stopped
part way (an error, a lost connection) resumes at the phase that did not complete; the
read-only checks run again first while the main transaction has not committed, since
their verdict holds only for the moment they ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import psycopg

from ..chain import history as chain_history
from ..chain import writer
from ..spec.loader import display_path
from . import UserError, phases
from .connect import connect, target
from .history import DONE, DOWN, History, Row, sql

if TYPE_CHECKING:
    from ..spec.config import Settings

    Connection = psycopg.Connection[tuple[object, ...]]

PRECHECK, MAIN = "precheck", "main"
RETRYABLE = {"55P03": "lock timeout", "40P01": "deadlock"}  # the phase was rolled back or can run again: wait and retry
BACKOFF_CAP = 30.0
# duplicate table, object, schema, function: a database made without schemagen migrate
ALREADY_THERE = {
    "42P07",
    "42710",
    "42P06",
    "42723",
}


class Echo:
    """Where progress goes (stdout) and warnings (stderr): click.echo in the CLI, a list in tests."""

    def __init__(self, out: Callable[[str, bool], None], err: Callable[[str], None]) -> None:
        self.out, self.err = out, err

    def line(self, text: str) -> None:
        self.out(text, True)

    def part(self, text: str) -> None:
        self.out(text, False)


@dataclass(frozen=True)
class Options:
    history_schema: str = "schemagen"
    to: int | None = None
    dry_run: bool = False
    baseline: int | None = None
    retries: int = 3
    lock_wait: float = 300.0
    backoff: float = 1.0  # seconds before the first retry; doubled each time, at most BACKOFF_CAP


@dataclass(frozen=True)
class Migration:
    """One migration of the folder, as `schemagen build` wrote it (checked against the manifest)."""

    version: int
    name: str
    stem: str
    checksum: str  # the manifest's, of the .sql file
    up_text: str
    down_text: str | None
    shown: str  # the .sql file as messages name it
    down_shown: str

    @cached_property
    def up(self) -> list[phases.Phase]:
        return phases.read(self.up_text)

    @cached_property
    def down(self) -> list[phases.Phase]:
        return phases.read(self.down_text or "")


def load(settings: Settings) -> list[Migration]:
    """The chain, oldest first; a file edited or missing stops here (chain_history.read, E061/E062)."""

    recorded = writer.recorded(settings.out_dir)
    result = []
    for w in chain_history.read(settings):
        up = f"{chain_history.MIGRATIONS}/{w.stem}.sql"
        down = f"{chain_history.MIGRATIONS}/{w.stem}.down.sql"
        result.append(
            Migration(
                w.version,
                w.name,
                w.stem,
                recorded[up],
                w.files[up],
                w.files.get(down),
                display_path(settings.out_dir / up),
                display_path(settings.out_dir / down),
            )
        )
    return result


# -- the commands ----------------------------------------------------------------------


def up(settings: Settings, url: str, options: Options, echo: Echo) -> None:
    chain = load(settings)
    if not chain:
        raise UserError(f"schemagen: no migration in {_shown_dir(settings)}: run `schemagen build` first")
    by_version = {m.version: m for m in chain}
    for flag, value in (("--to", options.to), ("--baseline", options.baseline)):
        if value is not None and value not in by_version:
            raise UserError(
                f"schemagen: {flag} {value}: no such migration in {_shown_dir(settings)} (there are {_versions(chain)})"
            )
    if options.baseline is not None and options.to is not None and options.to < options.baseline:
        raise UserError(f"schemagen: --to {options.to} is below --baseline {options.baseline}")
    with _session(url, options, echo) as (conn, history):
        rows = history.rows()
        check(rows, chain, settings)
        halfway_down = [r for r in rows if r.phase.startswith(DOWN)]
        if halfway_down:
            r = halfway_down[-1]
            raise UserError(
                f"schemagen: the down of {by_version[r.version].stem} stopped part way (after its phase "
                f"{r.phase.removeprefix(DOWN)}): finish it with `schemagen migrate down --to "
                f"{r.version - 1}`, then migrate"
            )
        if options.baseline is not None:
            rows = baseline(history, rows, chain, options, echo)
        applied = {r.version: r for r in rows}
        newest = max((r.version for r in rows if r.done), default=None)
        if options.to is not None and newest is not None and newest > options.to:
            raise UserError(
                f"schemagen: the database is at {by_version[newest].stem}, past --to {options.to}: take it "
                f"back with `schemagen migrate down --to {options.to}`"
            )
        pending = [
            m
            for m in chain
            if (options.to is None or m.version <= options.to)
            and not (m.version in applied and applied[m.version].done)
        ]
        if not pending:
            at = by_version[newest].stem if newest is not None else "nothing applied"
            echo.line(f"nothing to do: the database is at {at}" + (" (dry run)" if options.dry_run else ""))
            return
        started = time.monotonic()
        for m in pending:
            row = applied.get(m.version)
            done_phase = row.phase if row is not None else None
            steps = _up_steps(m, done_phase)
            if options.dry_run:
                _show_plan(m, m.shown, steps, "resume at phase " + steps[0][0].name if row else "apply", echo)
                continue
            if row is not None:
                echo.line(f"{m.stem}: resuming after phase {row.phase} (a run stopped part way)")
            _run(conn, history, m, m.shown, steps, options, echo, "applied")
        if not options.dry_run:
            echo.line(
                f"applied {len(pending)} migration(s) in {time.monotonic() - started:.2f} s: the database "
                f"is at {pending[-1].stem}"
            )


def down(settings: Settings, url: str, to: int, options: Options, echo: Echo) -> None:
    chain = load(settings)
    by_version = {m.version: m for m in chain}
    with _session(url, options, echo) as (conn, history):
        rows = history.rows()
        check(rows, chain, settings)
        targets = sorted((r for r in rows if r.version > to), key=lambda r: r.version, reverse=True)
        if not targets:
            newest = max((r.version for r in rows if r.done), default=None)
            echo.line(
                "nothing to do: the database is at "
                f"{by_version[newest].stem if newest is not None else 'no migration'}, not past {to}"
            )
            return
        problems = []
        for row in targets:
            m = by_version[row.version]
            if not row.done and not row.phase.startswith(DOWN):
                problems.append(
                    f"{m.stem} stopped part way (after phase {row.phase}): complete it with `schemagen "
                    "migrate` before taking it back"
                )
            elif not m.down_text:
                problems.append(
                    f"{m.stem} has no down migration (the first migration creates everything): --to must "
                    f"be {m.version} or more; to start again, drop the database"
                )
        if problems:
            raise UserError("\n".join(f"schemagen: {p}" for p in problems))
        started = time.monotonic()
        for row in targets:
            m = by_version[row.version]
            done_phase = row.phase.removeprefix(DOWN) if row.phase.startswith(DOWN) else None
            steps = _down_steps(m, done_phase)
            if options.dry_run:
                _show_plan(
                    m,
                    m.down_shown,
                    steps,
                    f"take back ({'resume at phase ' + steps[0][0].name if done_phase else 'run its down'})",
                    echo,
                )
                continue
            if done_phase:
                echo.line(f"{m.stem}: resuming its down after phase {done_phase}")
            _run(conn, history, m, m.down_shown, steps, options, echo, "taken back")
        if not options.dry_run:
            echo.line(
                f"took back {len(targets)} migration(s) in {time.monotonic() - started:.2f} s: the "
                f"database is at {by_version[to].stem if to in by_version else to}"
            )


# -- checks ----------------------------------------------------------------------------


def check(rows: Sequence[Row], chain: Sequence[Migration], settings: Settings) -> None:
    """Refuse a history the folder does not explain: a migration changed after it was applied,
    one the folder lacks, one skipped while a later one is applied, a down left part way."""
    by_version = {m.version: m for m in chain}
    problems = []
    for row in rows:
        m = by_version.get(row.version)
        if m is None:
            problems.append(
                f"the database has migration {row.version:04d} ({row.name}) applied, which "
                f"{_shown_dir(settings)} does not have: "
                "this folder is older than the database (update it), or belongs to another chain"
            )
        elif row.checksum != m.checksum:
            problems.append(
                f"{m.shown}: changed since it was applied to this database: applied with checksum {row.checksum}, "
                f"the file's is {m.checksum}; a migration must not change once applied (restore the file as it was, "
                "and change the spec instead, which writes a new migration)"
            )
    newest = max((r.version for r in rows), default=None)
    if newest is not None:
        applied = {r.version for r in rows}
        skipped = [m.stem for m in chain if m.version < newest and m.version not in applied]
        if skipped:
            problems.append(
                f"{', '.join(skipped)} not applied while a later migration is: the history was changed by "
                "hand, or --baseline skipped it"
            )
    if problems:
        raise UserError("\n".join(f"schemagen: {p}" for p in problems))


def baseline(history: History, rows: list[Row], chain: Sequence[Migration], options: Options, echo: Echo) -> list[Row]:
    """Record the migrations up to --baseline as applied without running them (adopting a database
    that already has their schema; `schemagen drift --against VERSION` tells whether it does)."""
    assert options.baseline is not None
    if rows:
        raise UserError(
            "schemagen: --baseline adopts a database without history, but "
            f"{history.schema}.schemagen_migrations already has {len(rows)} row(s)"
        )
    adopted = [m for m in chain if m.version <= options.baseline]
    for m in adopted:
        if not options.dry_run:
            history.baseline(m.version, m.name, m.checksum)
        echo.line(f"{m.stem}: recorded as applied, not run (--baseline){' (dry run)' if options.dry_run else ''}")
    return [Row(m.version, m.name, m.checksum, DONE) for m in adopted]


# -- running phases --------------------------------------------------------------------

Step = tuple[phases.Phase, str | None]  # a phase and what the history records when it ends (None: nothing)


def _up_steps(m: Migration, done_phase: str | None) -> list[Step]:
    return _steps(m.up, done_phase, m, m.shown, last=DONE, prefix="")


def _down_steps(m: Migration, done_phase: str | None) -> list[Step]:
    return _steps(m.down, done_phase, m, m.down_shown, last="", prefix=DOWN)  # "": the row is removed


def _steps(
    file_phases: list[phases.Phase], done_phase: str | None, m: Migration, shown: str, last: str, prefix: str
) -> list[Step]:
    if not file_phases:
        raise UserError(f"schemagen: {shown}: no statement to run")
    names = [p.name for p in file_phases]
    records = [prefix + p.name for p in file_phases[:-1]] + [last]
    steps: list[Step] = list(zip(file_phases, records, strict=True))
    if done_phase is None:
        return steps
    if done_phase not in names:
        raise UserError(
            f"schemagen: {shown}: the history says phase {done_phase} of {m.stem} completed, but the file "
            f"has no such phase ({', '.join(names)})"
        )
    after = names.index(done_phase) + 1
    rest = steps[after:]
    if MAIN in names[after:] and PRECHECK in names[:after]:
        rest.insert(0, (file_phases[names.index(PRECHECK)], None))  # checked again, not recorded again
    return rest


def _show_plan(m: Migration, shown: str, steps: list[Step], what: str, echo: Echo) -> None:
    echo.line(f"{m.stem}: would {what} ({shown})")
    for phase, _record in steps:
        mode = "transaction" if phase.transactional else "no transaction"
        echo.line(f"  {phase.name:<9} {mode:<15} lines {phase.line}-{phase.last_line}, {len(phase.body)} statement(s)")


def _run(
    conn: Connection,
    history: History,
    m: Migration,
    shown: str,
    steps: list[Step],
    options: Options,
    echo: Echo,
    verb: str,
) -> None:
    echo.line(m.stem)
    total = 0.0
    for phase, record in steps:
        mode = "transaction" if phase.transactional else "no transaction"
        echo.part(f"  {phase.name:<9} {mode:<15}")

        def bookkeeping(ms: int, record: str | None = record) -> None:
            if record == "":
                history.forget(m.version)
            elif record is not None:
                history.record(m.version, m.name, m.checksum, record, ms)

        total += _phase(conn, phase, bookkeeping, m, shown, options, echo)
    echo.line(f"{m.stem}: {verb} in {total:.2f} s")


def _phase(
    conn: Connection,
    phase: phases.Phase,
    bookkeeping: Callable[[int], None],
    m: Migration,
    shown: str,
    options: Options,
    echo: Echo,
) -> float:

    attempt = 0
    started = time.monotonic()
    while True:
        current: list[phases.Statement] = []
        try:
            _execute(conn, phase, lambda: bookkeeping(round((time.monotonic() - started) * 1000)), current)
        except psycopg.Error as exc:
            lost = conn.closed or isinstance(exc, psycopg.OperationalError) and exc.sqlstate is None
            if not lost:
                _rollback(conn)
            reason = RETRYABLE.get(exc.sqlstate or "")
            if reason and not lost and attempt < options.retries:
                attempt += 1
                wait = min(BACKOFF_CAP, options.backoff * 2 ** (attempt - 1))
                where = f"{shown}:{current[-1].line}" if current else shown
                echo.line(f" {reason} at {where}; retry {attempt} of {options.retries} in {wait:g} s")
                echo.part(f"  {phase.name:<9} {'transaction' if phase.transactional else 'no transaction':<15}")
                time.sleep(wait)
                continue
            echo.line(" failed")
            raise UserError(_failure(exc, phase, current[-1] if current else None, m, shown, attempt, lost)) from None
        took = time.monotonic() - started
        echo.line(f" {took:8.2f} s")
        return took


def _execute(
    conn: Connection, phase: phases.Phase, bookkeeping: Callable[[], None], current: list[phases.Statement]
) -> None:
    """The phase's statements as written; the history is written just before its COMMIT (so a
    transaction phase and its record commit together), or after its last statement."""
    recorded = False
    for statement in phase.statements:
        if statement.kind == phases.COMMIT and not recorded and in_transaction(conn) and not read_only(conn):
            bookkeeping()
            recorded = True
        current.append(statement)
        conn.execute(statement.sql)  # no parameters: the text is sent as written
    if not recorded:
        bookkeeping()


def in_transaction(conn: Connection) -> bool:

    return conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS


def read_only(conn: Connection) -> bool:
    """Whether the open transaction is READ ONLY (the checks): its record is written after it."""

    row = conn.execute(sql("transaction_read_only")).fetchone()
    return bool(row and row[0])


def _rollback(conn: Connection) -> None:

    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        conn.execute(sql("rollback"))


def _failure(
    exc: Exception,
    phase: phases.Phase,
    statement: phases.Statement | None,
    m: Migration,
    shown: str,
    attempts: int,
    lost: bool,
) -> str:
    where = f"{shown}:{statement.line}" if statement else shown
    what = _error_text(exc)
    if lost:
        what = f"the connection to the database was lost ({what})"
    lines = [f"{where}: phase {phase.name} of {m.stem} failed: {what}"]
    if statement is not None:
        first = statement.sql.splitlines()[0]
        lines.append(f"  at: {first[:160]}")
    if attempts:
        lines.append(f"  after {attempts} retr{'y' if attempts == 1 else 'ies'} (--retries)")
    if getattr(exc, "sqlstate", None) in ALREADY_THERE and not m.down_text:
        lines.append(
            f"  the database already has this schema's objects: if it is at {m.stem} or later, adopt it "
            "with `schemagen migrate --baseline VERSION` (after `schemagen drift --against VERSION` shows "
            "no difference)."
        )
    if phase.transactional:
        lines.append(
            "  the phase runs in one transaction: none of it was kept. Fix the cause and run `schemagen "
            "migrate` again: it resumes at this phase."
        )
    else:
        lines.append(
            "  the phase runs outside a transaction: what it did before that statement is committed, and "
            "every statement of it can run again."
            " Fix the cause and run `schemagen migrate` again: it resumes at this phase."
        )
    return "schemagen: " + "\n".join(lines)


def _error_text(exc: Exception) -> str:

    if isinstance(exc, psycopg.Error) and exc.diag.message_primary:
        text = exc.diag.message_primary
        extra = [exc.diag.message_detail, exc.diag.message_hint]
        text += "".join(f"\n  {line}" for part in extra if part for line in part.splitlines())
        return f"{text} (SQLSTATE {exc.sqlstate})"
    return " ".join(str(exc).split()) or type(exc).__name__


# -- the session -----------------------------------------------------------------------


class _session:
    """Connected, locked (unless a dry run), the history table present; closed at the end
    (which also releases the lock)."""

    def __init__(self, url: str, options: Options, echo: Echo) -> None:
        self.url, self.options, self.echo = url, options, echo

    def __enter__(self) -> tuple[Connection, History]:

        self.conn = connect(self.url)
        self.conn.add_notice_handler(self._notice)
        history = History(self.conn, self.options.history_schema)
        self.echo.line(f"database {target(self.conn)}, history {history.schema}.schemagen_migrations")
        if not self.options.dry_run:
            history.lock(
                self.options.lock_wait,
                lambda holder: self.echo.line(
                    f"waiting up to {self.options.lock_wait:g} s for the lock held by another run ({holder})"
                ),
            )
            history.ensure()
        return self.conn, history

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def _notice(self, diag: psycopg.errors.Diagnostic) -> None:
        if diag.severity_nonlocalized == "WARNING":
            self.echo.err(f"  warning: {diag.message_primary}")


def _shown_dir(settings: Settings) -> str:

    return display_path(settings.out_dir / "migrations") + "/"


def _versions(chain: Sequence[Migration]) -> str:
    return ", ".join(str(m.version) for m in chain)
