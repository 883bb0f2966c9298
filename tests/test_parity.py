"""Parity: the generated migration builds exactly the reference schema.

Two databases on the same server: one from the stand-ins plus the reference
document's own SQL (enum types moved first, its only ordering defect), one
from the stand-ins plus generated/migrations/0024_sync_operations.sql. Their
`pg_dump --schema-only` outputs must be identical: every column, type,
default, nullability, constraint and its name, index, partition bound, policy,
trigger, function body and grant. The reference has no COMMENT statements
while the spec documents its columns, so comments are compared separately:
the database must hold exactly the spec's comments.
"""

from __future__ import annotations

import pg
from reference_sql import reference_sql


def test_generated_migration_builds_the_reference_schema(pg_admin_url):
    with pg.fresh_database(pg_admin_url) as generated, pg.fresh_database(pg_admin_url) as reference:
        pg.build_database(generated, pg.standin_sql(), pg.schema_under_test_sql())
        pg.build_database(reference, pg.standin_sql(), reference_sql())
        pg.assert_same_schema(reference, generated, ignore_comments=True, label_a="reference", label_b="generated")


def test_parity_check_sees_a_one_word_difference(pg_admin_url):
    # Guards the guard: the comparison must notice a changed ON DELETE action.
    changed = pg.schema_under_test_sql().replace(
        "FOREIGN KEY (computed_by) REFERENCES auth.users_extended(id) ON DELETE SET NULL",
        "FOREIGN KEY (computed_by) REFERENCES auth.users_extended(id) ON DELETE CASCADE",
    )
    assert changed != pg.schema_under_test_sql()
    with pg.fresh_database(pg_admin_url) as generated, pg.fresh_database(pg_admin_url) as reference:
        pg.build_database(generated, pg.standin_sql(), changed)
        pg.build_database(reference, pg.standin_sql(), reference_sql())
        diff = pg.schema_diff(reference, generated, ignore_comments=True)
        assert "ON DELETE CASCADE" in diff and "computed_by" in diff


def _spec_comments() -> set[tuple[str, str]]:
    schema = pg.project_schema()
    expected: set[tuple[str, str]] = set()
    for e in schema.enums:
        if e.comment:
            expected.add((f"type {e.name.name}", e.comment))
    for t in schema.tables:
        if t.comment:
            expected.add((f"table {t.name.name}", t.comment))
        for c in t.columns:
            if c.comment:
                expected.add((f"column {t.name.name}.{c.name}", c.comment))
        for p in t.partitions:
            if p.comment:
                expected.add((f"table {p.name.name}", p.comment))
    for f in schema.functions:
        if f.comment:
            expected.add((f"function {f.name.name}", f.comment))
    return expected


def test_database_holds_exactly_the_spec_comments(migrated_db):
    """The database the whole chain gives holds exactly the comments of the spec as it is now."""
    with pg.connect(migrated_db) as conn:
        rows = conn.execute(
            """
            SELECT CASE c.relname IS NULL WHEN true THEN
                     CASE WHEN t.typname IS NOT NULL THEN 'type ' || t.typname ELSE 'function ' || p.proname END
                   ELSE CASE WHEN d.objsubid = 0 THEN 'table ' || c.relname
                        ELSE 'column ' || c.relname || '.' || a.attname END
                   END, d.description
            FROM pg_description d
            LEFT JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
            LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
            LEFT JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND t.oid = d.objoid
            LEFT JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND p.oid = d.objoid
            WHERE coalesce(c.relnamespace, t.typnamespace, p.pronamespace) = 'public'::regnamespace
            """
        ).fetchall()
    assert set(rows) == _spec_comments()
    assert rows, "the spec documents its columns; the database must carry those comments"


def test_reference_objects_are_all_there(db_0024):
    # What the reference document announces: 3 tables, 4 enums, 15 indexes,
    # 12 policies, 5 functions, 4 triggers, 5 partitions.
    with pg.connect(db_0024) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]
        assert one("SELECT count(*) FROM pg_type WHERE typtype = 'e' AND typnamespace = 'public'::regnamespace") == 4
        assert one("SELECT count(*) FROM pg_policies WHERE schemaname = 'public'") == 12
        assert (
            one("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relkind = 'r'") == 5
        )
        assert one("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal") == 4
        assert one("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace") == 5
        assert (
            one(
                "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx_%' "
                "AND tablename IN ('sync_preview_cache', 'sync_progress', 'sync_activity_log')"
            )
            == 15
        )
        assert one("SELECT count(*) FROM pg_class WHERE relrowsecurity AND relnamespace = 'public'::regnamespace") == 3
