"""`schemagen import` on a real PostgreSQL: the round trip (SQL applied -> import -> build -> migrations applied
on an empty database with the same environment -> the same pg_dump --schema-only; the rebuilt database imported
again gives the same bytes), the reference's policy template found again, and the partial report."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import import_harness
import pg
import pytest
import yaml
from click.testing import CliRunner
from schemagen import ir
from schemagen.cli import main
from schemagen.importer import fromsql, guard

CASES = Path(__file__).parent / "import_cases"
CORPUS = Path(__file__).parent / "corpus"


def test_reference_round_trip(pg_admin_url, migrated_db, tmp_path):
    """A database built from this repository's migrations (0024 + 0025, after the stand-ins) imports as a spec
    whose build gives the same schema; its tenant isolation is one template applied three times; organization,
    made by the stand-ins (an earlier migration) and left out, is external."""
    args = ("--exclude", "organization")
    first = import_harness.round_trip(pg_admin_url, migrated_db, pg.standin_sql(), tmp_path, *args)
    spec = yaml.safe_load(first.files["public.yaml"])
    (template,) = spec["policy_templates"].values()
    assert template["commands"] == ["select", "insert", "update", "delete"]
    applied = {name: t["apply_policies"] for name, t in spec["tables"].items() if "apply_policies" in t}
    assert len(applied) == 3 and all(len(a) == 1 for a in applied.values())
    assert applied["sync_preview_cache"][0].get("prefix") == "preview_cache"
    assert not any("policies" in t for t in spec["tables"].values())
    # names PostgreSQL would choose are left out, those it would not are kept
    log = spec["tables"]["sync_activity_log"]
    assert {"primary_key": ["id", "created_at"]} in log["constraints"]
    assert any(c.get("name") == "fk_sync_activity_org" for c in log["constraints"])
    assert "organization" not in spec["tables"]
    assert set(spec["external"]["tables"]) == {"organization", "auth.users_extended"}
    assert spec["external"]["functions"]["auth.uid"]["returns"] == "uuid"
    assert spec["external"]["schemas"] == ["auth"]


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir()))
def test_migration_folder_round_trip(pg_admin_url, case, tmp_path):
    """Plain SQL migration folders, as Supabase projects keep them; where the case has `expect.yaml` (file ->
    section -> entries), those entries are written so (a kind written as a person writes it, not only rebuilt)."""
    sources = fromsql.files([CASES / case / "migrations"])
    args_file = CASES / case / "args"
    args = args_file.read_text().split() if args_file.exists() else []
    with pg.fresh_database(pg_admin_url) as source:
        fromsql.apply(source, sources)
        first = import_harness.round_trip(pg_admin_url, source, fromsql.environment_sql(sources), tmp_path, *args)
    expect_file = CASES / case / "expect.yaml"
    expected = yaml.safe_load(expect_file.read_text(encoding="utf-8")) if expect_file.exists() else {}
    for file, sections in expected.items():
        spec = yaml.safe_load(first.files[file])
        for section, entries in sections.items():
            if isinstance(entries, list):
                assert entries == spec[section], f"{file}: {section}"
                continue
            for key, entry in entries.items():
                assert spec[section][key] == entry, f"{file}: {section}.{key}"


CORPUS_SCHEMAS = sorted(p.name for p in CORPUS.glob("*") if (p / "handwritten.sql").exists()) if CORPUS.exists() else []


# What the import cannot recover yet, by corpus schema (the round trip is expected to fail, not strictly).
CORPUS_LIMITS: dict[str, str] = {}


@pytest.mark.skipif(not CORPUS_SCHEMAS, reason="no corpus schema (tests/corpus/<schema>/handwritten.sql) yet")
@pytest.mark.parametrize(
    "schema",
    [
        pytest.param(s, marks=pytest.mark.xfail(reason=CORPUS_LIMITS[s], strict=False)) if s in CORPUS_LIMITS else s
        for s in CORPUS_SCHEMAS
    ],
)
def test_corpus_round_trip(pg_admin_url, schema, tmp_path):
    """Every schema of the corpus: its hand-written SQL, after its spec's stand-ins, imported and rebuilt."""
    # the environment: the corpus spec's stand-ins, then what it adds by hand (standins.sql: PostGIS-like types)
    made = CliRunner().invoke(main, ["standins", "--spec", str(CORPUS / schema / "spec")])
    if made.exit_code != 0:
        pytest.xfail(f"the corpus spec does not load on this branch yet:\n{made.output}")
    extra = CORPUS / schema / "standins.sql"
    environment = made.stdout + ("\n" + extra.read_text(encoding="utf-8") if extra.exists() else "")
    with pg.fresh_database(pg_admin_url) as source:
        pg.apply_sql(source, environment)
        before = _schemas(source)
        pg.apply_sql_per_statement(source, (CORPUS / schema / "handwritten.sql").read_text(encoding="utf-8"))
        # the schemas the hand-written SQL made, and public: the stand-ins' are the environment
        args = [a for s in ["public", *sorted(_schemas(source) - before)] for a in ("--schema", s)]
        probe = import_harness.run_import(source, tmp_path / "probe", "--allow-partial", *args)
        if "not imported:" in probe.stderr:
            pytest.xfail("the spec cannot express some of it yet:\n" + probe.stderr)
        import_harness.round_trip(pg_admin_url, source, environment, tmp_path / "trip", *args)


def _schemas(url: str) -> set[str]:
    with pg.connect(url) as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
        )
        return {r[0] for r in rows}


PARTIAL_SQL = """
CREATE DOMAIN public.email AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE public.booking (
    id integer PRIMARY KEY,
    during tsrange NOT NULL,
    EXCLUDE USING gist (during WITH &&)
);
CREATE TABLE public.region_sales (region text NOT NULL, amount integer) PARTITION BY LIST (region);
CREATE TABLE public.region_sales_eu PARTITION OF public.region_sales FOR VALUES IN ('de', 'fr');
CREATE UNLOGGED TABLE public.scratch (id integer);
CREATE FUNCTION public.f(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT a $$;
CREATE FUNCTION public.f(a text) RETURNS text LANGUAGE sql AS $$ SELECT a $$;
CREATE PROCEDURE public.p() LANGUAGE sql AS $$ SELECT 1 $$;
REVOKE EXECUTE ON FUNCTION public.f(integer) FROM PUBLIC;
GRANT SELECT (id) ON public.booking TO PUBLIC;
CREATE PUBLICATION booking_changes FOR TABLE public.booking;
CREATE RULE scratch_nothing AS ON DELETE TO public.scratch DO INSTEAD NOTHING;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;
CREATE TABLE public.base_log (at timestamptz);
CREATE TABLE public.child_log (note text) INHERITS (public.base_log);
"""


def test_partial_report_names_each_object_and_exits_1(db_url, tmp_path):
    """What the spec cannot express is listed (kind, name, why) on stderr and at the top of the file; exit 1
    unless --allow-partial."""
    pg.apply_sql(db_url, PARTIAL_SQL)
    out = import_harness.run_import(db_url, tmp_path / "spec")
    assert out.exit_code == 1
    expected = [
        "unlogged table scratch:",
        "rule scratch.scratch_nothing:",
        "table inheritance child_log:",
    ]
    header = "\n".join(line for line in out.files["public.yaml"].splitlines() if line.startswith("#"))
    for line in expected:
        assert f"schemagen: not imported: {line}" in out.stderr, out.stderr
        assert f"#   - {line}" in header, header
    # the kinds the spec expresses are written, not reported
    for kind in (
        "domain",
        "exclusion",
        "partitioning",
        "revoked",
        "column privilege",
        "default privileges",
        "publication",
    ):
        assert f"not imported: {kind}" not in out.stderr, out.stderr
    spec = yaml.safe_load(out.files["public.yaml"])
    assert "email" in spec["domains"] and spec["tables"]["region_sales"]["partitioning"]["by"] == "list"
    assert {"privileges": ["select"], "tables": ["booking"], "columns": ["id"], "to": ["public"]} in spec["grants"]
    allowed = import_harness.run_import(db_url, tmp_path / "spec2", "--allow-partial")
    assert allowed.exit_code == 0 and allowed.files == out.files


def test_output_is_a_spec_lint_reads(migrated_db, tmp_path):
    out = import_harness.run_import(migrated_db, tmp_path / "spec")
    assert out.exit_code == 0, out.stderr
    result = CliRunner().invoke(main, ["lint", "--spec", str(tmp_path / "spec")])
    assert result.exit_code in (0, 1), result.output
    assert ": E0" not in result.output + (result.stderr or "")


def test_module_by_table_prefix_and_one(migrated_db, tmp_path):
    by_prefix = import_harness.run_import(migrated_db, tmp_path / "a", "--module-by", "table-prefix")
    assert sorted(by_prefix.files) == ["organization.yaml", "public.yaml", "sync.yaml"]
    one = import_harness.run_import(migrated_db, tmp_path / "b", "--module-by", "one")
    assert sorted(one.files) == ["schema.yaml"]
    for d in ("a", "b"):
        import_harness.build(tmp_path / d, tmp_path / f"{d}-out")


def test_from_sql_imports_a_migrations_folder(db_url, tmp_path):
    """--from-sql applies the files to a throwaway server of its own: the same spec as importing a database
    they were applied to."""
    folder = CASES / "blog" / "migrations"
    fromsql.apply(db_url, fromsql.files([folder]))
    expected = import_harness.run_import(db_url, tmp_path / "from-db")
    result = CliRunner().invoke(main, ["import", "--from-sql", str(folder), "--out", str(tmp_path / "from-sql")])
    assert result.exit_code == 0, result.output + (result.stderr or "")
    got = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "from-sql").glob("*.yaml")}
    assert got == expected.files


PLATFORM_GRANTS_SQL = """
CREATE TABLE public.folder (id bigint PRIMARY KEY, bucket_id text REFERENCES storage.buckets (id));
CREATE POLICY "Uploads into notes" ON storage.objects FOR INSERT TO authenticated WITH CHECK (bucket_id = 'notes');
GRANT INSERT ON storage.objects TO authenticated;
GRANT UPDATE (name) ON storage.objects TO authenticated;
REVOKE SELECT ON storage.buckets FROM anon;
CREATE INDEX objects_bucket_owner ON storage.objects (bucket_id, owner) WHERE owner IS NOT NULL;
"""


def test_grants_on_the_platforms_tables_beyond_its_stand_ins(pg_admin_url, tmp_path):
    """Supabase's tables (here storage.objects and storage.buckets, external) have the privileges the stand-ins
    give them (SELECT to anon, authenticated, service_role): those are the platform's and not written; a grant
    beyond them is the user's (written on the external table), one they lack a revoke; an index on them is the user's
    too (the stand-ins make none); and the round trip holds."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_storage.sql").write_text(PLATFORM_GRANTS_SQL, encoding="utf-8")
    sources = fromsql.files([folder])
    with pg.fresh_database(pg_admin_url) as source:
        fromsql.apply(source, sources)
        first = import_harness.round_trip(pg_admin_url, source, fromsql.environment_sql(sources), tmp_path / "trip")
    spec = yaml.safe_load(first.files["public.yaml"])
    assert spec["grants"] == [
        {"privileges": ["insert"], "tables": ["storage.objects"], "to": ["authenticated"]},
        {"privileges": ["update"], "tables": ["storage.objects"], "columns": ["name"], "to": ["authenticated"]},
    ]
    assert spec["revokes"] == [{"privileges": ["select"], "tables": ["storage.buckets"], "from": ["anon"]}]
    assert set(spec["external"]["tables"]) == {"storage.buckets", "storage.objects"}
    assert spec["external"]["roles"] == ["anon", "authenticated"]
    # an index on it: the stand-ins make none, so it is the user's, written under the external table
    index = {"columns": ["bucket_id", "owner"], "where": "owner IS NOT NULL"}
    assert spec["external"]["tables"]["storage.objects"]["indexes"] == {"objects_bucket_owner": index}


def test_from_sql_reports_the_failing_statement(tmp_path):
    bad = tmp_path / "0001_bad.sql"
    bad.write_text("CREATE TABLE a (id integer);\n\nCREATE TABLE b (id nosuchtype);\n")
    result = CliRunner().invoke(main, ["import", "--from-sql", str(bad), "--out", str(tmp_path / "spec")])
    assert result.exit_code == 1
    assert f"{bad}:3: the database refused this statement" in result.stderr


def test_baseline_flow_end_to_end(db_url, tmp_path):
    """Import, build: the first migration is the baseline; `migrate --baseline 1` records it on the source
    database without running it; drift finds nothing; the next spec change migrates the source."""
    sources = fromsql.files([CASES / "blog" / "migrations"])
    fromsql.apply(db_url, sources)
    spec, out = tmp_path / "spec", tmp_path / "generated"
    assert import_harness.run_import(db_url, spec).exit_code == 0
    import_harness.build(spec, out)
    (baseline,) = [p.name for p in (out / "migrations").glob("*.sql")]
    assert baseline == "0001_baseline.sql"

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, [*args, "--database-url", db_url, "--out", str(out)])
        assert result.exit_code == 0, result.output + result.stderr
        return result.output + result.stderr

    run("migrate", "--baseline", "1")
    run("drift")
    text = (spec / "public.yaml").read_text()
    (spec / "public.yaml").write_text(
        text.replace("      bio: {type: text}\n", "      bio: {type: text}\n      x: {type: int}\n")
    )
    import_harness.build(spec, out)
    run("migrate")
    run("drift")
    with pg.connect(db_url) as conn:
        assert (
            conn.execute("SELECT count(*) FROM information_schema.columns WHERE column_name = 'x'").fetchone()[0] == 1
        )


# One example per kind the spec cannot express yet: (its SQL, statement by statement; the line `schemagen import`
# must print).
NOT_EXPRESSIBLE: dict[str, tuple[list[str], str]] = {
    "multi-column range partitioning": (
        [
            "CREATE TABLE public.t (a int, b int) PARTITION BY RANGE (a, b)",
            "CREATE TABLE public.t_1 PARTITION OF public.t FOR VALUES FROM (0, 0) TO (10, 10)",
        ],
        "partitioning t: PARTITION BY RANGE (a, b) with 1 partitions",
    ),
    "partition key expression": (
        ["CREATE TABLE public.t (a int) PARTITION BY RANGE ((a % 10))"],
        "partition key expression t:",
    ),
    "trigger not enabled": (
        [
            "CREATE TABLE public.t (a int)",
            "CREATE FUNCTION public.tf() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN RETURN NEW; END;\n$$",
            "CREATE TRIGGER tt BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.tf()",
            "ALTER TABLE public.t DISABLE TRIGGER tt",
        ],
        "trigger not enabled t.tt: the spec's triggers are enabled (disabled)",
    ),
    "unlogged table": (["CREATE UNLOGGED TABLE public.t (a int)"], "unlogged table t:"),
    "table inheritance": (
        ["CREATE TABLE public.p (a int)", "CREATE TABLE public.c (b int) INHERITS (public.p)"],
        "table inheritance c:",
    ),
    "table storage parameters": (
        ["CREATE TABLE public.t (a int) WITH (fillfactor = 70)"],
        "table storage parameters t:",
    ),
    "aggregate": (
        [  # a plain one is imported (aggs6); a moving one is not
            (
                "CREATE AGGREGATE public.mul(numeric) (sfunc = numeric_mul, stype = numeric, initcond = '1', "
                "msfunc = numeric_mul, minvfunc = numeric_div, mstype = numeric, minitcond = '1')"
            )
        ],
        "aggregate mul:",
    ),
    "default privileges of a role owning nothing imported": (
        [
            "DO $$ BEGIN CREATE ROLE import_platform; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
            "CREATE TABLE public.t (a int)",
            "ALTER DEFAULT PRIVILEGES FOR ROLE import_platform IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC",
        ],
        "default privileges for role import_platform in schema public on tables: the role owns no imported object",
    ),
    "event trigger calling a function of another schema": (
        [
            "CREATE SCHEMA ops",
            "CREATE FUNCTION ops.note() RETURNS event_trigger LANGUAGE plpgsql AS $$\nBEGIN\nEND;\n$$",
            "CREATE EVENT TRIGGER note ON ddl_command_end EXECUTE FUNCTION ops.note()",
        ],
        "event trigger note: its function is in none of the schemas imported",
    ),
    "rule": (
        ["CREATE TABLE public.t (a int)", "CREATE RULE t_keep AS ON DELETE TO public.t DO INSTEAD NOTHING"],
        "rule t.t_keep:",
    ),
    "statistics object": (
        ["CREATE TABLE public.t (a int, b int)", "CREATE STATISTICS t_ab ON a, b FROM public.t"],
        "statistics object t_ab:",
    ),
    "collation": (['CREATE COLLATION public.c_copy FROM "C"'], "collation c_copy:"),
    "text search configuration": (
        ["CREATE TEXT SEARCH CONFIGURATION public.fr (COPY = pg_catalog.french)"],
        "text search configuration fr:",
    ),
}


@pytest.mark.parametrize("kind", sorted(NOT_EXPRESSIBLE))
def test_each_kind_the_spec_cannot_express_is_reported(db_url, tmp_path, kind):
    statements, line = NOT_EXPRESSIBLE[kind]
    pg.apply_sql(db_url, ";\n".join(statements))
    out = import_harness.run_import(db_url, tmp_path / "spec")
    assert out.exit_code == 1, out.stderr
    assert f"schemagen: not imported: {line}" in out.stderr, out.stderr
    assert any(f"#   - {line}" in text for text in out.files.values())


def test_a_field_the_importer_does_not_write_is_reported():
    """A kind another change teaches the catalog reader (here a column's compression, as an IR field the importer
    does not know) is reported as not imported, not dropped."""
    Compressed = dataclasses.make_dataclass(
        "Compressed", [("compression", str | None, dataclasses.field(default=None))], bases=(ir.Column,), frozen=True
    )
    plain = Compressed("code", "text", "text")
    assert guard.unwritten(plain) == []
    assert guard.unwritten(dataclasses.replace(plain, compression="lz4")) == ["compression = 'lz4'"]
    assert guard.unwritten(ir.Column("code", "text", "text", not_null=True, comment="x")) == []


def test_from_sql_imports_pg_dump_output(db_url, tmp_path):
    """pg_dump --schema-only of a Supabase-style database (which makes auth and storage itself: only the roles
    are stood in for) imports as the database does."""
    fromsql.apply(db_url, fromsql.files([CASES / "todo_app" / "migrations"]))
    expected = import_harness.run_import(db_url, tmp_path / "from-db")
    binary = pg.pg_dump_binary(pg.server_major(db_url))
    dump = subprocess.run(
        [str(binary), "--schema-only", "--no-owner", "--dbname", db_url], check=True, capture_output=True, text=True
    ).stdout
    (tmp_path / "dump.sql").write_text(dump)
    result = CliRunner().invoke(
        main, ["import", "--from-sql", str(tmp_path / "dump.sql"), "--out", str(tmp_path / "from-dump")]
    )
    assert result.exit_code == 0, result.output + (result.stderr or "")
    got = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "from-dump").glob("*.yaml")}
    assert got == expected.files
