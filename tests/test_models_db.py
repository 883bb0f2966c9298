"""The generated models against the real PostgreSQL: round trips, rejections both
sides agree on, and an Update model driving a real UPDATE.

The models are generated from the spec now (not read from the committed generated/),
and the database is the one the whole chain of migrations gives (conftest's
migrated_db), as the application meets it.

Rows are written and read as the tenant role (pg.as_user), never as the
superuser, so the models are proven through the row level security the
application really meets.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pg
import psycopg
import pytest
from models_support import (
    EDGE_SPEC,
    generate,
    import_file,
    insert,
    json_columns,
    project_models,
)
from psycopg import sql
from pydantic import ValidationError
from schemagen.sql import from_scratch

m = import_file(project_models())
TABLES = {
    "sync_preview_cache": (m.SyncPreviewCache, m.SyncPreviewCacheInsert),
    "sync_progress": (m.SyncProgress, m.SyncProgressInsert),
    "sync_activity_log": (m.SyncActivityLog, m.SyncActivityLogInsert),
}
IST = timezone(timedelta(hours=5, minutes=30))


def write(conn: Any, table: str, model: Any) -> Any:
    """Insert the model's dump; return the row read back, validated into the row model."""
    row_model = TABLES[table][0]
    stored = insert(conn, table, model.model_dump(), json_columns(row_model))
    return row_model.model_validate(stored)


def samples(org: uuid.UUID, user: uuid.UUID) -> dict[str, list[Any]]:
    return {
        "sync_preview_cache": [
            m.SyncPreviewCacheInsert(
                org_id=org,
                sync_type=m.SyncType.SHOPIFY,
                sync_id=None,
                computed_by=user,
                cache_key="k-1",
                delta_json={
                    "new": [{"id": 1, "name": "Ünïcode ✓", "price": 12.5}],
                    "deleted": [],
                    "meta": {"nested": {"ok": True, "none": None}},
                },
                expires_at=datetime(2999, 1, 1, 12, 0, tzinfo=IST),
            ),
            m.SyncPreviewCacheInsert(org_id=org, sync_type="odoo", delta_json=[1, "two", None, [3.25]]),
        ],
        "sync_progress": [
            m.SyncProgressInsert(
                org_id=org,
                sync_id="run-1",
                job_id="job-1",
                entity_type=m.SyncEntityType.PRODUCT,
                total_items=1_000_000,
                processed_count=10,
                failed_count=2,
                current_item=12,
                started_at=datetime.now(IST) - timedelta(minutes=10),
                source_system="x" * 50,
                batch_number=-2_147_483_648,
                metadata={"tags": ["a", "b"], "depth": {"n": 1}},
                initiated_by=user,
            ),
            m.SyncProgressInsert(org_id=org, sync_id="run-2", entity_type="order", metadata=None),
        ],
        "sync_activity_log": [
            m.SyncActivityLogInsert(
                id=uuid.uuid4(),
                org_id=org,
                sync_id="run-1",
                entity_type="invoice",
                action=m.SyncAction.BATCH_PROCESS,
                status=m.SyncStatusType.COMPLETED_WITH_ERRORS,
                record_count=2_147_483_647,
                duration_seconds=Decimal("99999999.99"),
                error_message="line 1\nline 2 'quoted' \\ back",
                user_id=user,
                created_at=datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=IST),
            ),
            m.SyncActivityLogInsert(
                id=uuid.uuid4(),
                org_id=org,
                action="sync_start",
                status="pending",
                record_count=None,
                duration_seconds=Decimal("-0.00"),
                created_at=datetime(2025, 11, 1, tzinfo=UTC),
            ),
        ],
    }


def test_round_trip_through_every_table(migrated_db, tenants):
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        for table, models in samples(tenants.a.org_id, tenants.a.user_id).items():
            for sent in models:
                row = write(conn, table, sent)
                for name in sent.model_fields_set:
                    assert getattr(row, name) == getattr(sent, name), (table, name)
                again = TABLES[table][0].model_validate(
                    conn.execute(
                        sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(table)), (row.id,)
                    ).fetchone()
                )
                assert again == row
    with pg.as_user(migrated_db, tenants.b.user_id) as conn:  # RLS: the other tenant sees none of it
        assert conn.execute("SELECT count(*) AS n FROM sync_progress").fetchone()["n"] == 0


def test_round_trip_values_keep_their_types(migrated_db, tenants):
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        rows = {
            table: [write(conn, table, s) for s in models]
            for table, models in samples(tenants.a.org_id, tenants.a.user_id).items()
        }
    cache, progress, log = rows["sync_preview_cache"], rows["sync_progress"], rows["sync_activity_log"]
    assert cache[0].sync_id is None and cache[1].cache_key is None and cache[1].computed_by is None  # NULLs
    assert cache[0].delta_json["meta"]["nested"] == {"ok": True, "none": None} and cache[1].delta_json == [
        1,
        "two",
        None,
        [3.25],
    ]
    assert cache[1].expires_at - cache[1].computed_at == timedelta(hours=1)  # the server default applied
    assert isinstance(cache[0].sync_type, m.SyncType) and cache[0].sync_type is m.SyncType.SHOPIFY
    assert cache[0].expires_at.utcoffset() is not None and cache[0].expires_at == datetime(
        2999, 1, 1, 6, 30, tzinfo=UTC
    )
    assert progress[1].metadata is None and progress[1].total_items == 0  # explicit NULL kept, default applied
    assert progress[0].elapsed_seconds >= 600 and progress[0].speed_items_per_min is not None  # computed by triggers
    assert isinstance(log[0].duration_seconds, Decimal) and str(log[0].duration_seconds) == "99999999.99"
    assert log[0].created_at.microsecond == 999999 and log[1].entity_type is None


REJECTIONS = [
    # (table, field the error names, values that break it, what PostgreSQL raises)
    ("sync_preview_cache", "sync_id", {"sync_id": "x" * 256}, psycopg.errors.StringDataRightTruncation),
    ("sync_activity_log", "record_count", {"record_count": -1}, psycopg.errors.CheckViolation),
    ("sync_activity_log", "status", {"status": "exploded"}, psycopg.errors.InvalidTextRepresentation),
    (
        "sync_progress",
        "total_items",
        {"processed_count": 8, "failed_count": 3, "total_items": 10},
        (psycopg.errors.CheckViolation, psycopg.errors.RaiseException),
    ),
    ("sync_progress", "total_items", {"total_items": 2**31}, psycopg.errors.NumericValueOutOfRange),
    (
        "sync_activity_log",
        "duration_seconds",
        {"duration_seconds": Decimal("123456789.12")},
        psycopg.errors.NumericValueOutOfRange,
    ),
]


def valid(table: str, org: uuid.UUID) -> dict[str, Any]:
    return {
        "sync_preview_cache": {"org_id": org, "sync_type": "custom"},
        "sync_progress": {"org_id": org, "sync_id": f"s-{uuid.uuid4()}", "entity_type": "order", "total_items": 10},
        "sync_activity_log": {
            "id": uuid.uuid4(),
            "org_id": org,
            "action": "sync_start",
            "status": "pending",
            "created_at": datetime(2026, 2, 1, tzinfo=UTC),
        },
    }[table]


@pytest.mark.parametrize(
    ("table", "field", "bad", "pg_error"),
    REJECTIONS,
    ids=[f"{t}.{f}:{next(iter(b.values()))!s:.12}" for t, f, b, _ in REJECTIONS],
)
def test_models_and_postgresql_reject_the_same_values(migrated_db, tenants, table, field, bad, pg_error):
    values = {**valid(table, tenants.a.org_id), **bad}
    insert_model = TABLES[table][1]
    with pytest.raises(ValidationError) as exc:
        insert_model(**values)
    assert field in str(exc.value)
    json_cols = json_columns(TABLES[table][0])
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        # the same row without the bad values goes in
        write(conn, table, insert_model(**valid(table, tenants.a.org_id)))
        with pytest.raises(pg_error):
            insert(conn, table, values, json_cols)


def test_update_model_changes_only_the_columns_given(migrated_db, tenants):
    trigger_set = {"updated_at", "elapsed_seconds", "speed_items_per_min", "eta_seconds", "completed_at"}
    with pg.as_user(migrated_db, tenants.a.user_id) as conn:
        before = write(conn, "sync_progress", samples(tenants.a.org_id, tenants.a.user_id)["sync_progress"][0])
        change = m.SyncProgressUpdate(processed_count=11, job_id=None, metadata={"retry": 1})
        sets = change.model_dump(exclude_unset=True)
        assert set(sets) == {"processed_count", "job_id", "metadata"}
        params = {k: psycopg.types.json.Jsonb(v) if k == "metadata" else v for k, v in sets.items()}
        query = sql.SQL("UPDATE sync_progress SET {} WHERE id = %(id)s RETURNING *").format(
            sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in sets)
        )
        after = m.SyncProgress.model_validate(conn.execute(query, {**params, "id": before.id}).fetchone())
    changed = {name for name in m.SyncProgress.model_fields if getattr(before, name) != getattr(after, name)}
    assert changed - trigger_set == {"processed_count", "job_id", "metadata"}
    assert (after.processed_count, after.job_id, after.metadata) == (11, None, {"retry": 1})


# -- the translated CHECKs agree with PostgreSQL, case by case -------------

EDGE_CASES = [
    {"label": "x"},
    {"code": "c"},
    {},
    {"label": "x", "small": 5},
    {"label": "x", "small": -6},
    {"label": "x", "small": None},
    {"label": "x", "phase": "Active"},
    {"label": "x", "phase": "2fa"},
    {"label": "x", "phase": None},
    {"label": "x", "ratio": Decimal("0.5")},
    {"label": "x", "ratio": Decimal("0.499")},
    {"label": "x", "ratio": Decimal("0.75")},
    {"label": "x", "ratio": None},
    {"label": "x", "starts_at": "2026-01-02T00:00:00Z", "ends_at": "2026-01-02T00:00:00Z"},
    {"label": "x", "starts_at": "2026-01-02T00:00:00Z", "ends_at": "2026-01-01T23:59:59+00:00"},
    {"label": "x", "starts_at": None, "ends_at": "2026-01-01T00:00:00Z"},
    {"label": "x", "a_rather_long_column_name_for_checks": 10, "another_long_column_name_for_checks": 0},
    {"label": "x", "a_rather_long_column_name_for_checks": 60, "another_long_column_name_for_checks": 0},
    {"label": "x", "a_rather_long_column_name_for_checks": 2, "another_long_column_name_for_checks": 0},
    {"label": "x", "a_rather_long_column_name_for_checks": 1, "another_long_column_name_for_checks": 500},
    {"label": "x", "a_rather_long_column_name_for_checks": None, "another_long_column_name_for_checks": 500},
    {"label": "x", "flag": True},
]


@pytest.fixture
def edge_db(db_url, tmp_path):
    result = generate(EDGE_SPEC)
    pg.apply_sql(db_url, from_scratch.migration_sql(result.schema, ["edge.yaml"]))
    path = tmp_path / "edge.py"
    path.write_text(result.outputs["models/edge.py"])
    return db_url, import_file(path)


def test_translated_checks_agree_with_postgresql(edge_db):
    url, edge = edge_db
    verdicts = []
    with pg.connect(url, row_factory=psycopg.rows.dict_row) as conn:
        for case in EDGE_CASES:
            try:
                model = edge.GadgetInsert(**case)
                ours = True
            except ValidationError:
                ours = False
            try:
                with conn.transaction():
                    insert(conn, "gadget", model.model_dump() if ours else dict(case), {"json"})
                theirs = True
            except psycopg.errors.CheckViolation:
                theirs = False
            verdicts.append((case, ours, theirs))
    assert [v for v in verdicts if v[1] != v[2]] == []
    assert {v[1] for v in verdicts} == {True, False}  # both outcomes exercised
