"""`schemagen drift` on a real PostgreSQL.

A database migrated through the chain (stand-ins, then 0024 and 0025 as psql
runs them, and a history row per migration in the shape `schemagen migrate`
writes) has no drift. Each manual change below is found and named, and the
SQL of `drift --sql`, applied, leaves no drift and the same schema dump as the
migrated database. Every refusal exits 1 with its message.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pg
import psycopg
import pytest
from click.testing import CliRunner, Result
from diff_harness import columns_sorted
from schemagen.chain import writer
from schemagen.cli import main

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "generated"
CHAIN = ["0024_sync_operations", "0025_harden_sync_operations"]

# The history table as `schemagen migrate` keeps it (the contract between migrate and drift).
HISTORY = """
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {schema}.schemagen_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    duration_ms integer,
    applied_by text,
    schemagen_version text,
    phase text NOT NULL
);
"""


def record(url: str, rows: list[tuple[int, str, str]], schema: str = "schemagen") -> None:
    """History rows (version, name, phase), each with its migration's checksum from the manifest."""
    checksums = writer.recorded(OUT)
    pg.apply_sql(url, HISTORY.format(schema=schema))
    with pg.connect(url) as conn:
        for version, name, phase in rows:
            checksum = checksums.get(f"migrations/{version:04d}_{name}.sql", "unknown")
            conn.execute(
                f"INSERT INTO {schema}.schemagen_migrations (version, name, checksum, duration_ms, "
                "applied_by, schemagen_version, phase) "
                "VALUES (%s, %s, %s, 1, current_user, '0.1.0', %s)",
                (version, name, checksum, phase),
            )


def drift(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["drift", "--database-url", url, "--out", str(OUT), *args])


def dbname(url: str) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(url)["dbname"])


@pytest.fixture(scope="module")
def migrated(pg_admin_url: str) -> Iterator[str]:
    """The chain applied to a fresh database, recorded in its history: the template of every case."""
    url = pg.create_database(pg_admin_url, prefix="drift_migrated")
    try:
        pg.apply_sql(url, pg.standin_sql())
        for stem in CHAIN:
            pg.apply_sql_per_statement(url, (OUT / "migrations" / f"{stem}.sql").read_text())
        record(url, [(24, "sync_operations", "done"), (25, "harden_sync_operations", "done")])
        yield url
    finally:
        pg.drop_database(pg_admin_url, url)


def statements(url: str) -> list[str]:
    """The schema dump as a sorted list of statements, columns in name order: a column that
    --sql adds back ends up last, and pg_dump writes its COMMENT in column order too."""
    return sorted(columns_sorted(pg.schema_dump(url)).split("\n\n"))


@pytest.fixture(scope="module")
def migrated_dump(migrated: str) -> list[str]:
    return statements(migrated)


@pytest.fixture
def copy(pg_admin_url: str, migrated: str) -> Iterator[str]:
    """A copy of the migrated database (CREATE DATABASE ... TEMPLATE), dropped afterwards."""
    name = f"drift_case_{uuid.uuid4().hex[:12]}"
    with pg.connect(pg_admin_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{dbname(migrated)}"')
    url = pg.with_dbname(pg_admin_url, name)
    try:
        yield url
    finally:
        pg.drop_database(pg_admin_url, url)


def test_a_database_migrated_through_the_chain_has_no_drift(migrated: str) -> None:
    result = drift(migrated)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (
        "no drift: the database matches migration 0025_harden_sync_operations (the database's last applied migration)"
        in result.stderr
    )


@dataclass(frozen=True)
class Change:
    name: str
    sql: str  # what someone did by hand
    expected: tuple[str, ...]  # lines (or parts of lines) drift must print

    def __str__(self) -> str:
        return self.name


CHANGES = [
    Change(
        "column_added",
        "ALTER TABLE sync_progress ADD COLUMN note text",
        ("column sync_progress.note: not in the migrations (the database has text); `--sql` drops it with its values",),
    ),
    Change(
        "column_dropped",
        "ALTER TABLE sync_progress DROP COLUMN job_id",
        (
            "column sync_progress.job_id: missing from the database (the migrations have varchar(255))",
            "index idx_sync_progress_org_job on sync_progress: missing from the database",
        ),
    ),
    Change(
        "column_made_generated",
        "ALTER TABLE sync_progress DROP COLUMN job_id, ADD COLUMN job_id varchar(255) GENERATED ALWAYS AS "
        "(sync_id) STORED; "
        "COMMENT ON COLUMN sync_progress.job_id IS 'Associated async job'; CREATE INDEX "
        "idx_sync_progress_org_job ON sync_progress (org_id, job_id)",
        ("column sync_progress.job_id: generated is GENERATED ALWAYS AS (",),
    ),
    Change(
        "type_changed",
        "ALTER TABLE sync_progress ALTER COLUMN source_system TYPE varchar(100)",
        ("column sync_progress.source_system: type is varchar(100) in the database, varchar(50) in the migrations",),
    ),
    Change(
        "default_changed",
        "ALTER TABLE sync_progress ALTER COLUMN metadata SET DEFAULT '[]'",
        ("column sync_progress.metadata: default is '[]'::jsonb in the database, '{}' in the migrations",),
    ),
    Change(
        "not_null_dropped",
        "ALTER TABLE sync_progress ALTER COLUMN sync_id DROP NOT NULL",
        ("column sync_progress.sync_id: NOT NULL is nullable in the database, NOT NULL in the migrations",),
    ),
    Change(
        "index_dropped",
        "DROP INDEX idx_sync_progress_org_job",
        (
            (
                "index idx_sync_progress_org_job on sync_progress: missing from the database (the migrations "
                "have CREATE INDEX idx_sync_progress_org_job ON public.sync_progress (org_id, job_id))"
            ),
        ),
    ),
    Change(
        "index_changed",
        "DROP INDEX idx_sync_progress_active; CREATE INDEX idx_sync_progress_active ON sync_progress "
        "(org_id, updated_at DESC) WHERE completed_at IS NOT NULL",
        (
            (
                "index idx_sync_progress_active on sync_progress: definition is public.sync_progress "
                "(org_id, updated_at DESC) WHERE completed_at IS NOT NULL in the database, "
                "public.sync_progress (org_id, updated_at DESC) WHERE completed_at IS NULL in the migrations"
            ),
        ),
    ),
    Change(
        "constraint_dropped",
        "ALTER TABLE sync_progress DROP CONSTRAINT sync_progress_positive_items",
        (
            (
                "constraint sync_progress_positive_items on sync_progress: missing from the database (the "
                "migrations have CHECK (current_item >= 0 AND total_items >= 0 AND current_item <= "
                "total_items))"
            ),
        ),
    ),
    Change(
        "check_changed",
        "ALTER TABLE sync_progress DROP CONSTRAINT sync_progress_positive_items, ADD CONSTRAINT "
        "sync_progress_positive_items CHECK (current_item >= 0)",
        (
            (
                "constraint sync_progress_positive_items on sync_progress: definition is CHECK "
                "(current_item >= 0) in the database, "
                "CHECK (current_item >= 0 AND total_items >= 0 AND current_item <= total_items) in the migrations"
            ),
        ),
    ),
    Change(
        "foreign_key_action_changed",
        "ALTER TABLE sync_progress DROP CONSTRAINT sync_progress_org_id_fkey, ADD CONSTRAINT "
        "sync_progress_org_id_fkey FOREIGN KEY (org_id) REFERENCES organization(id) ON DELETE RESTRICT",
        (
            (
                "constraint sync_progress_org_id_fkey on sync_progress: definition is FOREIGN KEY (org_id) "
                "REFERENCES public.organization(id) ON DELETE RESTRICT in the database, "
                "FOREIGN KEY (org_id) REFERENCES public.organization(id) ON DELETE CASCADE in the migrations"
            ),
        ),
    ),
    Change(
        "policy_altered",
        "ALTER POLICY sync_progress_select ON sync_progress USING (true)",
        (
            (
                "policy sync_progress_select on sync_progress: USING is true in the database, EXISTS (SELECT 1 "
                "FROM auth.users_extended u WHERE u.id = (SELECT auth.uid()) AND u.org_id = "
                "sync_progress.org_id) in the migrations"
            ),
        ),
    ),
    Change(
        "policy_dropped",
        "DROP POLICY sync_progress_delete ON sync_progress",
        (
            (
                "policy sync_progress_delete on sync_progress: missing from the database (the migrations have "
                "CREATE POLICY sync_progress_delete ON public.sync_progress FOR DELETE"
            ),
        ),
    ),
    Change(
        "policy_roles_changed",
        "ALTER POLICY sync_progress_update ON sync_progress TO authenticated",
        (
            (
                "policy sync_progress_update on sync_progress: roles is authenticated in the database, PUBLIC "
                "in the migrations"
            ),
        ),
    ),
    Change(
        "rls_disabled",
        "ALTER TABLE sync_progress DISABLE ROW LEVEL SECURITY",
        ("table sync_progress: row level security is disabled in the database, enabled in the migrations",),
    ),
    Change(
        "function_body_changed",
        "CREATE OR REPLACE FUNCTION update_sync_progress_timestamp() RETURNS trigger LANGUAGE plpgsql SET "
        "search_path = public AS $$\nBEGIN\n    NEW.updated_at := clock_timestamp();\n    RETURN "
        "NEW;\nEND;\n$$",
        (
            (
                "function update_sync_progress_timestamp: body differs from its line 2: `NEW.updated_at := "
                "clock_timestamp();` in the database, `NEW.updated_at := NOW();` in the migrations"
            ),
        ),
    ),
    Change(
        "function_volatility_changed",
        "ALTER FUNCTION auto_cleanup_preview_cache() STABLE",
        ("function auto_cleanup_preview_cache: volatility is stable in the database, volatile in the migrations",),
    ),
    Change(
        "function_search_path_dropped",
        "ALTER FUNCTION auto_cleanup_preview_cache() RESET search_path",
        ("function auto_cleanup_preview_cache: search_path is not set in the database, public in the migrations",),
    ),
    Change(
        "grant_revoked",
        "REVOKE DELETE ON sync_progress FROM authenticated",
        (
            (
                "privilege DELETE on table public.sync_progress to authenticated: missing from the database "
                "(the migrations have DELETE granted)"
            ),
        ),
    ),
    Change(
        "grant_added_to_public",
        "GRANT SELECT ON sync_preview_cache TO PUBLIC",
        (
            (
                "privilege SELECT on table public.sync_preview_cache to PUBLIC: not in the migrations (the "
                "database has SELECT granted)"
            ),
        ),
    ),
    Change(
        "execute_revoked_from_public",
        "REVOKE EXECUTE ON FUNCTION auto_cleanup_preview_cache() FROM PUBLIC",
        (
            (
                "privilege EXECUTE on function public.auto_cleanup_preview_cache() to PUBLIC: missing from the "
                "database (the migrations have EXECUTE granted)"
            ),
        ),
    ),
    Change(
        "trigger_disabled",
        "ALTER TABLE sync_progress DISABLE TRIGGER sync_progress_update_timestamp",
        (
            (
                "trigger sync_progress_update_timestamp on sync_progress: enabled is disabled in the database, "
                "enabled in the migrations"
            ),
        ),
    ),
    Change(
        "foreign_keys_not_enforced",  # the bulk-load idiom: the internal RI_ConstraintTrigger_* go off too
        "ALTER TABLE sync_progress DISABLE TRIGGER ALL",
        (
            "constraint sync_progress_org_id_fkey on sync_progress: enforcement is off (RI_ConstraintTrigger_c_",
            "constraint sync_progress_initiated_by_fkey on sync_progress: enforcement is off (RI_ConstraintTrigger_c_",
            "`--sql` enables its triggers, which PostgreSQL allows a superuser only",
            "trigger sync_progress_update_timestamp on sync_progress: enabled is disabled in the database",
        ),
    ),
    Change(
        "referenced_table_not_enforcing",  # ON DELETE actions and checks live on the referenced table
        "ALTER TABLE organization DISABLE TRIGGER ALL",
        ("constraint sync_progress_org_id_fkey on sync_progress: enforcement is off (RI_ConstraintTrigger_a_",),
    ),
    Change(
        "partition_not_enforcing",  # a partition's cloned triggers serve its table's constraint
        "ALTER TABLE sync_activity_log_2026_05 DISABLE TRIGGER ALL",
        (
            ("constraint fk_sync_activity_org on sync_activity_log: enforcement is off (RI_ConstraintTrigger_c_"),
            "on sync_activity_log_2026_05 disabled",
        ),
    ),
    Change(
        "trigger_dropped",
        "DROP TRIGGER sync_progress_log_completion ON sync_progress",
        (
            (
                "trigger sync_progress_log_completion on sync_progress: missing from the database (the "
                "migrations have AFTER INSERT OR UPDATE FOR EACH ROW EXECUTE FUNCTION "
                "auto_log_sync_activity_on_progress_change())"
            ),
        ),
    ),
    Change(
        "trigger_events_changed",
        "DROP TRIGGER sync_progress_update_timestamp ON sync_progress; CREATE TRIGGER "
        "sync_progress_update_timestamp BEFORE INSERT OR UPDATE ON sync_progress FOR EACH ROW EXECUTE "
        "FUNCTION update_sync_progress_timestamp()",
        (
            (
                "trigger sync_progress_update_timestamp on sync_progress: events is INSERT OR UPDATE in the "
                "database, UPDATE in the migrations"
            ),
        ),
    ),
    Change(
        "trigger_update_of_added",
        "DROP TRIGGER sync_progress_update_timestamp ON sync_progress; CREATE TRIGGER "
        "sync_progress_update_timestamp BEFORE UPDATE OF total_items ON sync_progress FOR EACH ROW EXECUTE "
        "FUNCTION update_sync_progress_timestamp()",
        (
            (
                "trigger sync_progress_update_timestamp on sync_progress: events is UPDATE OF total_items in the "
                "database, UPDATE in the migrations"
            ),
        ),
    ),
    Change(
        "trigger_arguments_added",
        "DROP TRIGGER sync_progress_update_timestamp ON sync_progress; CREATE TRIGGER "
        "sync_progress_update_timestamp BEFORE UPDATE ON sync_progress FOR EACH ROW EXECUTE "
        "FUNCTION update_sync_progress_timestamp('it''s')",
        (
            (
                "trigger sync_progress_update_timestamp on sync_progress: arguments is 'it''s' in the "
                "database, none in the migrations"
            ),
        ),
    ),
    Change(
        "replica_identity_full",
        "ALTER TABLE sync_progress REPLICA IDENTITY FULL",
        ("table sync_progress: replica identity is full in the database, default in the migrations",),
    ),
    Change(
        "partition_detached",
        "ALTER TABLE sync_activity_log DETACH PARTITION sync_activity_log_2026_03",
        (
            (
                "partition sync_activity_log_2026_03 of sync_activity_log: state is detached (a table of its "
                "own) in the database, attached FOR VALUES FROM ('2026-03-01') TO ('2026-04-01') in the "
                "migrations"
            ),
        ),
    ),
    Change(
        "partition_added",
        "CREATE TABLE sync_activity_log_2028_01 PARTITION OF sync_activity_log FOR VALUES FROM "
        "('2028-01-01') TO ('2028-02-01')",
        (
            (
                "partition sync_activity_log_2028_01 of sync_activity_log: not in the migrations (the database "
                "has FOR VALUES FROM ('2028-01-01 00:00:00+00') TO ('2028-02-01 00:00:00+00'))"
            ),
        ),
    ),
    Change(
        "index_storage_parameters",
        "DROP INDEX idx_sync_preview_cache_expires; CREATE INDEX idx_sync_preview_cache_expires ON sync_preview_cache "
        "(expires_at) WITH (fillfactor = 50)",
        (
            (
                "index idx_sync_preview_cache_expires on sync_preview_cache: definition is public.sync_preview_cache "
                "(expires_at) WITH (fillfactor = 50) in the database, public.sync_preview_cache (expires_at) in "
                "the migrations"
            ),
        ),
    ),
    Change(
        "index_on_one_partition",
        "CREATE INDEX stray_idx ON sync_activity_log_2026_05 (error_message)",
        (
            (
                # a partition's own index is the spec's to declare (K3): shown as a table's is
                "index stray_idx on sync_activity_log_2026_05: not in the migrations (the database has CREATE "
                "INDEX stray_idx ON public.sync_activity_log_2026_05 (error_message))"
            ),
        ),
    ),
    Change(
        "constraint_on_one_partition",
        "ALTER TABLE sync_activity_log_2026_05 ADD CONSTRAINT stray_check CHECK (record_count < 1000000)",
        (
            (
                "constraint stray_check on sync_activity_log_2026_05: not in the migrations (the database has "
                "CHECK (record_count < 1000000))"
            ),
        ),
    ),
    Change(
        "trigger_on_one_partition",
        "CREATE TRIGGER stray_trigger BEFORE INSERT ON sync_activity_log_2026_05 FOR EACH ROW EXECUTE "
        "FUNCTION update_sync_progress_timestamp()",
        (
            (
                "trigger stray_trigger on sync_activity_log_2026_05: not in the migrations (the database has "
                "CREATE TRIGGER stray_trigger BEFORE INSERT ON public.sync_activity_log_2026_05"
            ),
        ),
    ),
    Change(
        "policy_on_one_partition",
        "CREATE POLICY stray ON sync_activity_log_2026_05 USING (true)",
        (
            (
                "policy stray on sync_activity_log_2026_05: not in the migrations (the database has a policy "
                "of the partition itself)"
            ),
        ),
    ),
    Change(
        "rls_on_one_partition",
        "ALTER TABLE sync_activity_log_2026_05 ENABLE ROW LEVEL SECURITY",
        (
            (
                "partition sync_activity_log_2026_05: row level security is enabled in the database, disabled "
                "(the table's policies apply) in the migrations"
            ),
        ),
    ),
    Change(
        "constraint_not_validated",
        "ALTER TABLE sync_progress DROP CONSTRAINT sync_progress_positive_items, "
        "ADD CONSTRAINT sync_progress_positive_items CHECK (current_item >= 0 AND total_items >= 0 AND "
        "current_item <= total_items) NOT VALID",
        (
            (
                "constraint sync_progress_positive_items on sync_progress: validated is NOT VALID in the "
                "database, validated in the migrations"
            ),
        ),
    ),
    Change(
        "index_invalid",
        "UPDATE pg_catalog.pg_index SET indisvalid = false WHERE indexrelid = "
        "'idx_sync_progress_org_job'::regclass",  # what a failed CREATE INDEX CONCURRENTLY leaves
        (
            (
                "index idx_sync_progress_org_job on sync_progress: valid is INVALID (a CREATE INDEX "
                "CONCURRENTLY that failed) in the database, valid in the migrations"
            ),
        ),
    ),
    Change(
        "function_setting_added",
        "ALTER FUNCTION auto_cleanup_preview_cache() SET work_mem = '64MB'",
        ("function auto_cleanup_preview_cache: settings is work_mem = 64MB in the database, none in the migrations",),
    ),
    Change(
        "table_comment_changed",
        "COMMENT ON TABLE sync_progress IS 'changed by hand'",
        (
            (
                "table sync_progress: comment is 'changed by hand' in the database, 'Live progress of one sync "
                "run; speed, ETA and completion are computed by triggers.' in the migrations"
            ),
        ),
    ),
    Change(
        "column_comment_dropped",
        "COMMENT ON COLUMN sync_progress.job_id IS NULL",
        (
            (
                "column sync_progress.job_id: comment is no comment in the database, 'Associated async job' in "
                "the migrations"
            ),
        ),
    ),
    Change(
        "enum_value_added",
        "ALTER TYPE sync_type ADD VALUE 'magento'",
        (
            (
                "enum sync_type: values is woocommerce, odoo, shopify, custom, magento in the database, "
                "woocommerce, odoo, shopify, custom in the migrations"
            ),
        ),
    ),
    Change(
        "table_added",
        "CREATE TABLE stray (id integer PRIMARY KEY)",
        ("table stray: not in the migrations (the database has 1 column(s): id); `--sql` drops it with its rows",),
    ),
]

# funcs5: a function's attributes (PARALLEL, COST, ...) and overloads made by hand
CHANGES += [
    Change(
        "function_parallel_and_cost_changed",
        "ALTER FUNCTION auto_cleanup_preview_cache() PARALLEL RESTRICTED COST 5",
        (
            "function auto_cleanup_preview_cache: parallel is PARALLEL RESTRICTED in the database, PARALLEL UNSAFE",
            "function auto_cleanup_preview_cache: cost is COST 5 in the database, default in the migrations",
        ),
    ),
    Change(
        "function_overload_made_by_hand",
        "CREATE FUNCTION auto_cleanup_preview_cache(keep integer) RETURNS integer LANGUAGE sql AS 'SELECT keep'",
        ("function auto_cleanup_preview_cache(integer): not in the migrations",),
    ),
]


def test_there_are_enough_changes() -> None:
    assert len({c.name for c in CHANGES}) == len(CHANGES) >= 15


@pytest.mark.parametrize("change", CHANGES, ids=str)
def test_a_manual_change_is_found_and_drift_sql_undoes_it(change: Change, copy: str, migrated_dump: list[str]) -> None:
    pg.apply_sql(copy, change.sql)
    found = drift(copy)
    assert found.exit_code == 1, found.output
    for line in change.expected:
        assert line in found.stdout, f"expected {line!r} in:\n{found.stdout}"
    assert (
        "drift: " in found.stderr
        and "difference(s) between the database and migration 0025_harden_sync_operations" in found.stderr
    )

    repair = drift(copy, "--sql")
    assert repair.exit_code == 1, repair.output
    assert repair.stdout.startswith(
        "-- schemagen drift: the SQL that brings the database back to migration 0025_harden_sync_operations."
    )
    pg.apply_sql_per_statement(copy, repair.stdout)  # as `psql -v ON_ERROR_STOP=1 -f` runs it

    again = drift(copy)
    assert again.exit_code == 0, f"after drift --sql:\n{again.output}\n\nthe SQL applied:\n{repair.stdout}"
    assert statements(copy) == migrated_dump  # the same catalog as a database that was never touched


def test_drift_sql_makes_foreign_keys_enforced_again(copy: str) -> None:
    """After DISABLE TRIGGER ALL a row whose organization does not exist goes in; after `drift --sql`, it is refused."""
    pg.apply_sql(copy, "ALTER TABLE sync_progress DISABLE TRIGGER ALL")
    orphan = "INSERT INTO sync_progress (org_id, sync_id, entity_type) VALUES (gen_random_uuid(), %s, 'customer')"
    with pg.connect(copy) as conn:
        conn.execute(orphan, ("before",))  # goes in: nothing enforces the foreign key
        conn.execute("DELETE FROM sync_progress")
    repair = drift(copy, "--sql").stdout
    pg.apply_sql_per_statement(copy, repair)  # as a superuser: enabling internal triggers needs one
    assert drift(copy).exit_code == 0
    with pg.connect(copy) as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute(orphan, ("after",))


def test_an_unlogged_table_is_drift(copy: str) -> None:
    # A table that references a logged one cannot be unlogged: its foreign keys go first (and --sql adds them back,
    # after making it logged again).
    pg.apply_sql(
        copy,
        "ALTER TABLE sync_preview_cache DROP CONSTRAINT sync_preview_cache_org_id_fkey, "
        "DROP CONSTRAINT sync_preview_cache_computed_by_fkey; ALTER TABLE sync_preview_cache SET UNLOGGED",
    )
    found = drift(copy)
    assert found.exit_code == 1
    assert "table sync_preview_cache: logged is UNLOGGED in the database, LOGGED in the migrations" in found.stdout
    repair = drift(copy, "--sql").stdout
    assert "ALTER TABLE public.sync_preview_cache SET LOGGED;" in repair
    pg.apply_sql_per_statement(copy, repair)
    assert drift(copy).exit_code == 0, repair


def test_sql_says_which_statements_drop_data(copy: str) -> None:
    pg.apply_sql(copy, "CREATE TABLE stray (id integer PRIMARY KEY); ALTER TABLE sync_progress ADD COLUMN note text")
    sql = drift(copy, "--sql").stdout
    assert "-- Drops data (nothing asks to confirm it here: read these first):" in sql
    assert "--   - DROP TABLE public.stray (the table and its rows are deleted)" in sql
    assert "--   - ALTER TABLE public.sync_progress DROP COLUMN note (the column's data is deleted)" in sql
    assert "-- Drops data: the table and its rows are deleted." in sql  # and again above the statement


def test_sql_leaves_what_schemagen_does_not_manage_alone_and_says_so(copy: str) -> None:
    # a foreign table is a kind the spec cannot declare (overloads it can, since wave 5)
    pg.apply_sql(
        copy,
        "CREATE FOREIGN DATA WRAPPER stray_fdw; CREATE SERVER stray_server FOREIGN DATA WRAPPER stray_fdw; "
        "CREATE FOREIGN TABLE stray_remote (id integer) SERVER stray_server",
    )
    found = drift(copy)
    assert found.exit_code == 1
    assert "stray_remote" in found.stdout
    assert "left alone by --sql: schemagen does not manage it" in found.stdout
    sql = drift(copy, "--sql").stdout
    assert "-- Left alone (schemagen does not manage it): foreign table" in sql
    assert "DROP" not in sql


def test_an_exclusion_constraint_made_by_hand_is_drift_and_sql_drops_it(copy: str) -> None:
    # exclusion constraints are the spec's to declare (issue 12): one made by hand is drift, read back whole
    pg.apply_sql(copy, "ALTER TABLE sync_progress ADD CONSTRAINT stray_exclusion EXCLUDE USING btree (id WITH =)")
    found = drift(copy)
    assert found.exit_code == 1
    assert "stray_exclusion" in found.stdout and "EXCLUDE USING btree (id WITH =)" in found.stdout
    sql = drift(copy, "--sql").stdout
    assert "ALTER TABLE public.sync_progress DROP CONSTRAINT stray_exclusion;" in sql
    pg.apply_sql_per_statement(copy, sql)
    assert drift(copy).exit_code == 0, sql


def test_a_view_made_by_hand_is_drift_and_sql_drops_it(copy: str) -> None:
    # views are the spec's to declare (views K4): one made by hand is drift, as a table made by hand is
    pg.apply_sql(copy, "CREATE VIEW active_syncs AS SELECT id FROM sync_progress WHERE completed_at IS NULL")
    found = drift(copy)
    assert found.exit_code == 1
    assert "view active_syncs: not in the migrations (the database has view of 1 column(s): id)" in found.stdout
    assert "DROP VIEW public.active_syncs;" in drift(copy, "--sql").stdout


def test_json_lists_each_difference(copy: str) -> None:
    pg.apply_sql(
        copy,
        "ALTER TABLE sync_progress ALTER COLUMN metadata SET DEFAULT '[]'; REVOKE DELETE ON sync_progress "
        "FROM authenticated",
    )
    result = drift(copy, "--format", "json", "--sql")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["migration"] == {
        "version": 25,
        "name": "harden_sync_operations",
        "file": "0025_harden_sync_operations.sql",
        "chosen": "the database's last applied migration",
    }
    assert data["schemas"] == ["public"] and data["drift"] is True
    assert {
        "kind": "column",
        "object": "sync_progress.metadata",
        "aspect": "default",
        "database": "'[]'::jsonb",
        "migrations": "'{}'",
        "note": "",
    } in data["differences"]
    assert any(d["kind"] == "privilege" and d["database"] == "absent" for d in data["differences"])
    assert "ALTER TABLE public.sync_progress ALTER COLUMN metadata SET DEFAULT '{}';" in data["sql"]


def test_what_is_outside_the_spec_is_not_drift(copy: str) -> None:
    pg.apply_sql(
        copy,
        """
        CREATE SCHEMA elsewhere;
        CREATE TABLE elsewhere.other (id integer);
        CREATE TABLE schemagen.note (id integer);
        CREATE SCHEMA schemagen_staging;
        CREATE TABLE schemagen_staging.sync_activity_log (id integer);
        ALTER TABLE organization ADD COLUMN name text;
        CREATE INDEX organization_name ON organization (name);
        CREATE FUNCTION auth.helper() RETURNS integer LANGUAGE sql AS 'SELECT 1';
    """,
    )
    result = drift(copy)
    assert result.exit_code == 0, result.output


def test_a_schema_asked_for_is_compared(copy: str) -> None:
    pg.apply_sql(copy, "CREATE SCHEMA elsewhere; CREATE TABLE elsewhere.other (id integer)")
    result = drift(copy, "--schema", "public", "--schema", "elsewhere")
    assert result.exit_code == 1
    assert "table elsewhere.other: not in the migrations" in result.stdout


def test_against_an_earlier_migration(copy: str) -> None:
    result = drift(copy, "--against", "24")
    assert result.exit_code == 1
    assert (
        "constraint preview_cache_expires_after_computed on sync_preview_cache: not in the migrations" in result.stdout
    )
    assert "migration 0024_sync_operations (--against)" in result.stderr
    assert drift(copy, "--against", "newest").exit_code == 0
    assert drift(copy, "--against", "25").exit_code == 0


def test_the_history_schema_is_a_setting(pg_admin_url: str, db_url: str) -> None:
    pg.apply_sql(db_url, pg.standin_sql())
    pg.apply_sql_per_statement(db_url, (OUT / "migrations" / f"{CHAIN[0]}.sql").read_text())
    record(db_url, [(24, "sync_operations", "done")], schema="ops")
    assert "ops.schemagen_migrations does not exist" not in drift(db_url).stderr  # the default schema is schemagen
    assert drift(db_url, "--history-schema", "ops").exit_code == 0  # 0024 applied, and nothing else
    assert drift(db_url, "--history-schema", "ops", "--against", "25").exit_code == 1


def test_the_last_completed_migration_is_the_one_compared(db_url: str) -> None:
    """A migration whose run stopped part way (phase not 'done') is not the database's last applied one."""
    pg.apply_sql(db_url, pg.standin_sql())
    pg.apply_sql_per_statement(db_url, (OUT / "migrations" / f"{CHAIN[0]}.sql").read_text())
    record(db_url, [(24, "sync_operations", "done"), (25, "harden_sync_operations", "main")])
    result = drift(db_url)
    assert result.exit_code == 0, result.output
    assert "migration 0024_sync_operations (the database's last applied migration)" in result.stderr


# -- refusals: exit 1, the message, no traceback -----------------------------------------------


def refused(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_a_url_that_is_not_one(tmp_path: Path) -> None:
    refused(drift("not a url"), "schemagen: --database-url is not a PostgreSQL connection URL (not a url)")


def test_a_server_that_does_not_answer() -> None:
    refused(
        drift("postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2"),
        "schemagen: cannot connect to postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2:",
    )


def test_a_database_that_does_not_exist(pg_admin_url: str) -> None:
    refused(
        drift(pg.with_dbname(pg_admin_url, "schemagen_no_such_database")),
        'database "schemagen_no_such_database" does not exist',
    )


def test_no_url() -> None:
    result = CliRunner(env={"DATABASE_URL": None}).invoke(main, ["drift", "--out", str(OUT)])
    assert result.exit_code == 1
    assert "Missing option '--database-url'" in result.output


def test_no_history_and_no_against(db_url: str) -> None:
    refused(
        drift(db_url),
        "schemagen: no migration history in this database (schemagen.schemagen_migrations does not exist): "
        "apply the migrations with `schemagen migrate`, or name the migration to compare with: --against "
        "VERSION (or --against newest)",
    )


def test_a_history_without_a_completed_migration(db_url: str) -> None:
    record(db_url, [(24, "sync_operations", "main")])
    refused(drift(db_url), "schemagen: schemagen.schemagen_migrations records no completed migration")


def test_a_history_newer_than_the_migrations_folder(db_url: str) -> None:
    record(db_url, [(24, "sync_operations", "done"), (26, "from_another_branch", "done")])
    refused(
        drift(db_url),
        "schemagen: the database's last applied migration is 0026, which the migrations folder does not "
        "have (it has 0024, 0025)",
    )


@pytest.mark.parametrize("version", ["99", "latest", "0"])
def test_an_unknown_version(db_url: str, version: str) -> None:
    refused(
        drift(db_url, "--against", version),
        f"schemagen: --against {version}: no such migration (the migrations are 0024, 0025; or --against newest)",
    )


def test_no_migrations_yet(db_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["drift", "--database-url", db_url, "--out", str(tmp_path / "empty")])
    refused(result, "no migrations in")
    assert "run `schemagen build` first" in result.stderr


def test_a_trigger_on_a_view_made_by_hand_is_reported_not_a_crash(copy: str) -> None:
    """A view made by hand with an INSTEAD OF trigger: drift names both, and reads no trigger as an index."""
    pg.apply_sql(
        copy,
        "CREATE VIEW open_syncs AS SELECT id FROM sync_progress;\n"
        "CREATE FUNCTION stray_instead() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
        "CREATE TRIGGER stray_instead INSTEAD OF INSERT ON open_syncs FOR EACH ROW EXECUTE FUNCTION stray_instead();",
    )
    found = drift(copy)
    assert found.exit_code == 1, found.output
    assert "open_syncs" in found.stdout and "stray_instead" in found.stdout
