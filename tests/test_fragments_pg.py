"""schemagen's verdict on SQL fragments against PostgreSQL's own.

Each case is one fragment (a policy's USING, a trigger's WHEN, ...) put into a
small spec: schemagen must accept it exactly when PostgreSQL accepts the
statement that uses it, run on a database holding that spec's schema. A
fragment schemagen cannot judge (one reading a relation it does not know, such
as a catalog table) is out of scope and not listed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pg
import psycopg
import pytest
import yaml
from schemagen import errors, resolve
from schemagen.spec import loader
from schemagen.sql import from_scratch, standins

BASE: dict[str, Any] = {
    "migration": {"version": 1, "name": "fragments"},
    "external": {
        "roles": ["app_user"],
        "schemas": ["auth"],
        "tables": {
            "auth.users_extended": {
                "columns": {"id": {"type": "uuid", "primary_key": True}, "org_id": {"type": "uuid"}}
            }
        },
    },
    "enums": {"mood": {"values": ["sad", "ok", "happy"]}},
    "tables": {
        "doc": {
            "columns": {
                "id": {"type": "integer", "primary_key": True},
                "owner": {"type": "uuid"},
                "org_id": {"type": "uuid"},
                "title": {"type": "text"},
                "mood": {"type": "mood"},
            }
        },
        "member": {
            "columns": {
                "id": {"type": "integer", "primary_key": True},
                "doc_id": {"type": "integer"},
                "org_id": {"type": "uuid"},
            }
        },
    },
    "functions": {"touch": {"returns": "trigger", "body": "BEGIN RETURN NEW; END;\n"}},
}


def verdict(tmp_path: Path, edit) -> list[errors.Diagnostic]:
    """The diagnostics schemagen gives the base spec with `edit` applied (none: accepted)."""
    spec = copy.deepcopy(BASE)
    edit(spec)
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir(exist_ok=True)
    (spec_dir / "fragments.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    try:
        resolve.resolve(loader.load_dir(spec_dir, tmp_path))
    except errors.SpecError as exc:
        return exc.diagnostics
    return []


@pytest.fixture(scope="module")
def base_db(pg_admin_url, tmp_path_factory):
    """A database holding the base spec's schema (built by schemagen) and its stand-ins."""
    spec_dir = tmp_path_factory.mktemp("base") / "spec"
    spec_dir.mkdir()
    (spec_dir / "fragments.yaml").write_text(yaml.safe_dump(BASE, sort_keys=False), encoding="utf-8")
    files = loader.load_dir(spec_dir)
    schema = resolve.resolve(files)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, standins.standin_sql(schema))
        pg.apply_sql(url, from_scratch.migration_sql(schema, [f.source for f in files]))
        yield url


def postgres_accepts(url: str, sql: str) -> bool:
    """Whether PostgreSQL runs `sql` on the base database (rolled back either way)."""
    with pg.connect(url, autocommit=False) as conn:
        try:
            conn.execute(sql)
        except psycopg.Error:
            return False
        finally:
            conn.rollback()
    return True


# -- policies (issue 10, item 14) ------------------------------------------

POLICIES = [
    "owner = current_setting('app.user', true)::uuid",
    "doc.owner IS NOT NULL",
    "public.doc.owner IS NOT NULL",
    "doc.ctid IS NOT NULL",
    "EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = doc.owner AND u.org_id = doc.org_id)",
    "EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.org_id = org_id)",
    "EXISTS (SELECT 1 FROM member WHERE member.doc_id = id)",
    "EXISTS (SELECT 1 FROM member m WHERE m.doc_id = doc.id AND title <> '')",
    "id IN (SELECT doc_id FROM member)",
    "EXISTS (SELECT 1 FROM member AS doc WHERE doc.doc_id = 1)",
    "EXISTS (SELECT 1 FROM (SELECT doc_id AS d FROM member) s WHERE s.d = id)",
    "EXISTS (SELECT 1 FROM member m JOIN auth.users_extended u ON u.org_id = m.org_id WHERE m.doc_id = doc.id)",
    "owner = ANY (ARRAY(SELECT id FROM auth.users_extended))",
    "EXISTS (WITH x AS (SELECT org_id FROM member) SELECT 1 FROM x WHERE x.org_id = doc.org_id)",
    (
        "EXISTS (SELECT 1 FROM member WHERE doc_id = doc.id UNION SELECT 1 FROM auth.users_extended WHERE "
        "org_id = doc.org_id)"
    ),
    "EXISTS (SELECT 1 FROM unnest(ARRAY[1, 2]) AS f(n) WHERE f.n = doc.id)",
    "EXISTS (SELECT m.doc_id AS k FROM member m WHERE m.doc_id = doc.id ORDER BY k)",
    "mood = 'ok'",
    # a FROM item named where a column would be: the whole row (review of issue 10, item 5)
    "doc IS NOT NULL",
    "EXISTS (SELECT 1 FROM member m WHERE to_jsonb(m) ? 'doc_id')",
    "EXISTS (SELECT 1 FROM member m WHERE m = m)",
    "EXISTS (SELECT 1 FROM member WHERE member IS NOT NULL AND member.doc_id = doc.id)",
    "EXISTS (SELECT 1 FROM (SELECT doc_id FROM member) s WHERE s IS NOT NULL)",
    # an alias's column list renames the columns; a sub-select's are its outputs
    "EXISTS (SELECT 1 FROM (SELECT doc_id FROM member) s(x) WHERE s.x = doc.id)",
    "EXISTS (SELECT 1 FROM (SELECT doc_id FROM member) s(x) WHERE x = doc.id)",
    "EXISTS (SELECT 1 FROM (VALUES (1)) v(n) WHERE v.n = doc.id)",
    "EXISTS (SELECT 1 FROM (VALUES (1, 2)) v(n) WHERE v.column2 = doc.id)",
    "EXISTS (WITH c(k) AS (SELECT doc_id FROM member) SELECT 1 FROM c WHERE c.k = doc.id)",
    "EXISTS (WITH c AS (SELECT doc_id AS k FROM member) SELECT 1 FROM c AS d(z) WHERE d.z = doc.id)",
    "EXISTS (SELECT 1 FROM member AS m(a) WHERE m.a = doc.id AND m.doc_id = doc.id)",
    "EXISTS (SELECT 1 FROM unnest(ARRAY[1, 2]) AS f(n) WHERE f.n = doc.id)",
    "EXISTS (SELECT 1 FROM generate_series(1, 2) g WHERE g.g = doc.id)",
    "EXISTS (SELECT 1 FROM generate_series(1, 2) WITH ORDINALITY AS g(n, i) WHERE g.i = doc.id)",
    "EXISTS (SELECT 1 FROM jsonb_to_record('{}') AS r(a int) WHERE r.a = doc.id)",
    "EXISTS (SELECT 1 FROM (SELECT count(*) FROM member) s WHERE s.count > 0)",
    # misspelt, or not a column of the table named
    "ownr IS NULL",
    "doc.ownr IS NULL",
    "public.doc.ownr IS NULL",
    "EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.orgid = doc.org_id)",
    "EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.org_id = doc.orgid)",
    "EXISTS (SELECT 1 FROM member m WHERE member.doc_id = doc.id)",
    "EXISTS (SELECT 1 FROM member AS doc WHERE doc.title = 'x')",
    "id IN (SELECT doc_idd FROM member)",
    "EXISTS (SELECT 1 FROM member m WHERE m.doc_id = doc.id AND titel <> '')",
    "users_extended.id = owner",
    "EXISTS (SELECT 1 FROM member m JOIN auth.users_extended u ON u.orgid = m.org_id)",
    "EXISTS (SELECT 1 FROM member m WHERE to_jsonb(mm) ? 'doc_id')",
    "EXISTS (SELECT 1 FROM (SELECT doc_id FROM member) s(x) WHERE s.oo = doc.id)",
    "EXISTS (SELECT 1 FROM (SELECT doc_id FROM member) s(x) WHERE s.doc_id = doc.id)",
    "EXISTS (SELECT 1 FROM (SELECT doc_id AS d FROM member) s WHERE s.dd = doc.id)",
    "EXISTS (SELECT 1 FROM (VALUES (1)) v(n) WHERE v.m = doc.id)",
    "EXISTS (WITH c(k) AS (SELECT doc_id FROM member) SELECT 1 FROM c WHERE c.kk = doc.id)",
    "EXISTS (WITH c(k) AS (SELECT doc_id FROM member) SELECT 1 FROM c WHERE c.doc_id = doc.id)",
    "EXISTS (SELECT 1 FROM member AS m(a) WHERE m.id = doc.id)",
    "EXISTS (SELECT 1 FROM unnest(ARRAY[1, 2]) AS f(n) WHERE f.nn = doc.id)",
    "EXISTS (SELECT 1 FROM generate_series(1, 2) WITH ORDINALITY AS g(n) WHERE g.i = doc.id)",
    "EXISTS (SELECT 1 FROM jsonb_to_record('{}') AS r(a int) WHERE r.b = doc.id)",
    (
        "EXISTS (SELECT 1 FROM member WHERE doc_id = doc.id UNION SELECT 1 FROM auth.users_extended WHERE "
        "orgid = doc.org_id)"
    ),
]


@pytest.mark.parametrize("using", POLICIES)
def test_policy_columns_are_judged_as_postgresql_does(using, base_db, tmp_path):
    def edit(spec):
        spec["tables"]["doc"]["row_level_security"] = True
        spec["tables"]["doc"]["policies"] = {"p": {"command": "select", "using": using}}
        spec["policy_templates"] = {
            "t": {"commands": ["update"], "name": "{prefix}_t", "using": using.replace("doc.", "{table}.")}
        }
        spec["tables"]["doc"]["apply_policies"] = [{"template": "t"}]

    found = verdict(tmp_path, edit)
    accepted = postgres_accepts(base_db, f"CREATE POLICY p ON doc FOR SELECT USING ({using})")
    assert (not found) == accepted, found
    # the policy and the template applied to the table say the same
    assert len(found) in (0, 2), found
    assert {d.code for d in found} <= {errors.UNKNOWN_COLUMN, errors.UNKNOWN_TABLE}


# -- trigger WHEN (issue 10, item 14) ---------------------------------------

TRIGGERS = [
    (["update"], "row", "NEW.title IS DISTINCT FROM OLD.title"),
    (["insert"], "row", "NEW.title IS NOT NULL"),
    (["delete"], "row", "OLD.id > 0"),
    (["update"], "row", "NEW.* IS DISTINCT FROM OLD.*"),
    (["update"], "row", "NEW IS DISTINCT FROM OLD"),
    (["update"], "row", "new.mood = 'ok'"),
    (["update"], "statement", "current_user = 'x'"),
    (["insert", "update"], "row", "NEW.owner IS NULL"),
    (["update"], "row", "title IS NULL"),
    (["update"], "row", "doc.title IS NULL"),
    (["update"], "row", "NEW.titel IS NULL"),
    (["insert"], "row", "OLD.id > 0"),
    (["delete"], "row", "NEW.id > 0"),
    (["insert", "update"], "row", "OLD.id > 0"),
    (["update"], "statement", "NEW.id > 0"),
    (["update"], "row", "EXISTS (SELECT 1)"),
    (["update"], "row", "(SELECT 1) = 1"),
]


@pytest.mark.parametrize(("events", "for_each", "when"), TRIGGERS)
def test_trigger_when_is_judged_as_postgresql_does(events, for_each, when, base_db, tmp_path):
    def edit(spec):
        spec["triggers"] = {
            "t": {
                "table": "doc",
                "timing": "after",
                "events": events,
                "for_each": for_each,
                "function": "touch",
                "when": when,
            }
        }

    found = verdict(tmp_path, edit)
    sql = (
        f"CREATE TRIGGER t AFTER {' OR '.join(e.upper() for e in events)} ON doc FOR EACH {for_each.upper()} "
        f"WHEN ({when}) EXECUTE FUNCTION touch()"
    )
    assert (not found) == postgres_accepts(base_db, sql), found


# -- column defaults (issue 10, item 5) ---------------------------------------

DEFAULTS = [
    ("integer", "'abc'"),
    ("integer", "' 12 '"),
    ("integer", "'+3'"),
    ("integer", "'1.5'"),
    ("integer", "1.5"),
    ("integer", "-3"),
    ("integer", "99999999999"),
    ("integer", "'99999999999'"),
    ("integer", "2147483647"),
    ("integer", "2147483647.5"),
    ("integer", "true"),
    ("integer", "1e3"),
    ("integer", "'1e3'"),
    ("integer", "$$5$$"),
    ("integer", "NULL"),
    ("smallint", "40000"),
    ("smallint", "-32768"),
    ("bigint", "9223372036854775807"),
    ("bigint", "9223372036854775808"),
    ("integer", "'5'::integer"),
    ("integer", "'5'::bigint"),
    ("integer", "'a'::integer"),
    ("integer", "CAST('7' AS integer)"),
    ("integer", "'99999999999'::bigint"),
    ("integer", "5 + 2"),
    ("integer", "now()"),
    ("boolean", "42"),
    ("boolean", "1"),
    ("boolean", "'yes'"),
    ("boolean", "'y'"),
    ("boolean", "' on '"),
    ("boolean", "'nope'"),
    ("boolean", "'1'"),
    ("boolean", "'TRUE'"),
    ("boolean", "'o'"),
    ("boolean", "'of'"),
    ("boolean", "false"),
    ("boolean", "'x'::text"),
    ("text", "42"),
    ("text", "4.2"),
    ("text", "true"),
    ("text", "E'a\\nb'"),
    ("text", "'ok'::mood"),
    ("varchar(3)", "'abcdef'"),
    ("varchar(3)", "'abc   '"),
    ("varchar(3)", "12345"),
    ("varchar(3)", "true"),
    ("varchar(4)", "true"),
    ("varchar(3)", "'abcdef'::varchar(3)"),
    ("varchar(3)", "'abcdef'::text"),
    ("char(2)", "'abc'"),
    ("char(2)", "'ab'"),
    ("numeric(5,2)", "1234.5"),
    ("numeric(5,2)", "999.994"),
    ("numeric(5,2)", "999.995"),
    ("numeric(5,2)", "'12.345'"),
    ("numeric(5,2)", "'abc'"),
    ("numeric", "'NaN'"),
    ("numeric", "'Infinity'"),
    ("numeric(5,2)", "'Infinity'"),
    ("numeric", "1e400"),
    ("real", "'inf'"),
    ("real", "'1e40'"),
    ("real", "1e40"),
    ("double precision", "'1e400'"),
    ("double precision", "'abc'"),
    ("double precision", "'-1.5e3'"),
    ("uuid", "'abc'"),
    ("uuid", "'00000000-0000-0000-0000-000000000000'"),
    ("uuid", "'{00000000-0000-0000-0000-000000000000}'"),
    ("uuid", "'0000000000000000-0000000000000000'"),
    ("uuid", "'000000000000000000000000000000000'"),
    ("uuid", "42"),
    ("uuid", "gen_random_uuid()"),
    ("mood", "'zzz'"),
    ("mood", "'ok'"),
    ("mood", "'OK'"),
    ("mood", "'ok '"),
    ("mood", "42"),
    ("mood", "'ok'::mood"),
    ("mood", "'zzz'::mood"),
    ("mood", "'ok'::text"),
    ("jsonb", "'{\"a\": 1'"),
    ("jsonb", "'{\"a\": 1}'"),
    ("jsonb", "42"),
    ("json", "'nope'"),
    ("json", "'NaN'"),
    ("jsonb", "'[]'"),
    ("date", "'abc'"),
    ("date", "42"),
    ("date", "'today'"),
    ("date", "'2026-01-01'"),
    ("timestamptz", "'now'"),
    ("timestamptz", "now()"),
    ("date", "now()"),
    ("date", "CURRENT_TIMESTAMP"),
    ("integer", "CURRENT_DATE"),
    ("text", "now()"),
    ("uuid", "now()"),
    ("timestamp", "'2026-01-01'::date"),
    ("integer", "'2026-01-01'::date"),
    ("integer", "random()"),
    ("boolean", "random()"),
    ("date", "'2026-01-01 10:00'::timestamptz"),
    ("text", "'abc'::bytea"),
    ("text[]", "42"),
    ("text[]", "'{}'"),
    ("bytea", "42"),
    ("interval", "42"),
    ("inet", "42"),
    ("integer", "(SELECT 1)"),
    ("integer", "id + 1"),
    ("integer", "member.doc_id"),
    ("integer", "count(*)"),
    ("integer", "row_number() OVER ()"),
    ("integer", "generate_series(1, 2)"),
    ("integer", "coalesce((SELECT max(id) FROM member), 0)"),
    # dates, times, arrays and addresses (review of issue 10, item 7)
    ("date", "'2026-13-45'"),
    ("date", "'2026-02-29'"),
    ("date", "'2024-02-29'"),
    ("date", "'2026-1-5'"),
    ("date", "'2026-04-31'"),
    ("date", "'0000-01-01'"),
    ("date", "'2026-01-01 10:00'"),
    ("date", "'Jan 5 2026'"),
    ("timestamp", "'2026-01-01 24:00:00'"),
    ("timestamp", "'2026-01-01 24:00:01'"),
    ("timestamp", "'2026-01-01 23:59:60'"),
    ("timestamptz", "'2026-01-01 25:00'"),
    ("timestamptz", "'2026-01-01 10:60'"),
    ("timestamptz", "'2026-01-01 10:00:00+02'"),
    ("timestamptz", "'2026-01-01T10:00:00Z'"),
    ("timestamptz", "'2026-01-01 10:00 UTC'"),
    ("timestamptz", "'2026-02-30 10:00'"),
    ("time", "'25:00'"),
    ("time", "'24:00'"),
    ("time", "'24:00:00.5'"),
    ("time", "'23:59:60'"),
    ("time", "'10:60'"),
    ("time", "'7:05'"),
    ("time", "'10:30:15.5'"),
    ("timetz", "'10:30+02'"),
    ("timetz", "'10:61+02'"),
    ("integer[]", "'{1,x}'"),
    ("integer[]", "'{1,2}'"),
    ("integer[]", "'{ 1 , 2 }'"),
    ("integer[]", "'{1,NULL}'"),
    ("integer[]", "'{1,null}'"),
    ("integer[]", "'{1,\"2\"}'"),
    ("integer[]", "'{{1,2},{3,4}}'"),
    ("integer[]", "'{{1,2},{3}}'"),
    ("integer[]", "'{1,{2}}'"),
    ("integer[]", "'1,2'"),
    ("integer[]", "'{1,2'"),
    ("integer[]", "'{1,,2}'"),
    ("integer[]", "'{1,2} x'"),
    ("integer[]", "'[1:2]={1,2}'"),
    ("integer[]", "'{99999999999}'"),
    ("text[]", '\'{a,"b,c","d\\"e",f g}\''),
    ("text[]", "'{\"NULL\"}'"),
    ("varchar(2)[]", "'{ab,abc}'"),
    ("mood[]", "'{ok,zzz}'"),
    ("mood[]", "'{ok,happy}'"),
    ("boolean[]", "'{t,f,yes}'"),
    ("boolean[]", "'{t,maybe}'"),
    ("uuid[]", "'{abc}'"),
    ("inet", "'300.1.1.1'"),
    ("inet", "'10.1.2.3/8'"),
    ("inet", "'10.1.2.3/33'"),
    ("inet", "'::1'"),
    ("inet", "'localhost'"),
    ("inet", "'192.168.0.1'"),
    ("cidr", "'10.1.2.3/8'"),
    ("cidr", "'10.0.0.0/8'"),
    ("cidr", "'10.1.2.0'"),
    ("integer", "2147483648::bigint"),
    ("integer", "2147483647::bigint"),
    ("smallint", "40000::integer"),
    ("integer", "1.5::numeric"),
    ("numeric(3,1)", "99.99::numeric"),
    ("integer", "99999999999::integer"),
    ("varchar(3)", "12345::text"),
    ("text", "5::integer"),
]
# Integer literals PostgreSQL reads only since 16: refused, since migrations must run on 14 and 15 too.
SINCE_16 = [("integer", "'0x10'"), ("integer", "'1_000'")]


@pytest.mark.parametrize(("type_", "default"), DEFAULTS + SINCE_16)
def test_defaults_are_judged_as_postgresql_does(type_, default, base_db, tmp_path):
    def edit(spec):
        spec["tables"]["dflt"] = {
            "columns": {"id": {"type": "integer", "primary_key": True}, "c": {"type": type_, "default": default}}
        }

    found = verdict(tmp_path, edit)
    accepted = postgres_accepts(
        base_db, f"CREATE TABLE dflt (id integer, c {type_} DEFAULT {default}); INSERT INTO dflt (id) VALUES (1)"
    )
    assert {d.code for d in found} <= {errors.SQL_SHAPE, errors.SQL_VALUE}, found
    if (type_, default) in SINCE_16:
        with pg.connect(base_db) as conn:
            version = conn.execute("SHOW server_version_num").fetchone()[0]
        assert found and "need PostgreSQL 16" in found[0].message
        assert accepted == (int(version) >= 160000)
        return
    assert (not found) == accepted, found


# -- a date or time column compared with a number (review of issue 10, item 7) --------------------

COMPARISONS = [
    ("check", "d > 2026-01-01"),
    ("check", "d > '2026-01-01'"),
    ("check", "d > 5"),
    ("check", "ts >= 2026-01-01"),
    ("check", "t < 10"),
    ("check", "iv > 0"),
    ("check", "n > 2026-01-01"),
    ("check", "d BETWEEN 2026-01-01 AND '2027-01-01'"),
    ("check", "d IN ('2026-01-01', 2026-01-02)"),
    ("check", "d - 1 > '2026-01-01'"),
    ("check", "d > CURRENT_DATE - 30"),
    ("check", "event.d > 20260101"),
    ("check", "2026 - 1 - 1 < d"),
    ("where", "d > 2026-01-01"),
    ("where", "d > '2026-01-01'"),
]


@pytest.mark.parametrize(("where", "expression"), COMPARISONS)
def test_date_comparisons_are_judged_as_postgresql_does(where, expression, base_db, tmp_path):
    columns = {"id": "integer", "d": "date", "ts": "timestamptz", "t": "time", "iv": "interval", "n": "integer"}

    def edit(spec):
        table: dict[str, Any] = {"columns": {c: {"type": t} for c, t in columns.items()}}
        if where == "check":
            table["constraints"] = [{"check": expression}]
        else:
            table["indexes"] = {"event_partial": {"columns": ["id"], "where": expression}}
        spec["tables"]["event"] = table

    found = verdict(tmp_path, edit)
    create = f"CREATE TABLE event ({', '.join(f'{c} {t}' for c, t in columns.items())});"
    statement = (
        f"ALTER TABLE event ADD CHECK ({expression})"
        if where == "check"
        else f"CREATE INDEX event_partial ON event (id) WHERE {expression}"
    )
    assert {d.code for d in found} <= {errors.SQL_VALUE}, found
    assert (not found) == postgres_accepts(base_db, f"{create} {statement}"), found


# -- a comment at the end of a fragment ---------------------------------------


@pytest.mark.parametrize("comment, accepted", [("-- none below zero", False), ("/* none below zero */", True)])
def test_a_fragment_ending_in_a_line_comment_is_refused_where_it_would_break_the_sql(
    comment, accepted, pg_admin_url, tmp_path
):
    """`check: "n >= 0 -- ..."` was accepted and written `CHECK (n >= 0 -- ...)`: the comment took the parenthesis
    (and a DEFAULT's the comma after it), so the migration failed. Refused at the comment (E040); a /* */ comment is
    accepted and the migration runs."""

    def edit(spec):
        spec["tables"]["doc"]["columns"]["n"] = {
            "type": "integer",
            "default": f"0 {comment}",
            "check": f"n >= 0 {comment}",
        }

    found = verdict(tmp_path, edit)
    if accepted:
        assert found == []
        spec_dir = tmp_path / "spec"
        schema = resolve.resolve(loader.load_dir(spec_dir, tmp_path))
        with pg.fresh_database(pg_admin_url) as url:
            pg.apply_sql(url, standins.standin_sql(schema))
            pg.apply_sql_per_statement(url, from_scratch.migration_sql(schema, ["fragments.yaml"]))
            assert postgres_accepts(url, "INSERT INTO doc (id) VALUES (1)")
            assert not postgres_accepts(url, "INSERT INTO doc (id, n) VALUES (2, -1)")
    else:
        assert [(d.code, "comment at the end of a fragment" in d.message) for d in found] == [("E040", True)] * 2
