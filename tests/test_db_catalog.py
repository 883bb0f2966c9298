"""The live catalog read back into the IR (schemagen.db.catalog) and compared by meaning (schemagen.db.expressions).

The key proof: a database built from a state's SQL reads back as that very
state, every object and field once PostgreSQL's spelling is aligned with the
spec's, for the project's migrations, every diff case's two specs and a spec
of the expressions PostgreSQL prints back differently (tests/catalog_cases/).
"""

from __future__ import annotations

import json
from pathlib import Path

import pg
import pytest
from catalog_check import assert_reads_back, read_back
from diff_harness import cases, full_sql, specs
from schemagen import ir, resolve
from schemagen.chain import state as saved_state
from schemagen.db import catalog, drift, expressions
from schemagen.spec import loader
from schemagen.sql import from_scratch
from schemagen.sql.standins import standin_sql

REPO = Path(__file__).resolve().parent.parent
MIGRATIONS = REPO / "generated" / "migrations"
TRICKY = Path(__file__).parent / "catalog_cases"

SAME = [
    ("NOW() + INTERVAL '1 hour'", "(now() + '01:00:00'::interval)"),  # the constant only, judged by the server below
    ("'{}'", "'{}'::jsonb"),
    (
        "duration_seconds IS NULL OR duration_seconds >= 0",
        "((duration_seconds IS NULL) OR (duration_seconds >= (0)::numeric))",
    ),
    ("a >= 0 AND b >= 0 AND a + b <= c", "((a >= 0) AND (b >= 0) AND ((a + b) <= c))"),
    ("a AND (b AND c)", "((a AND b) AND c)"),
    (
        'EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = (SELECT auth.uid()) AND u.org_id = "t".org_id)',
        (
            "(EXISTS ( SELECT 1\n   FROM auth.users_extended u\n  WHERE ((u.id = ( SELECT auth.uid() AS uid)) "
            "AND (u.org_id = t.org_id))))"
        ),
    ),
    ("status IN ('a', 'b')", "(status = ANY (ARRAY['a'::item_status, 'b'::item_status]))"),
    ("code NOT IN ('A')", "((code)::text <> ALL ((ARRAY['A'::character varying])::text[]))"),
    ("lower(label)", "lower((label)::text)"),
    ("a BETWEEN 1 AND 2", "((a >= 1) AND (a <= 2))"),
    ("a NOT BETWEEN 1 AND 2", "((a < 1) OR (a > 2))"),
    ("x LIKE 'a%'", "((x)::text ~~ 'a%'::text)"),
    ("x NOT ILIKE 'a%'", "(x !~~* 'a%'::text)"),
    (
        "account_id = current_setting('app.account', true)::uuid",
        "(account_id = (current_setting('app.account'::text, true))::uuid)",
    ),
    ("-1", "'-1'::integer"),
    ("price < 1e6", "(price < '1000000'::numeric)"),
    ("note != ''", "((note)::text <> ''::text)"),
    ("CASE WHEN a THEN 1 END", "CASE WHEN a THEN 1 ELSE NULL::integer END"),
    ("public.item_count(x)", "item_count(x)"),
    ("pg_catalog.now()", "now()"),
    ("TRUE", "true"),
    ("x::public.item_status", "(x)::item_status"),
]
DIFFERENT = [
    ("a > 1", "a >= 1"),
    ("a > 1", "a > 2"),
    ("'a'", "'b'"),
    ("now()", "clock_timestamp()"),
    ("a AND b", "a OR b"),
    ("NOT a", "a"),
    ("a IS NULL", "a IS NOT NULL"),
    ("status IN ('a', 'b')", "status IN ('a', 'c')"),
    ("current_setting('x')::uuid", "current_setting('x')::text"),
    ("EXISTS (SELECT 1 FROM t u WHERE u.id = 1)", "EXISTS (SELECT 1 FROM t u WHERE u.id = 2)"),
    ("auth.uid()", "public.uid()"),
    ("x LIKE 'a'", "x ILIKE 'a'"),
    ("f(a, b)", "f(b, a)"),
    ("a - b", "b - a"),
]
SAME_BY_VALUE = [  # constants whose text differs but whose value, read by their type, does not
    ("NOW() + INTERVAL '1 hour'", "(now() + '01:00:00'::interval)"),
    ("now() + interval '1 day 2 hours'", "(now() + '1 day 02:00:00'::interval)"),
    ('\'{"b":[1,2],  "a":1}\'', '\'{"a": 1, "b": [1, 2]}\'::jsonb'),
    ("x > '2026-01-01'::timestamptz", "(x > '2026-01-01 00:00:00+00'::timestamp with time zone)"),
]
DIFFERENT_BY_VALUE = [
    ("now() + INTERVAL '1 hour'", "(now() + '02:00:00'::interval)"),
    ("'{\"a\": 1}'", "'{\"a\": 2}'::jsonb"),
]


@pytest.mark.parametrize(("spec", "database"), SAME[1:], ids=[s for s, _ in SAME[1:]])
def test_same_meaning(spec: str, database: str) -> None:
    assert expressions.same(spec, database)


@pytest.mark.parametrize(("a", "b"), DIFFERENT, ids=[f"{a} vs {b}" for a, b in DIFFERENT])
def test_different_meaning(a: str, b: str) -> None:
    assert not expressions.same(a, b)
    assert not expressions.same(b, a)


def test_fragments_that_do_not_parse_are_never_the_same() -> None:
    assert not expressions.same("a >", "a > 1")
    assert expressions.canonical("a >") is None


def test_signatures_compare_types_not_spellings() -> None:
    assert expressions.signature(
        "p_id BIGINT, p_by INTEGER DEFAULT 1", "TABLE(n INT4, m TEXT)"
    ) == expressions.signature("p_id bigint, p_by integer DEFAULT 1", "TABLE(n integer, m text)")
    # PostgreSQL keeps no typmod
    assert expressions.signature("p varchar(10)", "numeric(5, 2)") == expressions.signature(
        "p character varying", "numeric"
    )
    assert expressions.signature("p integer", "integer") != expressions.signature("p bigint", "integer")
    assert expressions.signature("p integer", "integer") != expressions.signature("q integer", "integer")


@pytest.mark.parametrize(("spec", "database"), SAME_BY_VALUE, ids=[s for s, _ in SAME_BY_VALUE])
def test_constants_judged_by_the_server(spec: str, database: str, db_url: str) -> None:
    assert not expressions.same(spec, database)  # their text differs: only their type can tell
    with pg.connect(db_url) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        assert expressions.same(spec, database, drift.ServerJudge(conn))


@pytest.mark.parametrize(("spec", "database"), DIFFERENT_BY_VALUE, ids=[s for s, _ in DIFFERENT_BY_VALUE])
def test_constants_the_server_tells_apart(spec: str, database: str, db_url: str) -> None:
    with pg.connect(db_url) as conn:
        assert not expressions.same(spec, database, drift.ServerJudge(conn))


def test_a_value_the_type_refuses_is_not_the_same_and_leaves_the_connection_usable(db_url: str) -> None:
    with pg.connect(db_url) as conn:
        judge = drift.ServerJudge(conn)
        assert not judge(expressions.Literal("1 hour"), expressions.Literal("not an interval"), "interval")
        assert not judge(expressions.Literal("x"), expressions.Literal("y"), "no_such_type")
        assert conn.execute("SELECT 1").fetchone() == (1,)


# -- a database built from a state reads back as that state ----------------------------


def _state(path: Path) -> ir.Schema:
    return saved_state.decode(json.loads(path.read_text()))


@pytest.mark.parametrize("state_file", sorted(MIGRATIONS.glob("*.state.json")), ids=lambda p: p.name)
def test_each_saved_state_reads_back(state_file: Path, db_url: str) -> None:
    state = _state(state_file)
    pg.apply_sql(db_url, standin_sql(state) + from_scratch.migration_sql(state, ["spec"]))
    assert_reads_back(db_url, state, state_file.name)


def test_expressions_postgres_prints_differently_read_back(db_url: str) -> None:
    state = resolve.resolve(loader.load_dir(TRICKY))
    pg.apply_sql(db_url, standin_sql(state) + from_scratch.migration_sql(state, ["tricky"]))
    assert_reads_back(db_url, state, "tests/catalog_cases")
    _report, _live, found = read_back(db_url, state)
    thing = next(t for t in found.schema.tables if t.name.name == "thing")
    # what PostgreSQL printed, before align put the spec's spelling back
    assert thing.column("expires_at").default == "now() + '1 day 02:00:00'::interval"  # type: ignore[union-attr]
    assert next(p for p in thing.policies if p.name == "thing_read").roles == ("public",)
    assert found.sequences[(thing.name, "id")] == ir.Name("public", "thing_id_seq")


CHUNKS = 6  # the cases in a few tests, so that parallel workers share them (each chunk builds a state once)


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_diff_case_spec_reads_back(chunk: int, pg_admin_url: str, tmp_path: Path) -> None:
    """Both specs of every diff case (tests/diff_cases/), each built in a fresh database."""
    seen: set[str] = set()
    checked = 0
    for case in cases()[chunk::CHUNKS]:
        old, new, _sources = specs(case, tmp_path / case.name)
        for label, state in ((f"{case.name} (old)", old), (f"{case.name} (new)", new)):
            sql = full_sql(state)
            if sql in seen:
                continue
            seen.add(sql)
            with pg.fresh_database(pg_admin_url) as url:
                pg.apply_sql(url, sql)
                assert_reads_back(url, state, label)
            checked += 1
    assert checked >= 8


def test_what_the_ir_cannot_hold_is_listed(db_url: str) -> None:
    pg.apply_sql(
        db_url,
        """
        CREATE TABLE t (id integer PRIMARY KEY, a integer, b integer GENERATED ALWAYS AS (a * 2) STORED, r int4range,
                        EXCLUDE USING gist (r WITH &&));
        CREATE VIEW v AS SELECT id FROM t;
        CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
        CREATE SEQUENCE loose;
        CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
        CREATE TYPE pair AS (x integer, y integer);
        CREATE FUNCTION f(integer) RETURNS integer LANGUAGE sql AS 'SELECT 1';
        CREATE FUNCTION f(text) RETURNS integer LANGUAGE sql AS 'SELECT 2';
        CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';
        CREATE FUNCTION g() RETURNS integer LANGUAGE sql SET work_mem = '64MB' AS 'SELECT 1';
        CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER off BEFORE UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION trg();
        ALTER TABLE t DISABLE TRIGGER off;
        ALTER TABLE t ADD CONSTRAINT later CHECK (a > 0) NOT VALID;
    """,
    )
    with pg.connect(db_url) as conn:
        found = catalog.read(conn, ["public"])
    kinds = {(u.kind, u.name.name, u.member) for u in found.unmanaged}
    assert kinds >= {("trigger not enabled", "t", "off")}, kinds
    # a function's settings are read into the IR now (aggs6)
    assert [f.settings for f in found.schema.functions if f.name.name == "g"] == [(("work_mem", "64MB"),)]
    assert not any(u.name.name == "t_pkey" for u in found.unmanaged)
    # generated columns are read into the IR now (K1), with the expression as PostgreSQL prints it
    assert [(c.name, c.generated) for t in found.schema.tables for c in t.columns if c.generated] == [("b", "a * 2")]
    # overloads are read into the IR (funcs5), each known by its name and input types
    assert sorted(f.label for f in found.schema.functions if f.name.name == "f") == ["f(integer)", "f(text)"]
    assert [(f.label, f.kind) for f in found.schema.functions if f.name.name == "p"] == [("p()", "procedure")]
    # views are read into the IR now (views K4), with their query as PostgreSQL prints it
    assert [(v.name.name, v.materialized, [c.name for c in v.columns]) for v in found.schema.views] == [
        ("mv", True, ["id"]),
        ("v", False, ["id"]),
    ]
    # a NOT VALID constraint is a state the spec can declare (issue 19): read into the IR, not left aside
    (t,) = [t for t in found.schema.tables if t.name.name == "t"]
    assert [c.name for c in t.constraints if c.not_valid] == ["later"]
    # an exclusion constraint is a kind the spec declares (issue 12): read into the IR
    assert [(c.name, c.method, [e.operator for e in c.exclusion]) for c in t.constraints if c.kind == "exclude"] == [
        ("t_r_excl", "gist", ["&&"])
    ]
    # a sequence of its own is read into the IR (`sequences:`), an identity column's stays part of its column
    assert [(s.name.name, s.data_type, s.start, s.owner) for s in found.schema.sequences] == [
        ("loose", "bigint", 1, None)
    ]
    # domains and composite types are read into the IR (types5)
    assert [(d.name.name, d.sql_type, [c.check for c in d.checks]) for d in found.schema.domains] == [
        ("positive", "integer", ["VALUE > 0"])
    ]
    assert [(c.name.name, [a.name for a in c.attributes]) for c in found.schema.composite_types] == [
        ("pair", ["x", "y"])
    ]
    assert not {u.kind for u in found.unmanaged} & {"domain", "composite type"}
    # UPDATE OF columns are part of the IR now (issue 19), not something it cannot hold.
    assert [t.update_of for t in found.schema.triggers if t.name == "off"] == [("a",)]


def test_objects_of_an_extension_are_left_out(db_url: str) -> None:
    with pg.connect(db_url) as conn:
        available = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM pg_available_extensions WHERE name IN ('pg_trgm', 'citext', 'hstore')"
            )
        }
        if not available:
            pytest.skip("no contrib extension in this PostgreSQL (pg_trgm, citext or hstore)")
        name = min(available)
        conn.execute(f"CREATE EXTENSION {name} SCHEMA public")
        found = catalog.read(conn, ["public"])
    assert found.schema.functions == () and found.schema.enums == ()
    assert not found.unmanaged, found.unmanaged
