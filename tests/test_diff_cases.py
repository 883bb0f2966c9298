"""Spec edits become migrations that are equivalent, reversible and keep the rows (see diff_harness)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pg
import psycopg
import pytest
from diff_harness import (
    ACCOUNT_A,
    ROWS,
    Case,
    assert_dump,
    full_sql,
    query,
    reference_dump,
    run,
    specs,
)
from schemagen import diff


def table(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["tables"][name]


def columns(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["tables"][name]["columns"]


def allow(spec: dict[str, Any], *entries: str) -> None:
    spec.setdefault("allow_destructive", []).extend(entries)


def rename_column(spec: dict[str, Any], tname: str, old: str, new: str) -> None:
    cols = columns(spec, tname)
    table(spec, tname)["columns"] = {(new if k == old else k): ({**v, "renamed_from": old} if k == old else v) for k, v in cols.items()}


def set_enum(spec: dict[str, Any], name: str, values: list[str], **extra: Any) -> None:
    spec["enums"][name] = {**spec["enums"][name], "values": values, **extra}


def edit(*steps: Any) -> Any:
    def apply(spec: dict[str, Any]) -> None:
        for step in steps:
            step(spec)

    return apply


ITEMS = "SELECT label, qty, price, note FROM item ORDER BY id"
ITEM_ROWS = [("lamp", 3, Decimal("9.99"), "first"), ("desk", 1, Decimal("120.00"), None), ("chair", 0, None, "third")]
NO_ARCHIVED = ROWS.replace("'archived'", "'draft'")
COUNT_STATUS = {"args": "p item_status", "returns": "integer", "language": "sql", "volatility": "stable", "body": "SELECT count(*)::integer FROM item WHERE status = p"}
EVENTS_BY_PARTITION = "SELECT tableoid::regclass::text, count(*) FROM event GROUP BY 1 ORDER BY 1"


def partitions(**parts: dict[str, Any]) -> Any:
    """An edit that gives table event exactly these partitions (the default partition as `{"default": True}`)."""
    return lambda s: table(s, "event")["partitioning"].update(partitions=parts)


JANUARY = {"from": "2026-01-01", "to": "2026-02-01"}
DEFAULT = {"default": True}
# The rows of ROWS: one in January, the other three (February, March, next year) in the default partition.
JANUARY_AND_DEFAULT = partitions(event_2026_01=JANUARY, event_default=DEFAULT)


def _rename_account(spec: dict[str, Any]) -> None:
    spec["tables"] = {("customer" if k == "account" else k): v for k, v in spec["tables"].items()}
    table(spec, "customer")["renamed_from"] = "account"
    columns(spec, "item")["account_id"]["references"] = "customer(id)"
    table(spec, "event")["constraints"][1]["references"] = "customer(id)"
    spec["grants"][0]["tables"] = ["item", "customer"]


def _new_table(spec: dict[str, Any]) -> None:
    spec["tables"]["tag"] = {
        "comment": "Labels on items.",
        "columns": {
            "id": {"type": "bigint", "primary_key": True, "identity": "always"},
            "item_id": {"type": "integer", "not_null": True, "references": "item(id)", "on_delete": "cascade"},
            "name": {"type": "text", "not_null": True},
        },
        "indexes": {"idx_tag_item": {"columns": ["item_id"]}},
        "row_level_security": True,
        "policies": {"tag_read": {"command": "select", "using": "true", "roles": ["app_user"]}},
    }
    spec["grants"].append({"privileges": ["select"], "tables": ["tag"], "to": ["app_user"]})
    spec["grants"].append({"privileges": ["usage"], "all_sequences_in_schema": "public", "to": ["app_user"]})


CASES = [
    # -- columns ---------------------------------------------------------
    Case("add_column_nullable", lambda s: columns(s, "item").update(color={"type": "text", "comment": "Paint"}),
         after_up=[("SELECT count(*) FROM item WHERE color IS NULL", [(3,)])]),
    Case("add_column_with_default", lambda s: columns(s, "item").update(priority={"type": "integer", "not_null": True, "default": 5}),
         after_up=[("SELECT DISTINCT priority FROM item", [(5,)])]),
    Case("add_column_volatile_default", lambda s: columns(s, "account").update(token={"type": "uuid", "default": "gen_random_uuid()"}),
         after_up=[("SELECT count(DISTINCT token) FROM account", [(2,)])]),
    Case("drop_column_confirmed", edit(lambda s: columns(s, "item").pop("note"), lambda s: allow(s, "drop column item.note")),
         after_up=[("SELECT label FROM item ORDER BY id", [("lamp",), ("desk",), ("chair",)])],
         after_down=[("SELECT count(*) FROM item WHERE note IS NULL", [(3,)])], column_order=("down",)),
    Case("rename_column", lambda s: rename_column(s, "item", "label", "title"),
         after_up=[("SELECT title FROM item ORDER BY id", [("lamp",), ("desk",), ("chair",)])],
         after_down=[("SELECT label FROM item ORDER BY id", [("lamp",), ("desk",), ("chair",)])]),
    Case("rename_not_null_column", lambda s: rename_column(s, "account", "name", "full_name"),
         after_up=[("SELECT full_name FROM account ORDER BY full_name", [("Ada",), ("Bob",)])]),
    Case("rename_identity_column", lambda s: rename_column(s, "item", "id", "item_id"),
         after_up=[("SELECT max(item_id) FROM item", [(3,)])]),
    Case("widen_varchar", lambda s: columns(s, "item")["label"].update(type="varchar(200)"), after_up=[(ITEMS, ITEM_ROWS)]),
    Case("widen_integer_used_by_policy",
         edit(lambda s: table(s, "item")["policies"].update(item_qty_visible={"command": "select", "using": "qty >= 0", "roles": ["app_user"]}),
              lambda s: columns(s, "item")["qty"].update(type="bigint")),
         old=lambda s: table(s, "item")["policies"].update(item_qty_visible={"command": "select", "using": "qty >= 0", "roles": ["app_user"]}),
         after_up=[(ITEMS, ITEM_ROWS)]),
    Case("widen_numeric", lambda s: columns(s, "item")["price"].update(type="numeric(12, 2)"), after_up=[(ITEMS, ITEM_ROWS)]),
    Case("narrow_varchar_confirmed", edit(lambda s: columns(s, "account")["name"].update(type="varchar(60)"), lambda s: allow(s, "change type account.name")),
         after_up=[("SELECT name FROM account ORDER BY name", [("Ada",), ("Bob",)])]),
    Case("set_not_null", lambda s: columns(s, "item")["label"].update(not_null=True),
         after_up=[("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'item'::regclass AND attname = 'label'", [(True,)])]),
    Case("set_not_null_fills_nulls_with_the_new_default", lambda s: columns(s, "item")["note"].update(not_null=True, default="'none'"),
         after_up=[("SELECT note FROM item ORDER BY id", [("first",), ("none",), ("third",)])]),
    Case("drop_not_null", lambda s: columns(s, "item")["qty"].update(not_null=False)),
    Case("change_and_drop_defaults", edit(lambda s: columns(s, "item")["qty"].update(default=1), lambda s: columns(s, "account")["created_at"].pop("default"))),
    # -- enums -----------------------------------------------------------
    Case("enum_add_value_used_in_same_migration",
         edit(lambda s: set_enum(s, "item_status", ["draft", "review", "active", "archived"]), lambda s: columns(s, "item")["status"].update(default="'review'")),
         after_up=[("SELECT enum_range(NULL::item_status)::text", [("{draft,review,active,archived}",)])]),
    Case("enum_add_first_value", lambda s: set_enum(s, "channel", ["phone", "web", "store"]),
         after_up=[("SELECT count(*) FROM event WHERE channel = 'web'", [(2,)])]),
    Case("enum_remove_value_confirmed",
         edit(lambda s: set_enum(s, "item_status", ["draft", "active"]), lambda s: allow(s, "drop enum value item_status.archived")),
         rows=NO_ARCHIVED,
         after_up=[("SELECT status::text, count(*) FROM item GROUP BY 1 ORDER BY 1", [("active", 1), ("draft", 2)])],
         after_down=[("SELECT status::text, count(*) FROM item GROUP BY 1 ORDER BY 1", [("active", 1), ("draft", 2)])]),
    Case("enum_rename_value",
         edit(lambda s: set_enum(s, "item_status", ["draft", "live", "archived"], renamed_values={"live": "active"}),
              lambda s: table(s, "item")["indexes"]["idx_item_active"].update(where="status = 'live'")),
         after_up=[("SELECT count(*) FROM item WHERE status = 'live'", [(1,)])],
         after_down=[("SELECT count(*) FROM item WHERE status = 'active'", [(1,)])]),
    Case("enum_reorder_values", lambda s: set_enum(s, "channel", ["store", "web"]),
         after_up=[("SELECT channel::text, count(*) FROM event GROUP BY 1 ORDER BY 1", [("store", 1), ("web", 2), (None, 1)])]),
    Case("enum_rebuild_recreates_functions_of_its_type", lambda s: set_enum(s, "item_status", ["active", "draft", "archived"]),
         old=edit(lambda s: s["functions"].update(count_status=COUNT_STATUS),
                  lambda s: table(s, "account").update(policies={"account_any_active": {"command": "select", "using": "count_status('active') >= 0", "roles": ["app_user"]}})),
         after_up=[("SELECT count_status('active'), enum_range(NULL::item_status)::text", [(1, "{active,draft,archived}")])]),
    Case("enum_rename_type",
         edit(lambda s: s["enums"].update(sales_channel={**s["enums"].pop("channel"), "renamed_from": "channel"}),
              lambda s: columns(s, "event")["channel"].update(type="sales_channel")),
         after_up=[("SELECT count(*) FROM event WHERE channel = 'web'", [(2,)])]),
    Case("create_enum_and_column",
         edit(lambda s: s["enums"].update(priority={"values": ["low", "high"]}),
              lambda s: columns(s, "item").update(priority={"type": "priority", "not_null": True, "default": "'low'"})),
         after_up=[("SELECT DISTINCT priority::text FROM item", [("low",)])]),
    Case("drop_enum_and_its_column",
         edit(lambda s: s["enums"].pop("channel"), lambda s: columns(s, "event").pop("channel"), lambda s: allow(s, "drop column event.channel")),
         column_order=("down",)),
    Case("enum_column_to_text", lambda s: columns(s, "event")["channel"].update(type="text"),
         after_up=[("SELECT channel, count(*) FROM event GROUP BY 1 ORDER BY 1", [("store", 1), ("web", 2), (None, 1)])]),
    # -- tables and constraints ------------------------------------------
    Case("rename_table", _rename_account, after_up=[("SELECT name FROM customer ORDER BY name", [("Ada",), ("Bob",)])]),
    Case("create_table", _new_table, after_up=[("SELECT count(*) FROM tag", [(0,)])]),
    Case("drop_table_confirmed", edit(lambda s: s["tables"].pop("event"), lambda s: allow(s, "drop table event"))),
    Case("add_check_constraint", lambda s: table(s, "item")["constraints"].append({"name": "item_price_positive", "check": "price >= 0", "comment": "No refunds here."})),
    Case("drop_check_constraint", lambda s: table(s, "item")["constraints"].pop(0)),
    Case("change_check_constraint", lambda s: table(s, "item")["constraints"][0].update(check="qty >= 0 AND qty < 1000")),
    Case("add_unique_constraint", lambda s: table(s, "item")["constraints"].append({"unique": ["account_id", "label"]})),
    Case("add_foreign_key", lambda s: columns(s, "item").update(replaces={"type": "integer", "references": "item(id)", "on_delete": "set null"})),
    Case("drop_foreign_key", lambda s: table(s, "event")["constraints"].pop(1)),
    Case("change_primary_key",
         edit(lambda s: columns(s, "item")["id"].pop("primary_key"), lambda s: table(s, "item")["constraints"].append({"name": "item_pkey", "primary_key": ["account_id", "id"]})),
         after_up=[("SELECT count(*) FROM item", [(3,)])]),
    # -- indexes ---------------------------------------------------------
    Case("add_index", lambda s: table(s, "item")["indexes"].update(idx_item_label={"columns": ["lower(label)"], "comment": "Search by label."})),
    Case("drop_index", lambda s: table(s, "item")["indexes"].pop("idx_item_account")),
    Case("change_index_predicate_and_order",
         lambda s: table(s, "item")["indexes"]["idx_item_active"].update(columns=["account_id", "updated_at"], where="status <> 'archived'")),
    Case("index_on_partitioned_table", lambda s: table(s, "event")["indexes"].update(idx_event_channel={"columns": ["channel"]})),
    Case("rename_column_of_partitioned_index",
         edit(lambda s: rename_column(s, "event", "account_id", "owner_id"), lambda s: table(s, "event")["constraints"][1].update(foreign_key=["owner_id"]),
              lambda s: table(s, "event")["indexes"]["idx_event_account"].update(columns=["owner_id", "created_at DESC"]))),
    # -- partitions ------------------------------------------------------
    Case("add_partition_before_the_first", lambda s: table(s, "event")["partitioning"]["partitions"].update(event_2025_12={"from": "2025-12-01", "to": "2026-01-01"})),
    Case("split_maxvalue_partition",
         lambda s: table(s, "event")["partitioning"].update(partitions={
             "event_2026_01": {"from": "2026-01-01", "to": "2026-02-01"},
             "event_2026_02": {"from": "2026-02-01", "to": "2026-03-01"},
             "event_future": {"from": "2026-03-01", "to": "MAXVALUE"},
         }),
         after_up=[(EVENTS_BY_PARTITION, [("event_2026_01", 1), ("event_2026_02", 1), ("event_future", 2)])],
         after_down=[(EVENTS_BY_PARTITION, [("event_2026_01", 1), ("event_future", 3)])]),
    Case("drop_partition_confirmed",
         edit(lambda s: table(s, "event")["partitioning"]["partitions"].pop("event_2026_01"), lambda s: allow(s, "drop partition event_2026_01")),
         counted=False, after_up=[("SELECT count(*) FROM event", [(3,)])]),
    # -- default partitions ----------------------------------------------
    Case("add_default_partition", lambda s: table(s, "event")["partitioning"]["partitions"].update(event_default={"default": True, "comment": "Rows outside every range."}),
         after_up=[("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'event_default'", [("DEFAULT",)])]),
    Case("add_months_while_the_default_partition_holds_their_rows",
         partitions(event_2026_01=JANUARY, event_2026_02={"from": "2026-02-01", "to": "2026-03-01"}, event_2026_03={"from": "2026-03-01", "to": "2026-04-01"}, event_default=DEFAULT),
         old=JANUARY_AND_DEFAULT,
         after_up=[(EVENTS_BY_PARTITION, [("event_2026_01", 1), ("event_2026_02", 1), ("event_2026_03", 1), ("event_default", 1)])],
         after_down=[(EVENTS_BY_PARTITION, [("event_2026_01", 1), ("event_default", 3)])]),
    Case("widen_a_range_over_rows_of_the_default_partition",
         partitions(event_2026_01={"from": "2026-01-01", "to": "2026-03-01"}, event_default=DEFAULT),
         old=JANUARY_AND_DEFAULT,
         after_up=[(EVENTS_BY_PARTITION, [("event_2026_01", 2), ("event_default", 2)])],
         after_down=[(EVENTS_BY_PARTITION, [("event_2026_01", 1), ("event_default", 3)])]),
    Case("merge_a_month_into_the_default_partition",
         partitions(event_2026_01=JANUARY, event_default=DEFAULT),
         old=partitions(event_2026_01=JANUARY, event_2026_02={"from": "2026-02-01", "to": "2026-03-01"}, event_default=DEFAULT),
         after_up=[(EVENTS_BY_PARTITION, [("event_2026_01", 1), ("event_default", 3)])],
         after_down=[(EVENTS_BY_PARTITION, [("event_2026_01", 1), ("event_2026_02", 1), ("event_default", 2)])]),
    Case("replace_the_default_partition_by_maxvalue_keeps_its_rows",
         partitions(event_2026_01=JANUARY, event_future={"from": "2026-02-01", "to": "MAXVALUE"}),
         old=JANUARY_AND_DEFAULT,
         after_up=[(EVENTS_BY_PARTITION, [("event_2026_01", 1), ("event_future", 3)])],
         after_down=[(EVENTS_BY_PARTITION, [("event_2026_01", 1), ("event_default", 3)])]),
    Case("drop_default_partition_confirmed",
         edit(partitions(event_2026_01=JANUARY), lambda s: allow(s, "drop partition event_default")),
         old=JANUARY_AND_DEFAULT, counted=False,
         after_up=[(EVENTS_BY_PARTITION, [("event_2026_01", 1)])]),
    # -- row level security and policies ---------------------------------
    Case("disable_row_level_security", lambda s: table(s, "item").update(row_level_security=False)),
    Case("force_rls_and_new_policy",
         edit(lambda s: table(s, "account").update(row_level_security=True, force_row_level_security=True,
                                                   policies={"account_self": {"using": f"id = '{ACCOUNT_A}'", "roles": ["app_user"], "comment": "Own account only."}}))),
    Case("alter_policy_expression", lambda s: table(s, "item")["policies"]["item_owner"].update(using="account_id = current_setting('app.account')::uuid", roles=["app_user", "public"])),
    Case("replace_policy_command", edit(lambda s: table(s, "item")["policies"]["item_owner"].update(command="select"), lambda s: table(s, "item")["policies"]["item_owner"].pop("check"))),
    Case("drop_policy", lambda s: table(s, "item").update(policies={})),
    # -- functions, triggers, grants, comments ---------------------------
    Case("replace_function_body", lambda s: s["functions"]["touch"].update(body="BEGIN\n    NEW.updated_at := clock_timestamp();\n    RETURN NEW;\nEND;\n", search_path=[])),
    Case("change_function_signature",
         lambda s: s["functions"]["item_count"].update(args="p_account uuid, p_min integer DEFAULT 0", body="SELECT count(*)::integer FROM item WHERE account_id = p_account AND qty >= p_min")),
    Case("recreated_function_used_by_policy_and_default",
         lambda s: (s["functions"]["item_count"].update(args="p_account uuid, p_min integer DEFAULT 0"), s["functions"]["default_qty"].update(args="p_base integer DEFAULT 0", body="SELECT p_base")),
         old=edit(lambda s: s.update(functions={"default_qty": {"returns": "integer", "language": "sql", "volatility": "immutable", "body": "SELECT 0"}, **s["functions"]}),
                  lambda s: columns(s, "item")["qty"].update(default="default_qty()"),
                  lambda s: table(s, "account").update(policies={"account_busy": {"command": "select", "using": "item_count(id) >= 0", "roles": ["app_user"]}})),
         after_up=[("SELECT column_default FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'qty'", [("default_qty()",)])]),
    Case("recreated_function_called_with_a_space_before_its_parenthesis",
         lambda s: s["functions"]["item_count"].update(args="p_account uuid, p_min integer DEFAULT 0"),
         old=edit(lambda s: s["functions"].update(my_item_count={**s["functions"]["item_count"]}),
                  lambda s: table(s, "account").update(policies={
                      "account_busy": {"command": "select", "using": "item_count (id) >= 0", "roles": ["app_user"]},
                      "account_mine": {"command": "select", "using": "my_item_count(id) >= 0", "roles": ["app_user"]},
                  }))),
    # A SQL function's body is checked when it is created: it follows what it reads and calls,
    # and one a table's DEFAULT calls while reading that table (a cycle) is created unchecked.
    Case("sql_functions_follow_what_their_bodies_use",
         edit(lambda s: s["functions"].update(
                  next_ticket={"returns": "integer", "language": "sql", "body": "SELECT coalesce(max(n), 0) + 1 FROM ticket"},
                  tickets_for={"args": "p integer", "returns": "integer", "language": "sql", "body": "SELECT count(*)::integer FROM ticket WHERE n <= double_it(p)"},
                  double_it={"args": "p integer", "returns": "integer", "language": "sql", "volatility": "immutable", "body": "SELECT p * 2"},
                  label_count={"returns": "integer", "language": "sql", "body": "SELECT count(*)::integer FROM label"}),
              lambda s: s["tables"].update(
                  ticket={"columns": {"id": {"type": "integer", "primary_key": True}, "n": {"type": "integer", "not_null": True, "default": "next_ticket()"}}},
                  shelf={"columns": {"id": {"type": "integer", "primary_key": True}, "labels": {"type": "integer", "default": "label_count()"}}},
                  label={"columns": {"id": {"type": "integer", "primary_key": True}}})),
         after_up=[
             ("INSERT INTO ticket (id) VALUES (1), (2), (3) RETURNING n", [(1,), (2,), (3,)]),
             ("INSERT INTO label VALUES (7) RETURNING id", [(7,)]),
             ("INSERT INTO shelf (id) VALUES (1) RETURNING labels", [(1,)]),
             ("SELECT tickets_for(1), double_it(4), next_ticket(), label_count()", [(2, 8, 4, 1)]),
         ]),
    Case("trigger_moves_to_new_function",
         edit(lambda s: s["functions"].update(stamp=s["functions"].pop("touch")), lambda s: s["triggers"]["item_touch"].update(function="stamp"))),
    Case("change_trigger_events", lambda s: s["triggers"]["item_touch"].update(events=["insert", "update"], when="NEW.qty IS NOT NULL")),
    Case("grants_and_revokes",
         edit(lambda s: s["grants"].__setitem__(0, {"privileges": ["select", "delete"], "tables": ["item"], "to": ["app_user"]}),
              lambda s: s["grants"].append({"privileges": ["select"], "tables": ["account"], "to": ["app_user"], "with_grant_option": True}))),
    Case("comments",
         edit(lambda s: table(s, "item").update(comment="Things we sell."), lambda s: columns(s, "item")["label"].pop("comment"),
              lambda s: s["enums"]["item_status"].pop("comment"), lambda s: table(s, "event")["indexes"]["idx_event_account"].update(comment="Recent first."),
              lambda s: s["functions"]["touch"].update(comment="Stamps updated_at."), lambda s: s["triggers"]["item_touch"].update(comment="Keeps updated_at current."))),
    # A comment is the only change (issue 10, item 15: these crashed naming the migration). Each is written, with its down.
    Case("comment_only_enum", lambda s: s["enums"]["item_status"].update(comment="Life cycle.")),
    Case("comment_only_enum_added", lambda s: s["enums"]["channel"].update(comment="Where it was sold.")),
    Case("comment_only_function", lambda s: s["functions"]["item_count"].update(comment="Items of one account.")),
    Case("comment_only_trigger_added", lambda s: s["triggers"]["item_touch"].update(comment="Keeps updated_at current.")),
    Case("comment_only_column", lambda s: columns(s, "item")["label"].update(comment="Shown on the invoice")),
    Case("comment_only_index", lambda s: table(s, "item")["indexes"]["idx_item_account"].update(comment="For the tenant's list.")),
    Case("comment_only_constraint", lambda s: table(s, "item")["constraints"][0].update(comment="No negative stock.")),
    Case("comment_only_foreign_key", lambda s: table(s, "event")["constraints"][1].update(comment="Events go with their account."),
         # a table-level foreign key's comment was dropped, from the from-scratch SQL too
         after_up=[("SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint WHERE conname = 'event_account_fkey' AND conrelid = 'event'::regclass", [("Events go with their account.",)])],
         after_down=[("SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint WHERE conname = 'event_account_fkey' AND conrelid = 'event'::regclass", [(None,)])]),
    Case("comment_only_policy", lambda s: table(s, "item")["policies"]["item_owner"].update(comment="Own items only.")),
    Case("comment_only_partition", lambda s: table(s, "event")["partitioning"]["partitions"]["event_2026_01"].update(comment="January.")),
]


def test_only_what_calls_a_recreated_function_is_recreated(tmp_path):
    """`my_item_count(` is not a call of item_count: its policy stays."""
    case = next(c for c in CASES if c.name == "recreated_function_called_with_a_space_before_its_parenthesis")
    old, new, sources = specs(case, tmp_path)
    up = diff.migration(old, new, number=2, name=case.name, previous="0001_shop", sources=sources).up
    assert "DROP POLICY account_busy" in up
    assert "account_mine" not in up


NOTE_NOT_NULL = Case("set_not_null_over_nulls_without_default", lambda s: columns(s, "item")["note"].update(not_null=True))


def test_not_null_over_nulls_without_default_stops_before_changing_anything(pg_admin_url, tmp_path):
    old, new, sources = specs(NOTE_NOT_NULL, tmp_path)
    up = diff.migration(old, new, number=2, name=NOTE_NOT_NULL.name, previous="0001_shop", sources=sources).up
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, full_sql(old))
        pg.apply_sql(url, ROWS)
        before = pg.schema_dump(url), query(url, "SELECT * FROM item ORDER BY id")
        with pytest.raises(psycopg.errors.RaiseException, match="item.note holds NULLs and has no default"):
            pg.apply_sql_per_statement(url, up)
        assert (pg.schema_dump(url), query(url, "SELECT * FROM item ORDER BY id")) == before
        pg.apply_sql(url, "UPDATE item SET note = 'filled' WHERE note IS NULL")
        pg.apply_sql_per_statement(url, up)  # once the NULLs are gone, the same migration runs
        assert query(url, "SELECT count(*) FROM item WHERE note = 'filled'") == [(1,)]


def test_not_null_migration_runs_again_after_stopping_in_its_last_transaction(pg_admin_url, tmp_path):
    """A run that committed the main transaction and stopped in the last one left the NOT VALID check behind."""
    old, new, sources = specs(NOTE_NOT_NULL, tmp_path)
    up = diff.migration(old, new, number=2, name=NOTE_NOT_NULL.name, previous="0001_shop", sources=sources).up
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, full_sql(old))
        pg.apply_sql(url, ROWS.replace("120.00, NULL", "120.00, 'second'"))
        pg.apply_sql(url, "ALTER TABLE item ADD CONSTRAINT item_note_not_null_check CHECK (note IS NOT NULL) NOT VALID")
        pg.apply_sql_per_statement(url, up)
        assert_dump(pg.schema_dump(url), reference_dump(pg_admin_url, full_sql(new)), "old + stopped run + up")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_migration_equals_new_schema_and_reverts(case, pg_admin_url, tmp_path):
    run(case, pg_admin_url, tmp_path)


def test_there_are_enough_cases():
    assert len({c.name for c in CASES}) == len(CASES) >= 30
