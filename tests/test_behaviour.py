"""Behaviour of the sync-operations schema, as the reference describes it.

Runs against the database the whole chain of generated/migrations/ gives (0024,
0025, ...: the `migrated_db` fixture) on top of the stand-ins, acting as the tenant
role ``authenticated`` with a JWT subject: never as the superuser, whose
rights would hide RLS. The last two tests are about the 0024 file itself.
"""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal

import pg
import psycopg
import pytest

# Elapsed time is whole seconds since started_at; the tests start syncs this far back.
STARTED_AGO = "10 minutes"
STARTED_AGO_S = 600
# Slack for the wall-clock time the test itself takes between statements.
SLACK_S = 60


def insert_progress(conn, org_id, sync_id="sync-1", *, total=100, processed=0, failed=0, initiated_by=None):
    return conn.execute(
        f"""
        INSERT INTO sync_progress
            (org_id, sync_id, entity_type, total_items, processed_count, failed_count,
             started_at, initiated_by)
        VALUES (%s, %s, 'product', %s, %s, %s, now() - interval '{STARTED_AGO}', %s)
        RETURNING *
        """,
        (org_id, sync_id, total, processed, failed, initiated_by),
    ).fetchone()


def update_progress(conn, row_id, **cols):
    sets = ", ".join(f"{c} = %({c})s" for c in cols)
    return conn.execute(
        f"UPDATE sync_progress SET {sets} WHERE id = %(id)s RETURNING *", {**cols, "id": row_id}
    ).fetchone()


def numeric_round(x: Decimal, places: int) -> Decimal:
    """PostgreSQL's numeric rounding (half away from zero)."""
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def expected_speed_eta(elapsed: int, total: int, processed: int):
    """The formulas of update_sync_progress_elapsed(), including the rounding
    of speed to NUMERIC(10,2) on assignment and of the ETA to INTEGER."""
    if elapsed > 0 and processed > 0:
        speed = numeric_round(Decimal(processed) / elapsed * 60, 2)
    else:
        speed = Decimal("0.00")
    if total > 0 and speed > 0:
        eta = int(numeric_round((total - processed) / speed * 60, 0))
    else:
        eta = None
    return speed, eta


# --------------------------------------------------------------------------
# sync_progress: elapsed / speed / ETA
# --------------------------------------------------------------------------


def test_insert_computes_elapsed_without_progress(migrated_db, tenants):
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        row = insert_progress(conn, tenants.a.org_id)
    # same statement, same now(): exactly the interval given at insert
    assert row["elapsed_seconds"] == STARTED_AGO_S
    assert row["speed_items_per_min"] == Decimal(0)
    assert row["eta_seconds"] is None
    assert row["completed_at"] is None


def test_update_computes_elapsed_speed_and_eta(migrated_db, tenants):
    # in one transaction, now() does not move: exactly 10 minutes have passed at the update
    with pg.as_user(migrated_db, tenants.a.user_id) as conn, conn.transaction():
        inserted = insert_progress(conn, tenants.a.org_id, total=100)
        row = update_progress(conn, inserted["id"], processed_count=7)
    assert row["elapsed_seconds"] == STARTED_AGO_S
    # 7 items in 10 minutes: 0.70/min, the 93 left take 7971 s
    assert (row["speed_items_per_min"], row["eta_seconds"]) == (Decimal("0.70"), 7971)
    assert expected_speed_eta(STARTED_AGO_S, total=100, processed=7) == (Decimal("0.70"), 7971)
    assert row["completed_at"] is None


def test_a_later_update_recomputes_from_the_clock(migrated_db, tenants):
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        inserted = insert_progress(conn, tenants.a.org_id, total=100)
        row = update_progress(conn, inserted["id"], processed_count=7)
    elapsed = row["elapsed_seconds"]
    assert STARTED_AGO_S <= elapsed <= STARTED_AGO_S + SLACK_S
    speed, eta = expected_speed_eta(elapsed, total=100, processed=7)
    assert speed > 0
    assert row["speed_items_per_min"] == speed
    assert row["eta_seconds"] == eta
    assert row["updated_at"] > inserted["updated_at"]
    assert row["completed_at"] is None


def test_insert_with_progress_computes_speed_and_eta(migrated_db, tenants):
    # the BEFORE INSERT trigger also computes them
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        row = insert_progress(conn, tenants.a.org_id, total=1000, processed=300)
    assert row["elapsed_seconds"] == STARTED_AGO_S
    assert (row["speed_items_per_min"], row["eta_seconds"]) == (Decimal("30.00"), 1400)


# --------------------------------------------------------------------------
# sync_progress: totals validation and completion
# --------------------------------------------------------------------------


def test_counts_exceeding_total_rejected_on_update(migrated_db, tenants):
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        row = insert_progress(conn, tenants.a.org_id, total=100, processed=10)
        with pytest.raises(psycopg.errors.RaiseException) as exc:
            update_progress(conn, row["id"], processed_count=95, failed_count=10)
        after = conn.execute(
            "SELECT processed_count, failed_count FROM sync_progress WHERE id = %s", (row["id"],)
        ).fetchone()
    # raised by validate_sync_progress_totals() before the CHECK constraint is reached
    assert exc.value.diag.message_primary == "processed_count (95) + failed_count (10) exceeds total_items (100)"
    assert after == {"processed_count": 10, "failed_count": 0}


def test_counts_exceeding_total_rejected_on_insert(migrated_db, tenants):
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        with pytest.raises(psycopg.errors.RaiseException) as exc:
            insert_progress(conn, tenants.a.org_id, total=5, processed=4, failed=2)
        count = conn.execute("SELECT count(*) AS n FROM sync_progress").fetchone()["n"]
    assert exc.value.diag.message_primary == "processed_count (4) + failed_count (2) exceeds total_items (5)"
    assert count == 0


def test_current_item_is_clamped_to_total(migrated_db, tenants):
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        row = insert_progress(conn, tenants.a.org_id, total=50)
        row = update_progress(conn, row["id"], current_item=80)
    assert row["current_item"] == 50


def test_completed_at_set_when_all_items_accounted_for(migrated_db, tenants):
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        row = insert_progress(conn, tenants.a.org_id, total=100)
        partial = update_progress(conn, row["id"], processed_count=60, failed_count=39)
        done = update_progress(conn, row["id"], failed_count=40)
    assert partial["completed_at"] is None
    assert done["completed_at"] is not None
    assert done["completed_at"] == done["updated_at"]  # both now() of the completing update


@pytest.mark.parametrize(
    "processed, failed, status",
    [(100, 0, "completed"), (90, 10, "completed_with_errors")],
)
def test_completion_logs_sync_complete(migrated_db, tenants, processed, failed, status):
    a = tenants.a
    with pg.as_user(migrated_db, a.user_id) as conn:
        row = insert_progress(conn, a.org_id, "sync-log", total=100, initiated_by=a.user_id)
        before = conn.execute("SELECT count(*) AS n FROM sync_activity_log").fetchone()["n"]
        done = update_progress(conn, row["id"], processed_count=processed, failed_count=failed)
        logs = conn.execute("SELECT * FROM sync_activity_log").fetchall()
        # a later update of a completed sync does not log again
        update_progress(conn, row["id"], metadata=psycopg.types.json.Jsonb({"note": "after"}))
        logs_after = conn.execute("SELECT count(*) AS n FROM sync_activity_log").fetchone()["n"]
    assert before == 0
    assert len(logs) == 1 and logs_after == 1
    log = logs[0]
    assert log["action"] == "sync_complete"
    assert log["status"] == status
    assert log["record_count"] == 100
    assert (log["org_id"], log["sync_id"], log["entity_type"]) == (a.org_id, "sync-log", "product")
    assert log["user_id"] == a.user_id
    assert log["error_message"] is None
    expected_duration = (done["completed_at"] - done["started_at"]).total_seconds()
    assert log["duration_seconds"] == numeric_round(Decimal(str(expected_duration)), 2)
    assert STARTED_AGO_S <= log["duration_seconds"] <= STARTED_AGO_S + SLACK_S
    assert log["created_at"] == done["completed_at"]


# --------------------------------------------------------------------------
# Row-level security: tenants are isolated
# --------------------------------------------------------------------------

# No RETURNING here: with RETURNING, the SELECT policy would also reject
# another org's row, and the INSERT policy's WITH CHECK would go untested.
TABLE_INSERTS = {
    "sync_preview_cache": "INSERT INTO sync_preview_cache (org_id, sync_type) VALUES (%s, 'odoo')",
    "sync_progress": (
        "INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items) "
        "VALUES (%s, gen_random_uuid()::text, 'customer', 10)"
    ),
    "sync_activity_log": (
        "INSERT INTO sync_activity_log (id, org_id, action, status, created_at) "
        "VALUES (gen_random_uuid(), %s, 'sync_start', 'in_progress', now())"
    ),
}


@pytest.mark.parametrize("table", list(TABLE_INSERTS))
def test_tenant_isolation(migrated_db, tenants, table):
    a, b = tenants.a, tenants.b
    insert = TABLE_INSERTS[table]

    with pg.as_user(migrated_db, a.user_id) as conn:
        row_id = conn.execute(insert + " RETURNING id", (a.org_id,)).fetchone()["id"]
        assert conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"] == 1

    with pg.as_user(migrated_db, b.user_id) as conn:
        assert conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"] == 0
        assert conn.execute(f"SELECT * FROM {table} WHERE id = %s", (row_id,)).fetchall() == []
        cur = conn.execute(f"UPDATE {table} SET org_id = %s WHERE id = %s", (b.org_id, row_id))
        assert cur.rowcount == 0
        cur = conn.execute(f"DELETE FROM {table} WHERE id = %s", (row_id,))
        assert cur.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as exc:
            conn.execute(insert, (a.org_id,))
        assert exc.value.sqlstate == "42501"
        assert "row-level security" in str(exc.value)

    # moving one's own row to another org fails the UPDATE policy's WITH CHECK
    with pg.as_user(migrated_db, a.user_id) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"UPDATE {table} SET org_id = %s WHERE id = %s", (b.org_id, row_id))

    with pg.connect(migrated_db) as conn:  # superuser: the row is untouched
        rows = conn.execute(f"SELECT id, org_id FROM {table}").fetchall()
    assert rows == [(row_id, a.org_id)]


def test_no_jwt_subject_sees_and_inserts_nothing(migrated_db, tenants):
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        conn.execute(TABLE_INSERTS["sync_progress"], (tenants.a.org_id,))
    with pg.as_user(migrated_db, None) as conn:
        assert conn.execute("SELECT count(*) AS n FROM sync_progress").fetchone()["n"] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(TABLE_INSERTS["sync_preview_cache"], (tenants.a.org_id,))


def test_partitions_are_not_reachable_directly(migrated_db, tenants):
    # RLS is enabled on the partitioned parent only; the tenant role must not
    # be able to go around it through any partition.
    with pg.connect(migrated_db) as conn:
        partitions = [
            r[0]
            for r in conn.execute(
                "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'sync_activity_log'::regclass"
            )
        ]
    assert len(partitions) > 5  # the months 0025 added, and the default one
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        for partition in partitions:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {partition}")


# --------------------------------------------------------------------------
# Preview cache cleanup
# --------------------------------------------------------------------------

SHORT_TTL = "500 milliseconds"


def test_auto_cleanup_preview_cache_deletes_expired_rows(migrated_db, tenants):
    # CHECK (expires_at > NOW()) forbids inserting an already-expired row, and
    # UPDATEs of a row re-check it, so an expired row can only come from time
    # passing: insert (and commit) rows that expire in 500 ms, then wait until
    # the server's clock is past them.
    a, b = tenants.a, tenants.b
    with pg.as_user(migrated_db, a.user_id) as conn:
        expired_a = conn.execute(
            f"INSERT INTO sync_preview_cache (org_id, sync_type, cache_key, expires_at) "
            f"VALUES (%s, 'odoo', 'a-expired', now() + interval '{SHORT_TTL}') RETURNING id",
            (a.org_id,),
        ).fetchone()["id"]
        fresh_a = conn.execute(
            "INSERT INTO sync_preview_cache (org_id, sync_type, cache_key) VALUES (%s, 'odoo', 'a-fresh') RETURNING id",
            (a.org_id,),
        ).fetchone()["id"]
    with pg.as_user(migrated_db, b.user_id) as conn:
        expired_b = conn.execute(
            f"INSERT INTO sync_preview_cache (org_id, sync_type, cache_key, expires_at) "
            f"VALUES (%s, 'shopify', 'b-expired', now() + interval '{SHORT_TTL}') RETURNING id",
            (b.org_id,),
        ).fetchone()["id"]

    with pg.connect(migrated_db) as conn:
        deadline = time.monotonic() + 60  # a bound for a broken clock, not a judged time
        while not conn.execute(
            "SELECT clock_timestamp() > max(expires_at) FROM sync_preview_cache WHERE id IN (%s, %s)",
            (expired_a, expired_b),
        ).fetchone()[0]:
            assert time.monotonic() < deadline, "rows did not expire"
            time.sleep(0.1)

    # The function runs with the caller's rights (not SECURITY DEFINER), so a
    # tenant's call only reaches that tenant's rows through RLS.
    with pg.as_user(migrated_db, a.user_id) as conn:
        result = conn.execute("SELECT * FROM auto_cleanup_preview_cache()").fetchall()
    assert result == [{"deleted_count": 1, "error_message": None}]

    with pg.connect(migrated_db) as conn:
        left = {r[0] for r in conn.execute("SELECT id FROM sync_preview_cache")}
        assert left == {fresh_a, expired_b}
        # run by the owner (as a scheduler would), it reaches every org
        assert conn.execute("SELECT deleted_count, error_message FROM auto_cleanup_preview_cache()").fetchall() == [
            (1, None)
        ]
        assert {r[0] for r in conn.execute("SELECT id FROM sync_preview_cache")} == {fresh_a}


# --------------------------------------------------------------------------
# The migration as a whole
# --------------------------------------------------------------------------


def test_0024_applies_statement_by_statement(pg_admin_url, db_0024):
    # as psql -f would run it; must give the same schema as the one-shot apply
    with pg.fresh_database(pg_admin_url) as other:
        pg.apply_sql(other, pg.standin_sql())
        pg.apply_sql_per_statement(other, pg.schema_under_test_sql())
        pg.assert_same_schema(db_0024, other, label_a="one simple query", label_b="per statement")


def test_0024_is_atomic(pg_admin_url):
    pg.check_migration_atomic(pg_admin_url, pg.schema_under_test_sql())
