"""The `schemagen` command.

A user's mistake prints `file:line:col: CODE message` lines and exits 1; a
crash of schemagen itself exits 2.

The only imports inside functions in the whole package are here: each command
imports the packages it runs (pipeline, resolve, lint, sql, chain, spec, db)
when it runs. `schemagen --help` then loads click alone, not pydantic, jinja2,
pglast and psycopg (a third of a second); `build` loads no psycopg (only
`migrate` and `drift` do), and `sql`, `lint` and `standins` do not load the
outputs they do not write (`lint` loads chain/history.py, and with it
the diff, only when the spec has allow_destructive entries to check).
tests/test_architecture.py keeps it so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any

import click

from .errors import SpecError

EXIT_USER_ERROR = 1
EXIT_CRASH = 2

# Set by run(): the process ends with the command, so nothing after it needs the
# garbage collector back (turned on again, its first pass would walk everything
# the command allocated: a quarter of a second on 1,000 tables).
_process_ends_with_command = False


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # A command builds millions of small objects that all live until it ends;
        # the cyclic collector would scan them again and again for nothing (a
        # third of a 1,000-table build). Paused for the command, not for good:
        # tests invoke commands in-process.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        except SpecError as exc:
            for diag in exc.diagnostics:
                click.echo(str(diag), err=True)
            n = len(exc.diagnostics)
            click.echo(f"schemagen: {n} error{'s' if n != 1 else ''}; nothing was written", err=True)
            sys.exit(EXIT_USER_ERROR)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except OSError as exc:  # a full disk or a read-only directory is not a bug in schemagen
            where = f" {exc.filename}" if exc.filename else ""
            click.echo(
                f"schemagen: cannot write{where}: {exc.strerror or exc}; generated files were left as they were",
                err=True,
            )
            sys.exit(EXIT_USER_ERROR)
        except Exception:  # noqa: BLE001 - the last resort on purpose: a bug in schemagen, said so with the traceback for the report
            traceback.print_exc()
            click.echo("schemagen: internal error (this is a bug in schemagen, not in your spec)", err=True)
            sys.exit(EXIT_CRASH)
        finally:
            if collecting and not _process_ends_with_command:
                gc.enable()

    return wrapper


spec_option = click.option(
    "--spec", "spec_dir", metavar="DIR", help="Spec directory (default: [tool.schemagen] spec_dir, else spec/)."
)
out_option = click.option(
    "--out", "out_dir", metavar="DIR", help="Output directory (default: [tool.schemagen] out_dir, else generated/)."
)


class _Group(click.Group):
    """Exit 1 for every mistake of the user's, a wrong option included; 2 only when schemagen itself fails.

    Click's own convention gives usage errors 2, which would make a typo in a
    CI script look like a crash, so its errors are handled here instead.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.ClickException as exc:  # UsageError, BadParameter, NoSuchOption, ...
            exc.show()
            sys.exit(EXIT_USER_ERROR)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(EXIT_USER_ERROR)
        if isinstance(result, int) and result:  # ctx.exit(n) returns n outside standalone mode
            sys.exit(result)
        return result


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="schemagen")
def main() -> None:
    """Turn a YAML description of a PostgreSQL schema into migration SQL, models and docs.

    Settings are read from [tool.schemagen] in the nearest pyproject.toml
    (spec_dir, out_dir, migration_name); none is required.
    """


@main.command()
@spec_option
@out_option
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and list the stale files if the output directory differs from what would be generated.",
)
@click.option(
    "--name",
    "migration_name",
    metavar="NAME",
    help="Name of the next migration when the spec changed (default: derived from the change); lowercase "
    "letters, digits and _.",
)
@_guarded
def build(spec_dir: str | None, out_dir: str | None, check: bool, migration_name: str | None) -> None:
    """Generate every artifact from the spec into the output directory.

    Only files whose bytes change are rewritten, each atomically; on any error
    nothing is written. Migrations already written are never rewritten: when
    the spec differs from the state after the last one, the difference becomes
    the next migration (with its .down.sql and .state.json). Exit status: 0
    success, 1 spec error, edited or missing migration, or stale output (with
    --check), 2 internal error.
    """
    from . import pipeline
    from .chain import writer
    from .spec import config

    if migration_name is not None and not re.fullmatch(r"[a-z0-9_]+", migration_name):
        raise click.BadParameter("lowercase letters, digits and _ only", param_hint="--name")
    settings = config.load(spec_dir=spec_dir, out_dir=out_dir)
    out = settings.out_dir
    shown = _shown(out)
    with _locked(out, exclusive=not check):
        result = pipeline.generate(settings, migration_name)
        outputs = writer.with_manifest(result.outputs)
        for note in result.notes:
            click.echo(note)
        if check:
            stale = writer.stale(out, outputs)
            left = writer.leftovers(out)
            for rel in stale:
                # a layout's files may lie beside the output directory
                click.echo(f"stale: {os.path.normpath(f'{shown}/{rel}')}", err=True)
            for rel in left:
                click.echo(f"left by an interrupted build: {shown}/{rel}", err=True)
            if stale or left:
                click.echo(
                    f"schemagen: {len(stale) + len(left)} generated file(s) out of date; run `schemagen build`",
                    err=True,
                )
                sys.exit(EXIT_USER_ERROR)
            click.echo(f"{shown}/ is up to date ({len(outputs)} files)")
            return
        touched = writer.write(out, outputs)
    click.echo(
        f"wrote {len(touched)} of {len(outputs)} files in {shown}/"
        if touched
        else f"{shown}/ is up to date ({len(outputs)} files)"
    )
    _lint_summary(result.findings)


@main.command()
@spec_option
@out_option
@click.argument("migration")
@_guarded
def discard(spec_dir: str | None, out_dir: str | None, migration: str) -> None:
    """Remove the newest migration (MIGRATION: its name, e.g. 0026_add_color, or its number), if no database has run it.

    Its .sql, .down.sql and .state.json go, with their manifest entries; then
    edit the spec and run `schemagen build` to write it again. Only the newest
    can be discarded, one at a time, and only one that no database has run:
    a database that has run it would no longer match the chain.
    """
    from .chain import history
    from .spec import config

    settings = config.load(spec_dir=spec_dir, out_dir=out_dir)
    with _locked(settings.out_dir, exclusive=True):
        try:
            removed = history.discard(settings, migration)
        except history.CannotDiscard as exc:
            raise click.UsageError(str(exc)) from None
    shown = _shown(settings.out_dir)
    for rel in removed:
        click.echo(f"removed {shown}/{rel}")
    click.echo("discarded; edit the spec and run `schemagen build` to write the next migration")


@contextlib.contextmanager
def _locked(out: Any, *, exclusive: bool) -> Iterator[None]:
    """The output directory's lock (see lock.py). A second run says whom it waits for; one that
    waited too long exits 1 (another run's work is the user's situation, not a crash)."""
    from .chain import lock

    def waiting(holder: str) -> None:
        click.echo(f"schemagen: waiting for {holder}, which is using {_shown(out)}/ ...", err=True)

    try:
        with lock.held(out, exclusive=exclusive, waiting=waiting):
            yield
    except lock.Busy as exc:
        click.echo(
            f"schemagen: {_shown(out)}/ is still in use by {exc} after {lock.timeout():g} s "
            "(SCHEMAGEN_LOCK_TIMEOUT); nothing was written: run again when it has finished",
            err=True,
        )
        sys.exit(EXIT_USER_ERROR)


def _lint_summary(findings: Any) -> None:
    from .lint import report

    click.echo(
        f"lint: {report.summary(findings)}" + ("; `schemagen lint` shows them" if report.active(findings) else "")
    )


@main.command()
@spec_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "markdown"]),
    default="text",
    show_default=True,
    help="Output format; markdown only with --list-rules.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The date the partition horizon is measured from (default: today).",
)
@click.option("--list-rules", is_flag=True, help="Print every rule with its id, default severity and why it matters.")
@_guarded
def lint(spec_dir: str | None, fmt: str, strict: bool, today: Any, list_rules: bool) -> None:
    """Check the spec for unsafe, slow and broken schema design; no database needed.

    Prints `file:line:col: severity RULE-ID name: message (object)` and a hint
    per finding. Exit status: 1 when there is an error (or a warning, with
    --strict), else 0. Rules: generated/docs/lint-rules.md.
    """
    from . import resolve
    from .lint import Options, report
    from .lint import lint as run_lint
    from .spec import config

    if list_rules:
        listing = {
            "text": report.rules_text,
            "json": report.rules_json,
            "github": report.rules_text,
            "markdown": report.rules_markdown,
        }[fmt]
        click.echo(listing(), nl=False)
        return
    if fmt == "markdown":
        raise click.UsageError("--format markdown goes with --list-rules")
    settings = config.load(spec_dir=spec_dir)
    schema, origins, _sources = resolve.load_located(settings)
    day = today.date() if today is not None else datetime.date.today()
    options = Options.from_settings(settings, day)
    if schema.intent.allow_destructive:  # C311: an entry the newest migration used up
        from .chain.history import newest_confirmed

        stem, confirmed = newest_confirmed(settings)
        options = dataclasses.replace(
            options, spent=tuple(e for e in schema.intent.allow_destructive if e in confirmed), last_migration=stem
        )
    findings = run_lint(schema, origins, options)
    if fmt == "json":
        docs_page = os.path.relpath(settings.out_dir / "docs" / "lint-rules.md", settings.root).replace(os.sep, "/")
        click.echo(report.as_json(findings, docs_page), nl=False)
    else:
        click.echo({"text": report.text, "github": report.github}[fmt](findings), nl=False)
    click.echo(f"lint: {report.summary(findings)}", err=True)
    sys.exit(report.exit_status(findings, strict))


@main.command()
@spec_option
@_guarded
def sql(spec_dir: str | None) -> None:
    """Print the from-scratch SQL that creates the whole schema of the spec."""
    from . import resolve
    from .spec import config
    from .sql import from_scratch

    settings = config.load(spec_dir=spec_dir)
    schema, sources = resolve.load_schema(settings)
    click.echo(from_scratch.migration_sql(schema, sources), nl=False)


@main.command("json-schema")
@_guarded
def json_schema() -> None:
    """Print the JSON Schema of spec files (for editor completion and checking).

    `schemagen build` also writes it to <out>/spec.schema.json; point a spec
    file at it with `# yaml-language-server: $schema=../generated/spec.schema.json`.
    """
    from .spec.model import json_schema as schema

    click.echo(json.dumps(schema(), indent=2, sort_keys=True))


@main.command()
@spec_option
@_guarded
def standins(spec_dir: str | None) -> None:
    """Print SQL that creates minimal stand-ins for the spec's external objects (for test databases)."""
    from . import resolve
    from .spec import config
    from .sql.standins import standin_sql

    settings = config.load(spec_dir=spec_dir)
    schema, _ = resolve.load_schema(settings)
    click.echo(standin_sql(schema), nl=False)


def _database_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """What `migrate` and `migrate down` share: where the database and the migrations are, how long to wait."""
    options = [
        click.option(
            "--database-url",
            envvar="DATABASE_URL",
            metavar="URL",
            help="postgresql://user:password@host:port/dbname (default: $DATABASE_URL, which keeps the password "
            "out of the process list).",
        ),
        out_option,
        click.option(
            "--history-schema",
            metavar="NAME",
            help="Schema of the history table schemagen_migrations (default: [tool.schemagen] history_schema, "
            "else schemagen).",
        ),
        click.option(
            "--dry-run",
            is_flag=True,
            help="Print what would run, phase by phase, and change nothing (no lock taken, no history table created).",
        ),
        click.option(
            "--retries",
            type=click.IntRange(min=0),
            default=3,
            show_default=True,
            metavar="N",
            help="Run a phase again, after 1, 2, 4 ... s, when it failed on its lock_timeout or a deadlock (the "
            "phase was rolled back, or can run again).",
        ),
        click.option(
            "--lock-wait",
            type=click.FloatRange(min=0),
            default=300,
            show_default=True,
            metavar="SECONDS",
            help="How long to wait for another run of schemagen migrate on the same database; then exit 1, naming it.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _migrate_options(
    settings: Any, history_schema: str | None, dry_run: bool, retries: int, lock_wait: float, **more: Any
) -> Any:
    from .db.migrate import Options
    from .spec.config import value_problem

    schema = history_schema if history_schema is not None else settings.history_schema
    problem = value_problem(schema, settings.layout)
    if problem:
        raise click.BadParameter(
            problem.removeprefix("history_schema must be ").capitalize(), param_hint="--history-schema"
        )
    return Options(history_schema=schema, dry_run=dry_run, retries=retries, lock_wait=lock_wait, **more)


def _echo() -> Any:
    from .db.migrate import Echo

    return Echo(lambda text, nl: click.echo(text, nl=nl), lambda text: click.echo(text, err=True))


def _database_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """A refusal or a failed phase (db.UserError) is the user's to resolve: its message, exit 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .db import UserError

        try:
            return func(*args, **kwargs)
        except UserError as exc:
            click.echo(str(exc), err=True)
            sys.exit(EXIT_USER_ERROR)
        except Exception as exc:
            if not type(exc).__module__.startswith("psycopg"):
                raise
            # The database refused what schemagen asked outside a migration's phases (no right to
            # create the history schema, the connection lost while reading it): the user's to fix.
            text = " ".join(str(exc).split()) or type(exc).__name__
            state = getattr(exc, "sqlstate", None)
            click.echo(f"schemagen: the database refused: {text}" + (f" (SQLSTATE {state})" if state else ""), err=True)
            sys.exit(EXIT_USER_ERROR)

    return wrapper


@main.group(invoke_without_command=True)
@_database_options
@click.option(
    "--to", "to", type=int, metavar="VERSION", help="Apply the pending migrations up to VERSION only (default: all)."
)
@click.option(
    "--baseline",
    type=int,
    metavar="VERSION",
    help="Record the migrations up to VERSION as applied without running them (a database that already has "
    "their schema), then apply the rest.",
)
@click.pass_context
@_guarded
@_database_errors
def migrate(
    ctx: click.Context,
    database_url: str | None,
    out_dir: str | None,
    history_schema: str | None,
    dry_run: bool,
    retries: int,
    lock_wait: float,
    to: int | None,
    baseline: int | None,
) -> None:
    """Apply the pending migrations of the output directory to a database.

    Each migration runs phase by phase as its file says (a transaction phase as one
    transaction, the others statement by statement), and the history table
    <history_schema>.schemagen_migrations records each phase, so a run that stopped part
    way resumes at the phase that did not complete. An advisory lock keeps two runs
    apart. A migration edited after it was applied, or one the database has and the
    folder lacks, stops the run before anything runs. Exit status: 0 done (or nothing
    to do), 1 refused or a phase failed (the message says which and where), 2 internal error.
    `schemagen migrate down --to VERSION` takes migrations back.
    """
    if ctx.invoked_subcommand is not None:
        return
    from .db import migrate as runner
    from .spec import config

    settings = config.load(out_dir=out_dir)
    options = _migrate_options(settings, history_schema, dry_run, retries, lock_wait, to=to, baseline=baseline)
    runner.up(settings, database_url or "", options, _echo())


@migrate.command("down")
@_database_options
@click.option(
    "--to",
    "to",
    type=int,
    required=True,
    metavar="VERSION",
    help="The version to go back to: every applied migration after it is taken back, newest first.",
)
@_guarded
@_database_errors
def migrate_down(
    database_url: str | None,
    out_dir: str | None,
    history_schema: str | None,
    dry_run: bool,
    retries: int,
    lock_wait: float,
    to: int,
) -> None:
    """Take back the migrations applied after VERSION, newest first, with their down files.

    Each down file runs phase by phase, and its history row is removed when it completes
    (a down that stopped part way resumes with the same command). Data that the earlier
    schema cannot hold stops a down before it changes anything (its checks name the rows).
    """
    from .db import migrate as runner
    from .spec import config

    settings = config.load(out_dir=out_dir)
    options = _migrate_options(settings, history_schema, dry_run, retries, lock_wait)
    runner.down(settings, database_url or "", to, options, _echo())


@main.command()
@click.option(
    "--database-url",
    "url",
    required=True,
    metavar="URL",
    envvar="DATABASE_URL",
    help="The database to check: postgresql://user@host:5432/dbname (default: $DATABASE_URL).",
)
@click.option(
    "--against",
    metavar="VERSION",
    help="Compare with this migration's state (a version number, or `newest`) instead of the last one the "
    "database's history records.",
)
@click.option(
    "--schema",
    "schemas",
    multiple=True,
    metavar="NAME",
    help="A schema to compare (repeatable; default: the schemas the spec uses).",
)
@click.option(
    "--history-schema",
    metavar="NAME",
    help="Schema of the schemagen_migrations history table (default: [tool.schemagen] history_schema, else schemagen).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
@click.option(
    "--sql",
    "with_sql",
    is_flag=True,
    help="Print the SQL that brings the database back to the migrations' state (the differences become its header).",
)
@out_option
@_guarded
@_database_errors
def drift(
    url: str,
    against: str | None,
    schemas: tuple[str, ...],
    history_schema: str | None,
    fmt: str,
    with_sql: bool,
    out_dir: str | None,
) -> None:
    """Compare a live database with the state its migrations give it; no shadow database needed.

    Reads the database's catalog and compares it with the saved state of the
    last migration applied to it (its schemagen_migrations history), or of
    --against VERSION. Prints each difference: the object, what the database
    has, what the migrations say. Exit status: 0 no drift, 1 drift or an
    error (bad URL, no history, unknown version), 2 internal error.
    """
    from .db.drift import run as check
    from .spec import config

    settings = config.load(out_dir=out_dir)
    report = check(settings, url, against=against, schemas=schemas, history_schema=history_schema, sql=with_sql)
    if fmt == "json":
        click.echo(report.json(), nl=False)
    elif with_sql:
        click.echo(report.sql, nl=False)  # the differences are its header: the output can go to psql as it is
    else:
        click.echo(report.text(), nl=False)
    click.echo(report.summary(), err=True)
    sys.exit(EXIT_USER_ERROR if report.drifted else 0)


@main.command("import")
@click.option(
    "--database-url",
    "url",
    metavar="URL",
    envvar="DATABASE_URL",
    help="The database to import: postgresql://user@host:5432/dbname (default: $DATABASE_URL).",
)
@click.option(
    "--from-sql",
    "from_sql",
    multiple=True,
    type=click.Path(exists=True),
    metavar="FILE_OR_DIR",
    help="Instead of a database: SQL files (a directory's *.sql in name order, e.g. supabase/migrations/, or "
    "pg_dump --schema-only output) applied to a throwaway PostgreSQL, then imported (repeatable).",
)
@click.option(
    "--schema",
    "schemas",
    multiple=True,
    metavar="NAME",
    help="A schema to import (repeatable; default public). Objects of other schemas it uses go under external:.",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="PATTERN",
    help="Leave out the objects whose name (`name` or `schema.name`) matches this shell pattern (repeatable): they "
    "are listed under external: where the imported ones use them.",
)
@click.option(
    "--module-by",
    type=click.Choice(["schema", "table-prefix", "one"]),
    default="schema",
    show_default=True,
    help="One spec file per schema, per table-name prefix (the part before the first _), or one file.",
)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="The spec directory to write.")
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Exit 0 even when some objects cannot be expressed in the spec (they are listed all the same).",
)
@_guarded
@_database_errors
def import_(
    url: str | None,
    from_sql: tuple[str, ...],
    schemas: tuple[str, ...],
    exclude: tuple[str, ...],
    module_by: str,
    out: str,
    allow_partial: bool,
) -> None:
    """Write spec YAML from a live database's catalog (or from SQL files): to adopt schemagen.

    Policy templates are found again where tables share a policy pattern, PostgreSQL's
    defaults and the names it would choose are left out, comments kept, and what the
    imported objects use from other schemas is declared under external:. What the spec
    cannot express is listed (kind, name, why) on stderr and at the top of the file.
    Exit status: 0 imported, 1 some objects could not be (unless --allow-partial) or an
    error, 2 internal error. Then `schemagen build` writes the baseline migration
    (README: Adopting schemagen).
    """
    from . import importer

    if not url and not from_sql:
        raise click.UsageError("give --database-url (or $DATABASE_URL), or --from-sql")
    options = importer.Options(schemas=schemas, exclude=exclude, module_by=module_by)
    result = importer.from_sql([Path(p) for p in from_sql], options) if from_sql else importer.read(url or "", options)
    importer.write(result, Path(out))
    for name in result.files:
        click.echo(f"wrote {_shown(Path(out) / name)}", err=True)
    for left in result.left:
        click.echo(f"schemagen: not imported: {left.line}", err=True)
    if result.left:
        n = len(result.left)
        click.echo(f"schemagen: {n} object{'s' if n != 1 else ''} the spec cannot express (listed above)", err=True)
        if not allow_partial:
            sys.exit(EXIT_USER_ERROR)


@main.command()
@click.option(
    "--database-url",
    "url",
    required=True,
    metavar="URL",
    envvar="DATABASE_URL",
    help="The database whose time partitions to maintain (default: $DATABASE_URL); the user must own the tables.",
)
@click.option(
    "--now",
    metavar="TIMESTAMP",
    help="Maintain as of this moment (timestamptz text) instead of the server's now(): to catch up or to rehearse.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Times a busy table's skipped partitions are tried again (after 1, 2, 4 ... s).",
)
@click.option(
    "--list",
    "list_only",
    is_flag=True,
    help="Maintain nothing: print, as Markdown for the docs, each table's partitions that exist (attached with "
    "their bounds, or detached).",
)
@spec_option
@_guarded
@_database_errors
def partitions(url: str, now: str | None, retries: int, list_only: bool, spec_dir: str | None) -> None:
    """Run the maintenance of every time-partitioned table: partitions made ahead, old ones retired.

    Calls each table's <schema>.maintain_<table>_partitions() (made by the migrations), the work
    a pg_cron schedule does; run it from any scheduler (cron, a CI job, Kubernetes CronJob), daily
    or more often: a run with nothing to do changes nothing. Exit status: 0 done, 1 a partition
    is still left for the next run (the table stayed busy) or the database cannot be reached, 2
    internal error. With --list, only reads: the partitions that exist, per table.
    """
    from . import resolve
    from .db.partitions import listing
    from .db.partitions import run as maintain
    from .spec import config

    settings = config.load(spec_dir=spec_dir)
    schema, _sources = resolve.load_schema(settings)
    if list_only:
        click.echo(listing(schema, url), nl=False)
        return
    outcome = maintain(schema, url, now=now, retries=retries, say=click.echo)
    if outcome.left:
        click.echo(f"schemagen: left for the next run: {', '.join(outcome.left)}", err=True)
        sys.exit(EXIT_USER_ERROR)


@main.command("test")
@click.option(
    "--database-url",
    "url",
    required=True,
    metavar="URL",
    envvar="DATABASE_URL",
    help="The database to check: postgresql://user@host:5432/dbname (default: $DATABASE_URL). The user must own "
    "the tables (or bypass row level security) and be able to SET ROLE to the tenancy's roles.",
)
@spec_option
@_guarded
@_database_errors
def test_database(url: str, spec_dir: str | None) -> None:
    """Check a live database against the spec, without pgTAP: the checks of generated/tests/<module>.sql.

    Structure (every table, column, key, index, enum, partition, function, trigger, policy and
    privilege the spec states) and, where the spec states its tenancy, isolation: rows for two
    tenants, then what each tenant's user can and cannot do. Everything runs in transactions that
    are rolled back: no row is left behind. Prints a TAP report. Exit status: 0 every check
    passed, 1 a check failed or the database cannot be reached, 2 internal error.
    """
    from . import resolve
    from .db.dbtests import run as check
    from .spec import config

    settings = config.load(spec_dir=spec_dir)
    schema, _sources = resolve.load_schema(settings)
    report = check(schema, settings, url)
    click.echo(report.tap(), nl=False)
    for note in report.notes:
        click.echo(note, err=True)
    click.echo(report.summary(), err=True)
    sys.exit(EXIT_USER_ERROR if report.failed else 0)


def run() -> None:
    """The `schemagen` console command: `main`, then exit without tearing the interpreter down.

    Python's shutdown frees every object one by one and runs a last full garbage
    collection: half a second after a 1,000-table build, for memory the operating
    system takes back at once. In-process callers (tests) use `main`, which returns.
    """
    global _process_ends_with_command
    _process_ends_with_command = True
    try:
        main()
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        pass
    os._exit(code or 0)


def _shown(path: str | os.PathLike[str]) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover
        return str(path)
