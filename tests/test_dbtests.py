"""`schemagen test` and generated/tests/<module>.sql on a real PostgreSQL.

The reference database (stand-ins, then 0024 and 0025 applied by `schemagen migrate`) passes every
check, and leaves no row behind. Each sabotage below, made by hand on a fresh copy of it, makes
`schemagen test` exit 1 with a failing check that names the sabotaged object, and the healthy
database stays green: a gate that is red on a good database is no gate.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pg
import psycopg
import pytest
from click.testing import CliRunner, Result
from schemagen.cli import main

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "spec"
OUT = REPO / "generated"
TABLES = ["public.organization", "auth.users_extended", "sync_preview_cache", "sync_progress", "sync_activity_log"]


def migrate(url: str) -> None:
    result = CliRunner().invoke(main, ["migrate", "--database-url", url, "--out", str(OUT)])
    assert result.exit_code == 0, result.output


def run_test(url: str, spec: Path = SPEC) -> Result:
    return CliRunner().invoke(main, ["test", "--database-url", url, "--spec", str(spec)])


def failures(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("not ok")]


@pytest.fixture(scope="module")
def reference(pg_admin_url: str) -> Iterator[str]:
    """The reference database: the template of every case (copied, never changed)."""
    url = pg.create_database(pg_admin_url, prefix="dbtests_reference")
    try:
        pg.apply_sql(url, pg.standin_sql())
        migrate(url)
        yield url
    finally:
        pg.drop_database(pg_admin_url, url)


@pytest.fixture
def copy(pg_admin_url: str, reference: str) -> Iterator[str]:
    """A fresh copy of the reference database."""
    name = f"dbtests_case_{time.monotonic_ns()}"
    with pg.connect(pg_admin_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{psycopg.conninfo.conninfo_to_dict(reference)["dbname"]}"')
    url = pg.with_dbname(pg_admin_url, name)
    try:
        yield url
    finally:
        pg.drop_database(pg_admin_url, url)


def counts(url: str) -> dict[str, int]:
    with pg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_the_reference_database_passes_every_check_fast_and_keeps_no_row(reference: str) -> None:
    pg.apply_sql(reference, "INSERT INTO organization VALUES ('00000000-0000-4000-8000-000000000001')")
    before = counts(reference)
    try:
        result = run_test(reference)
        assert result.exit_code == 0, result.output
        assert failures(result.output) == []
        plan = re.search(r"^1\.\.(\d+)$", result.output, re.MULTILINE)
        assert plan is not None and int(plan.group(1)) > 200
        assert len(re.findall(r"^ok \d+ - ", result.output, re.MULTILINE)) == int(plan.group(1))
        seconds = float(re.search(r"checks in ([\d.]+) s", result.output).group(1))
        assert seconds < 2.0, f"the checks took {seconds} s"
        assert counts(reference) == before  # every row the checks made is gone
        with pg.connect(reference) as conn:
            assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'schemagen%'").fetchone()[0] == 0
    finally:
        pg.apply_sql(reference, "DELETE FROM organization WHERE id = '00000000-0000-4000-8000-000000000001'")


def test_the_checks_are_those_of_the_pgtap_file(reference: str) -> None:
    """`schemagen test` runs the checks generated/tests/sync_operations.sql holds, in its order."""
    labels = [line.split(" - ", 1)[1] for line in run_test(reference).output.splitlines() if line.startswith("ok ")]
    text = (OUT / "tests" / "sync_operations.sql").read_text()
    in_file = re.findall(r"^    '((?:[^']|'')*)'\n\);$", text, re.MULTILINE)
    assert [label.replace("''", "'") for label in in_file] == labels
    assert re.search(r"SELECT plan\((\d+)\);", text).group(1) == str(len(labels))


# Each sabotage, and what a failing check must name.
SABOTAGES = {
    "policy USING true": (
        "ALTER POLICY sync_progress_select ON sync_progress USING (true)",
        ["public.sync_progress: the user of tenant a sees no row of tenant b"],
    ),
    "policy WITH CHECK true": (
        "ALTER POLICY preview_cache_insert ON sync_preview_cache WITH CHECK (true)",
        ["public.sync_preview_cache: the user of tenant a cannot insert a row for tenant b"],
    ),
    "update policy WITH CHECK true": (
        "ALTER POLICY sync_progress_update ON sync_progress WITH CHECK (true)",
        ["public.sync_progress: the user of tenant a cannot move its own row to tenant b"],
    ),
    "policy dropped": (
        "DROP POLICY sync_progress_delete ON sync_progress",
        [
            "policy sync_progress_delete on public.sync_progress",
            "public.sync_progress: the user of tenant a can delete",
        ],
    ),
    "RLS disabled on the partitioned parent": (
        "ALTER TABLE sync_activity_log DISABLE ROW LEVEL SECURITY",
        [
            "table public.sync_activity_log: row level security enabled",
            "public.sync_activity_log: the user of tenant a sees no row of tenant b",
        ],
    ),
    "RLS disabled on a plain table": (
        "ALTER TABLE sync_preview_cache DISABLE ROW LEVEL SECURITY",
        ["table public.sync_preview_cache: row level security enabled"],
    ),
    "SELECT granted to PUBLIC": (
        "GRANT SELECT ON sync_preview_cache TO PUBLIC",
        ["table public.sync_preview_cache: PUBLIC holds no privilege"],
    ),
    "SELECT granted to anon": (
        "GRANT SELECT ON sync_progress TO anon",
        ["table public.sync_progress: role anon holds no privilege"],
    ),
    "a column's SELECT granted to anon": (
        "GRANT SELECT (org_id) ON sync_progress TO anon",
        ["table public.sync_progress: role anon holds no column privilege"],
    ),
    "a column's UPDATE granted to PUBLIC": (
        "GRANT UPDATE (sync_id) ON sync_preview_cache TO PUBLIC",
        ["table public.sync_preview_cache: PUBLIC holds no column privilege"],
    ),
    "EXECUTE granted to anon": (
        "GRANT EXECUTE ON FUNCTION auto_cleanup_preview_cache() TO anon",
        ["function public.auto_cleanup_preview_cache(): role anon holds no privilege"],
    ),
    "index dropped": (
        "DROP INDEX idx_sync_progress_active",
        ["index public.idx_sync_progress_active on public.sync_progress"],
    ),
    "column type changed": (
        "ALTER TABLE sync_progress ALTER COLUMN eta_seconds TYPE integer",
        ["column public.sync_progress.eta_seconds is bigint null"],
    ),
    "enum value removed": (
        """
        ALTER TYPE sync_status_type RENAME TO sync_status_type_old;
        CREATE TYPE sync_status_type AS ENUM
            ('pending', 'in_progress', 'completed', 'completed_with_errors', 'failed', 'cancelled', 'paused');
        ALTER TABLE sync_activity_log ALTER COLUMN status TYPE sync_status_type USING status::text::sync_status_type;
        DROP TYPE sync_status_type_old;
        """,
        ["enum public.sync_status_type has the labels"],
    ),
    "foreign keys not enforced (DISABLE TRIGGER ALL)": (
        "ALTER TABLE sync_progress DISABLE TRIGGER ALL",
        [
            "foreign key sync_progress_org_id_fkey on public.sync_progress is enforced",
            "foreign key sync_progress_initiated_by_fkey on public.sync_progress is enforced",
        ],
    ),
    "foreign keys not enforced by the referenced table": (
        "ALTER TABLE organization DISABLE TRIGGER ALL",
        [
            "foreign key sync_progress_org_id_fkey on public.sync_progress is enforced",
            "foreign key fk_sync_activity_org on public.sync_activity_log is enforced",
        ],
    ),
    "trigger dropped": (
        "DROP TRIGGER sync_progress_update_timestamp ON sync_progress",
        ["trigger sync_progress_update_timestamp on public.sync_progress"],
    ),
}


@pytest.mark.parametrize("case", list(SABOTAGES))
def test_each_sabotage_fails_naming_the_object(copy: str, case: str) -> None:
    sql, named = SABOTAGES[case]
    assert run_test(copy).exit_code == 0  # the copy is healthy before the sabotage
    pg.apply_sql(copy, sql)
    result = run_test(copy)
    assert result.exit_code == 1, result.output
    failed = failures(result.output)
    for name in named:
        assert any(name in line for line in failed), f"no failing check names {name!r}:\n" + "\n".join(failed)


# -- rows for a harder spec -------------------------------------------------------
SHOP = REPO / "tests" / "dbtests_cases" / "shop"


def cli(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def shop(db_url: str) -> str:
    """A database with the shop spec's schema (its stand-ins, then `schemagen sql`)."""
    pg.apply_sql(db_url, cli("standins", "--spec", str(SHOP)).output)
    pg.apply_sql(db_url, cli("sql", "--spec", str(SHOP)).output)
    return db_url


def test_rows_are_made_for_checks_an_identity_key_composite_keys_and_future_partitions(shop: str) -> None:
    """Every row the checks start from goes in (CHECKs solved, enum label and IN value chosen, the sample used, the
    external parent's NOT NULL column filled), and the tenant columns read from three shapes of policy hold."""
    result = run_test(shop, SHOP)
    assert result.exit_code == 0, result.output
    assert "rows: a row of tenant a in public.line" in result.output
    # notice is granted SELECT only: the user cannot write it, on either tenant
    assert "public.notice: the user of tenant a cannot insert its own rows (no INSERT granted" in result.output
    # no anonymous role named: one without grants is made for the check, and gone afterwards
    assert "public.basket: role schemagen_test_nobody, without a user, reads nothing" in result.output
    with pg.connect(shop) as conn:
        assert conn.execute("SELECT count(*) FROM basket").fetchone()[0] == 0
        assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'schemagen_test_nobody'").fetchone() is None


def test_a_leaking_policy_of_the_shop_is_found(shop: str) -> None:
    pg.apply_sql(shop, "ALTER POLICY notice_read ON notice USING (true)")
    result = run_test(shop, SHOP)
    assert result.exit_code == 1
    assert any("public.notice: the user of tenant a sees no row of tenant b" in f for f in failures(result.output))


def test_a_column_no_derived_value_satisfies_is_named_with_the_way_out(tmp_path: Path) -> None:
    """Without its sample, `code` (CHECK length(code) = 7) has no value schemagen can derive: build says so."""
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "shop.yaml").write_text((SHOP / "shop.yaml").read_text().replace(", sample: \"'ABCDEFG'\"", ""))
    result = CliRunner().invoke(main, ["build", "--spec", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (
        "generated/tests: no value found for code of basket that its CHECKs take: give the column(s) a `sample:` "
        "in the spec" in result.output
    )


def test_the_standins_make_the_tenancys_anonymous_role(db_url: str, tmp_path: Path) -> None:
    """The README's way to a test database (stand-ins, then the migrations) gives every role the checks name: the
    tenancy's anonymous role too, though the spec does not declare it under external.roles."""
    role = f"anon_{time.monotonic_ns()}"
    spec = tmp_path / "spec"
    spec.mkdir()
    text = (SHOP / "shop.yaml").read_text()
    (spec / "shop.yaml").write_text(text.replace("tenancy:\n", f"tenancy:\n  anonymous_role: {role}\n", 1))
    pg.apply_sql(db_url, cli("standins", "--spec", str(spec)).output)
    with pg.connect(db_url) as conn:
        assert conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (role,)).fetchone() == (False,)


def unmarked_shop(tmp_path: Path) -> Path:
    """The shop spec without its mark on `category` (no row level security, S105 ignored): the table stays as it is,
    only the intent goes."""
    spec = tmp_path / "spec"
    spec.mkdir()
    text = (SHOP / "shop.yaml").read_text()
    mark = '    lint: {ignore: {S105: "reference data without row level security, on purpose"}}\n'
    assert mark in text
    (spec / "shop.yaml").write_text(text.replace(mark, "", 1))
    return spec


def test_a_table_without_rls_in_an_exposed_schema_passes_only_when_the_spec_marks_it(shop: str, tmp_path: Path) -> None:
    """issue 17: a table an API serves without row level security fails the checks unless the spec says it is
    intended. The same database, judged with and without the mark."""
    marked = run_test(shop, SHOP)
    assert marked.exit_code == 0, marked.output
    assert re.search(
        r"^ok \d+ - table public\.category: row level security disabled \(the spec says it is intended: lint S105 "
        r"ignored\)$",
        marked.output,
        re.MULTILINE,
    ), marked.output

    unmarked = run_test(shop, unmarked_shop(tmp_path))
    assert unmarked.exit_code == 1, unmarked.output
    assert (
        [line for line in failures(unmarked.output) if "public.category" in line]
        == [
            line
            for line in failures(unmarked.output)
            if re.match(
                r"not ok \d+ - table public\.category is in exposed schema public: row level security must be enabled ",
                line,
            )
        ]
        != []
    )


def test_a_table_without_rls_outside_the_exposed_schemas_needs_no_mark(shop: str, tmp_path: Path) -> None:
    """The same table, with `public` not exposed (settings' exposed_schemas): no API serves it, so no failure."""
    spec = unmarked_shop(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.schemagen]\nexposed_schemas = ["api"]\n')
    result = run_test(shop, spec)  # the settings of the project that holds the spec: tmp_path/pyproject.toml
    assert result.exit_code == 0, result.output
    assert re.search(r"^ok \d+ - table public\.category: row level security disabled$", result.output, re.MULTILINE)


NO_TENANCY = """\
migration: {version: 1, name: lookup}
external:
  roles: [authenticated]
tables:
  country:
    lint: {ignore: {S105: "reference data every user reads, on purpose"}}
    columns:
      code: {type: text, primary_key: true}
  note:
    columns:
      id: {type: integer, primary_key: true}
grants:
  - {privileges: [select], tables: [country, note], to: [authenticated]}
"""


def test_the_mark_on_a_table_without_rls_counts_without_a_tenancy(db_url: str, tmp_path: Path) -> None:
    """A spec without `tenancy:`: the table marked intended passes its row-level-security check, the unmarked one
    in the same exposed schema fails it (the mark was read only from a spec that states a tenancy)."""
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "lookup.yaml").write_text(NO_TENANCY)
    pg.apply_sql(db_url, cli("standins", "--spec", str(spec)).output)
    pg.apply_sql(db_url, cli("sql", "--spec", str(spec)).output)
    result = run_test(db_url, spec)
    assert result.exit_code == 1, result.output
    assert re.search(
        r"^ok \d+ - table public\.country: row level security disabled \(the spec says it is intended: lint S105 "
        r"ignored\)$",
        result.output,
        re.MULTILINE,
    ), result.output
    assert (
        [line for line in failures(result.output) if "row level security" in line]
        == [
            line
            for line in failures(result.output)
            if re.match(
                r"not ok \d+ - table public\.note is in exposed schema public: row level security must be", line
            )
        ]
        != []
    ), result.output


EXTENSION_TYPES = """\
migration: {version: 1, name: docs}
external:
  schemas: [extensions]
  types: {geography: {schema: extensions, python_type: str}}
extensions:
  citext: {schema: extensions}
  vector: {schema: extensions}
  hstore: {}
tables:
  doc:
    row_level_security: true
    columns:
      id: {type: integer, primary_key: true}
      email: {type: extensions.citext}
      aliases: {type: "extensions.citext[]"}
      embedding: {type: "vector(3)"}
      attrs: {type: hstore}
"""


def test_columns_of_extension_types_pass_their_checks(db_url: str, tmp_path: Path) -> None:
    """A column of an extension's type (citext, vector(3), hstore in public, an array of citext) is checked as the
    probe prints it, schema.name (before: `column public.doc.email is citext` failed, having extensions.citext)."""
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "docs.yaml").write_text(EXTENSION_TYPES)
    pg.apply_sql(db_url, cli("standins", "--spec", str(spec)).output)
    pg.apply_sql(db_url, cli("sql", "--spec", str(spec)).output)
    result = run_test(db_url, spec)
    assert result.exit_code == 0, result.output
    assert "ok 4 - column public.doc.email is extensions.citext null" in result.output
    assert "column public.doc.embedding is extensions.vector null" in result.output
    assert "column public.doc.aliases is extensions.citext[] null" in result.output
    assert "column public.doc.attrs is public.hstore null" in result.output


def test_the_rows_leave_generated_columns_to_postgresql(db_url: str, tmp_path: Path) -> None:
    """A NOT NULL generated column takes no value: the test rows leave it out (PostgreSQL refuses one)."""
    spec = tmp_path / "spec"
    spec.mkdir()
    text = (SHOP / "shop.yaml").read_text()
    generated = '      spread: {type: "numeric(7, 2)", not_null: true, generated: "hi - lo"}\n'
    (spec / "shop.yaml").write_text(
        text.replace(
            "      code: {type: text, not_null: true", generated + "      code: {type: text, not_null: true", 1
        )
    )
    pg.apply_sql(db_url, cli("standins", "--spec", str(spec)).output)
    pg.apply_sql(db_url, cli("sql", "--spec", str(spec)).output)
    result = run_test(db_url, spec)
    assert result.exit_code == 0, result.output
