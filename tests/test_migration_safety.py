"""A migration that cannot take the rows stops before it changes anything; a failed one leaves the schema as it was.

Each test builds the old schema of a diff case (tests/diff_harness.py) with
rows, applies the generated migration statement by statement as psql does,
and judges by the database: the error PostgreSQL raises, the schema dump, the
catalog and the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pg
import psycopg
import pytest
from diff_harness import (
    ACCOUNT_A,
    ROWS,
    Case,
    after_main,
    allow,
    columns,
    edit,
    from_phase,
    full_sql,
    phases,
    query,
    reference_dump,
    rename_column,
    run,
    set_enum,
    specs,
    squawk,
    table,
)
from schemagen import diff

LONG = "a note much longer than five characters"
INDEX_VALID = "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('public.idx_item_active')"


def migration(case: Case, tmp_path: Any) -> tuple[str, str, str, str]:
    """(old schema SQL, new schema SQL, up, down) of a case."""
    old, new, sources = specs(case, tmp_path)
    m = diff.migration(old, new, number=2, name=case.name, previous="0001_shop", sources=sources)
    assert not m.refusals, m.refusals
    return full_sql(old), full_sql(new), m.up, m.down


def fails(url: str, sql: str) -> psycopg.Error:
    """Applies `sql`, which must fail; returns the error."""
    with pytest.raises(psycopg.Error) as stopped:
        pg.apply_sql_per_statement(url, sql)
    return stopped.value


def says(error: psycopg.Error, *fragments: str) -> None:
    """The error is the migration's own stop, and names what it should."""
    assert isinstance(error, psycopg.errors.RaiseException), error
    for fragment in fragments:
        assert fragment in str(error), error


def unchanged(url: str, before: tuple[str, list[tuple[Any, ...]]]) -> None:
    assert (pg.schema_dump(url), query(url, "SELECT * FROM item ORDER BY id")) == before


def state(url: str) -> tuple[str, list[tuple[Any, ...]]]:
    return pg.schema_dump(url), query(url, "SELECT * FROM item ORDER BY id")


# -- item 6: nothing outside the transaction runs before it ----------------------

REMOVE_ARCHIVED = Case(
    "remove_archived",
    edit(
        lambda s: set_enum(s, "item_status", ["draft", "active"]),
        lambda s: allow(s, "drop enum value item_status.archived"),
    ),
)
ADD_REVIEW = Case("add_review", lambda s: set_enum(s, "item_status", ["draft", "review", "active", "archived"]))


def test_removing_an_enum_value_that_rows_hold_stops_before_any_change_and_keeps_the_index(pg_admin_url, tmp_path):
    old_sql, new_sql, up, _ = migration(REMOVE_ARCHIVED, tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS)  # the chair is archived
        before = state(url)
        error = fails(url, up)
        unchanged(url, before)
        assert query(url, INDEX_VALID) == [(True,)]
        says(error, "1 row(s) of item hold archived in status", "id=3")
        pg.apply_sql(url, "UPDATE item SET status = 'draft' WHERE status = 'archived'")
        pg.apply_sql_per_statement(url, up)  # the same file, once the rows are fixed
        assert pg.schema_dump(url) == reference_dump(pg_admin_url, new_sql)


def test_the_down_of_an_added_enum_value_stops_before_any_change_and_keeps_the_index(pg_admin_url, tmp_path):
    old_sql, _, up, down = migration(ADD_REVIEW, tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS)
        pg.apply_sql_per_statement(url, up)
        pg.apply_sql(url, "UPDATE item SET status = 'review' WHERE label = 'desk'")
        before = state(url)
        error = fails(url, down)
        unchanged(url, before)
        assert query(url, INDEX_VALID) == [(True,)]
        says(error, "hold review in status", "id=2")
        pg.apply_sql(url, "UPDATE item SET status = 'draft' WHERE status = 'review'")
        pg.apply_sql_per_statement(url, down)
        assert pg.schema_dump(url) == reference_dump(pg_admin_url, old_sql)


def test_an_enum_value_the_transaction_does_not_use_is_added_inside_it(pg_admin_url, tmp_path):
    """A main transaction that fails takes the new value with it (before, ADD VALUE ran first, on its own)."""
    old_sql, _, up, _ = migration(ADD_REVIEW, tmp_path)
    assert [p for p in phases(up)] == ["main"]
    main = phases(up)["main"]
    broken = up.replace(main, pg.inject_failure(main))
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        with pytest.raises(psycopg.errors.DivisionByZero):
            pg.apply_sql_per_statement(url, broken)
        assert query(url, "SELECT enum_range(NULL::item_status)::text") == [("{draft,active,archived}",)]


# -- item 7: a CHECK or a unique index the rows violate ---------------------------

PRICE_CHECK = Case(
    "price_at_least_ten",
    lambda s: table(s, "item")["constraints"].append({"name": "item_price_at_least_ten", "check": "price >= 10"}),
)
UNIQUE_QTY = Case(
    "unique_qty",
    lambda s: table(s, "item")["indexes"].update(
        idx_item_account_qty={"columns": ["account_id", "qty"], "unique": True}
    ),
)


def test_a_check_that_rows_violate_stops_before_any_change_then_the_same_file_applies(pg_admin_url, tmp_path):
    old_sql, new_sql, up, _ = migration(PRICE_CHECK, tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS)  # the lamp costs 9.99
        before = state(url)
        error = fails(url, up)
        unchanged(url, before)  # no NOT VALID constraint left behind
        says(error, "violate CHECK item_price_at_least_ten (price >= 10)", "id=1")
        pg.apply_sql(url, "UPDATE item SET price = 10 WHERE price < 10")
        pg.apply_sql_per_statement(url, up)
        pg.apply_sql_per_statement(url, after_main(up))  # and its later phases, twice
        assert pg.schema_dump(url) == reference_dump(pg_admin_url, new_sql)


def test_a_unique_index_over_duplicates_stops_before_any_change(pg_admin_url, tmp_path):
    old_sql, _, up, _ = migration(UNIQUE_QTY, tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS)
        pg.apply_sql(url, "UPDATE item SET qty = 3")  # Ada's lamp and desk now share (account_id, qty)
        before = state(url)
        error = fails(url, up)
        unchanged(url, before)
        says(
            error, "1 value(s) of (account_id, qty) occur more than once", f"(account_id, qty)=({ACCOUNT_A}, 3) 2 times"
        )
        assert query(url, "SELECT count(*) FROM pg_class WHERE relname LIKE 'idx_item_account_qty%'") == [(0,)]


def test_a_run_again_rebuilds_the_invalid_index_a_failed_build_left(pg_admin_url, tmp_path):
    """A duplicate written after the check makes CREATE INDEX CONCURRENTLY fail, leaving an INVALID index: a run again
    builds it."""
    old_sql, new_sql, up, _ = migration(UNIQUE_QTY, tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS)
        pg.apply_sql(url, "UPDATE item SET qty = 3")
        # as the after phase would fail on a duplicate written meanwhile
        with pytest.raises(psycopg.errors.UniqueViolation):
            pg.apply_sql(url, "CREATE UNIQUE INDEX CONCURRENTLY idx_item_account_qty ON item (account_id, qty)")
        assert query(url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'idx_item_account_qty'::regclass") == [
            (False,)
        ]
        pg.apply_sql(url, "UPDATE item SET qty = 1 WHERE label = 'desk'")
        pg.apply_sql_per_statement(url, up)
        assert query(
            url, "SELECT indisvalid, indisunique FROM pg_index WHERE indexrelid = 'idx_item_account_qty'::regclass"
        ) == [(True, True)]
        assert pg.schema_dump(url) == reference_dump(pg_admin_url, new_sql)


def _rename_account(spec: dict[str, Any]) -> None:
    spec["tables"] = {("customer" if k == "account" else k): v for k, v in spec["tables"].items()}
    table(spec, "customer")["renamed_from"] = "account"
    columns(spec, "item")["account_id"]["references"] = "customer(id)"
    table(spec, "event")["constraints"][1]["references"] = "customer(id)"
    spec["grants"][0]["tables"] = ["item", "customer"]


def _unreferenced(spec: dict[str, Any]) -> None:
    for key in ("references", "on_delete"):
        columns(spec, "item")["account_id"].pop(key)


ORPHAN = "INSERT INTO item (account_id, label) VALUES ('00000000-0000-0000-0000-0000000000ff', 'orphan');"
STOPS = [
    # case, rows before, what the error names, the fix
    (
        Case(
            "foreign_key_over_orphans",
            lambda s: columns(s, "item")["account_id"].update(references="account(id)", on_delete="cascade"),
            old=_unreferenced,
        ),
        ORPHAN,
        ["1 row(s) of item have (account_id) with no row in account (foreign key item_account_id_fkey) (first: id=4)"],
        "DELETE FROM item WHERE label = 'orphan'",
    ),
    (
        Case(
            "not_null_on_a_renamed_column",
            edit(
                lambda s: rename_column(s, "item", "note", "remark"),
                lambda s: columns(s, "item")["remark"].update(not_null=True),
            ),
        ),
        "",
        ["column item.remark holds NULLs and has no default", "(first: id=2)"],
        "UPDATE item SET note = 'second' WHERE note IS NULL",
    ),
    (
        Case(
            "check_on_a_renamed_table",
            edit(
                _rename_account,
                lambda s: table(s, "customer").update(
                    constraints=[{"name": "customer_name_long", "check": "length(customer.name) > 3"}]
                ),
            ),
        ),
        "",
        ["2 row(s) of customer violate CHECK customer_name_long (length(customer.name) > 3)"],
        "UPDATE account SET name = name || ' Lovelace'",
    ),
]


@pytest.mark.parametrize("case, rows, named, fix", STOPS, ids=[str(c[0]) for c in STOPS])
def test_rows_that_cannot_follow_stop_the_migration_before_any_change(case, rows, named, fix, pg_admin_url, tmp_path):
    old_sql, new_sql, up, _ = migration(case, tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS + rows)
        before = state(url)
        error = fails(url, up)
        unchanged(url, before)
        says(error, *named)
        pg.apply_sql(url, fix)
        pg.apply_sql_per_statement(url, up)
        assert pg.schema_dump(url) == reference_dump(pg_admin_url, new_sql)


# -- item 2: a narrower type never changes a value --------------------------------

NarrowCase = tuple[
    str, Callable[[dict[str, Any]], None], Callable[[dict[str, Any]], None], str, str, str, list[tuple[Any, ...]]
]
NARROWINGS: list[NarrowCase] = [
    # name, old edit, new edit, rows (SQL), message fragment, query, the rows it returns before and after
    (
        "text_to_varchar",
        lambda s: None,
        edit(
            lambda s: columns(s, "item")["note"].update(type="varchar(5)"), lambda s: allow(s, "change type item.note")
        ),
        f"UPDATE item SET note = '{LONG}' WHERE id = 2",
        "column item.note: 1 row(s) hold a value that varchar(5) cannot hold unchanged (first: id=2)",
        "SELECT note FROM item ORDER BY id",
        [("first",), (LONG,), ("third",)],
    ),
    (
        "varchar_to_char",
        lambda s: None,
        edit(
            lambda s: columns(s, "item")["label"].update(type="char(4)"), lambda s: allow(s, "change type item.label")
        ),
        "",
        "column item.label: 1 row(s) hold a value that char(4) cannot hold unchanged (first: id=3)",
        "SELECT label FROM item ORDER BY id",
        [("lamp",), ("desk",), ("chair",)],
    ),
    (
        "fewer_decimals",
        lambda s: None,
        edit(
            lambda s: columns(s, "item")["price"].update(type="numeric(8, 1)"),
            lambda s: allow(s, "change type item.price"),
        ),
        "",
        "column item.price: 1 row(s) hold a value that numeric(8,1) cannot hold unchanged (first: id=1)",
        "SELECT price FROM item ORDER BY id",
        [(Decimal("9.99"),), (Decimal("120.00"),), (None,)],
    ),
    (
        "smaller_integer",
        lambda s: None,
        edit(lambda s: columns(s, "item")["qty"].update(type="smallint"), lambda s: allow(s, "change type item.qty")),
        "UPDATE item SET qty = 40000 WHERE id = 3",
        "column item.qty: 1 row(s) hold a value that smallint cannot hold unchanged (first: id=3)",
        "SELECT qty FROM item ORDER BY id",
        [(3,), (1,), (40000,)],
    ),
]


@pytest.mark.parametrize("name, old, new, rows, message, check, expected", NARROWINGS, ids=[n[0] for n in NARROWINGS])
def test_a_narrower_type_refuses_a_value_it_would_change_and_names_its_row(
    name, old, new, rows, message, check, expected, pg_admin_url, tmp_path
):
    old_sql, _, up, _ = migration(Case(name, new, old), tmp_path)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS + rows)
        before = state(url)
        error = fails(url, up)
        unchanged(url, before)
        says(error, message)
        # A row written after the precheck: the main transaction checks again under the table's lock.
        if "LOCK TABLE" in up:
            says(fails(url, from_phase(up, "main")), message)
        else:  # PostgreSQL refuses the value itself
            with pytest.raises(psycopg.DataError):
                pg.apply_sql_per_statement(url, from_phase(up, "main"))
        unchanged(url, before)
        assert query(url, check) == expected


def test_the_down_of_a_widening_refuses_a_value_the_old_type_cannot_hold(pg_admin_url, tmp_path):
    case = Case("label_to_text", lambda s: columns(s, "item")["label"].update(type="text"))
    old_sql, _, up, down = migration(case, tmp_path)
    assert "ALTER COLUMN label TYPE varchar(50);" in down  # no USING: an explicit cast would cut the value
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS)
        pg.apply_sql_per_statement(url, up)
        pg.apply_sql(url, "UPDATE item SET label = repeat('x', 51) WHERE id = 1")
        before = state(url)
        error = fails(url, down)
        unchanged(url, before)
        says(error, "column item.label: 1 row(s) hold a value that varchar(50) cannot hold unchanged (first: id=1)")
        assert query(url, "SELECT length(label) FROM item WHERE id = 1") == [(51,)]


def test_a_down_migration_header_says_what_it_cannot_take_back(tmp_path):
    case = Case("qty_to_bigint", lambda s: columns(s, "item")["qty"].update(type="bigint"))
    _, _, up, down = migration(case, tmp_path)
    assert "Data the earlier schema cannot hold is not taken back" in down
    assert "--   - a value of item.qty does not fit integer" in down
    assert "cannot hold" not in up.split("schemagen:phase")[0]


@pytest.mark.parametrize(
    "case", [REMOVE_ARCHIVED, ADD_REVIEW, PRICE_CHECK, UNIQUE_QTY, Case("narrow", NARROWINGS[0][2])], ids=str
)
def test_migrations_with_checks_pass_squawk(case, tmp_path):
    _, _, up, down = migration(case, tmp_path)
    for label, sql in (("up", up), ("down", down)):
        assert squawk(sql, tmp_path, label) == [], sql


# -- item 7: every phase after the main transaction runs again harmlessly ---------


def _foreign_key_on_a_new_key(spec: dict[str, Any]) -> None:
    table(spec, "item")["constraints"].append({"unique": ["account_id", "label"]})
    columns(spec, "account")["fav_label"] = {"type": "varchar(50)"}
    table(spec, "account")["constraints"] = [
        {"name": "account_fav_fkey", "foreign_key": ["id", "fav_label"], "references": "item(account_id, label)"}
    ]


AGAIN = [
    # A foreign key that needs a key built after the transaction moves to the last phase, in a form that skips it once
    # added.
    Case("foreign_key_on_a_key_built_after_the_transaction", _foreign_key_on_a_new_key, column_order=("down",)),
    Case(
        "unique_index_and_check",
        edit(
            UNIQUE_QTY.new,
            lambda s: table(s, "item")["constraints"].append({"name": "item_qty_small", "check": "qty < 100"}),
        ),
    ),
]


@pytest.mark.parametrize("case", AGAIN, ids=str)
def test_the_phases_after_the_main_transaction_run_again_harmlessly(case, pg_admin_url, tmp_path):
    run(case, pg_admin_url, tmp_path)  # runs them twice, after the up and after the down
    _, _, up, _ = migration(case, tmp_path / "again")
    assert list(phases(up))[-2:] == ["after", "final"]


def test_a_validation_that_fails_after_the_commit_resumes_at_its_phase(pg_admin_url, tmp_path):
    """A CHECK over a column the migration adds cannot be checked before it: its validation fails in the last phase,
    which runs again once the rows are fixed."""
    case = Case(
        "discount_below_price",
        edit(
            lambda s: columns(s, "item").update(discount={"type": "numeric(8, 2)", "default": "5"}),
            lambda s: table(s, "item")["constraints"].append(
                {"name": "item_discount_below_price", "check": "discount < price"}
            ),
        ),
    )
    old_sql, new_sql, up, _ = migration(case, tmp_path)
    assert "schemagen:phase precheck" not in up
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, ROWS.replace("9.99", "3.00"))
        with pytest.raises(psycopg.errors.CheckViolation, match="item_discount_below_price"):
            pg.apply_sql_per_statement(url, up)
        # The main transaction is committed; the constraint refuses new rows already.
        assert query(url, "SELECT convalidated FROM pg_constraint WHERE conname = 'item_discount_below_price'") == [
            (False,)
        ]
        pg.apply_sql(url, "UPDATE item SET discount = 0 WHERE discount >= price")
        pg.apply_sql_per_statement(url, from_phase(up, "final"))
        assert pg.schema_dump(url) == reference_dump(pg_admin_url, new_sql)
