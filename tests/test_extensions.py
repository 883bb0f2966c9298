"""Extensions and their types on a real PostgreSQL (the embedded server has vector, citext, hstore, ltree, pg_trgm).

The from-scratch SQL of tests/extension_cases/spec/ must give the catalog the same schema written by hand gives
(pg_dump); the database reads back as its state (drift finds nothing); rows written through the Insert model
and read back (with psycopg's hstore adapter, citext's array type, and a loader for vector's text, as an application
registers them)
validate in the row model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pg
from catalog_check import assert_reads_back
from models_support import generate, import_file, write_models
from psycopg.adapt import Loader
from psycopg.rows import dict_row
from psycopg.types import TypeInfo
from psycopg.types.hstore import register_hstore
from schemagen import diff, ir, resolve
from schemagen.chain import state
from schemagen.pg import extensions
from schemagen.spec import loader
from schemagen.sql import from_scratch
from schemagen.sql.standins import standin_sql

CASE = Path(__file__).parent / "extension_cases"


def _state() -> ir.Schema:
    return resolve.resolve(loader.load_dir(CASE / "spec"))


def _sql(state: ir.Schema) -> str:
    return standin_sql(state) + from_scratch.migration_sql(state, ["docs"])


def test_the_catalog_equals_the_handwritten_schema(pg_admin_url: str) -> None:
    state = _state()
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, _sql(state))
        pg.apply_sql(theirs, (CASE / "handwritten.sql").read_text())
        pg.assert_same_schema(ours, theirs, label_a="schemagen", label_b="handwritten.sql")
        assert_reads_back(ours, state, "extension_cases")


def test_create_extension_comes_first_and_may_find_it_there(db_url: str) -> None:
    sql = _sql(_state())
    statements = [s for s in pg.split_statements(sql) if s.strip() and not s.strip().startswith(("BEGIN", "COMMIT"))]
    first = [s.strip().split("\n")[-1] for s in statements if "EXTENSION" in s]
    assert first[0].rstrip(";") == "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA extensions"
    assert sql.index("CREATE EXTENSION") < sql.index("CREATE SEQUENCE") < sql.index("CREATE TABLE")
    pg.apply_sql(db_url, "CREATE SCHEMA extensions; CREATE EXTENSION citext WITH SCHEMA extensions;")
    pg.apply_sql(db_url, from_scratch.migration_sql(_state(), ["docs"]))  # IF NOT EXISTS: citext was there


class _VectorLoader(Loader):
    """vector's text form, '[1,2,3]', as a list of floats (what pgvector-python's loader gives, as a list)."""

    def load(self, data: Any) -> list[float]:
        return [float(x) for x in json.loads(bytes(data).decode())]


def test_rows_round_trip_through_the_models(db_url: str, tmp_path: Path) -> None:
    models = import_file(write_models(CASE / "spec", tmp_path)["models/docs.py"])
    pg.apply_sql(db_url, _sql(_state()))
    written = models.DocInsert(
        email="Ann@Example.com",
        embedding=[1.0, 2.5, -3.0],
        half=[0.5, 1.0],
        attrs={"colour": "red", "size": None},
        path="top.science.astronomy",
        aliases=["ANN", "annie"],
    )
    with pg.connect(db_url, row_factory=dict_row) as conn:
        conn.execute("SET search_path = public, extensions")  # as Supabase has it: citext's operators found
        register_hstore(TypeInfo.fetch(conn, "extensions.hstore"), conn)
        citext = TypeInfo.fetch(conn, "extensions.citext")
        assert citext is not None
        citext.register(conn)  # its arrays (citext[]) come back as lists
        for name in ("extensions.vector", "extensions.halfvec"):
            info = TypeInfo.fetch(conn, name)
            assert info is not None
            conn.adapters.register_loader(info.oid, _VectorLoader)
        data = written.model_dump(exclude_unset=True)
        columns = ", ".join(data)
        values = ", ".join(f"%({k})s" for k in data)
        conn.execute(f"INSERT INTO doc ({columns}) VALUES ({values})", data)
        row = conn.execute("SELECT * FROM doc WHERE email = 'ann@example.com'").fetchone()  # citext: any case
    read = models.Doc.model_validate(row)
    assert read.embedding == [1.0, 2.5, -3.0]
    assert read.attrs == {"colour": "red", "size": None}
    assert (read.email, read.path, read.aliases) == ("Ann@Example.com", "top.science.astronomy", ["ANN", "annie"])


def test_the_table_knows_what_each_extension_brings() -> None:
    assert extensions.type_extension("halfvec") == "vector"
    assert extensions.operator_class_extension("gin_trgm_ops") == "pg_trgm"
    assert extensions.operator_class_extension("gist_int4_ops") == "btree_gist"
    assert extensions.index_method_extension("hnsw") == "vector"
    assert extensions.py_type("hstore") is not None and extensions.py_type("geography") is None


def test_the_operator_classes_and_methods_are_those_postgresql_has(db_url: str) -> None:
    """Every operator class and index method the table lists for an extension of the server is one it makes."""
    names = ["vector", "citext", "hstore", "ltree", "pg_trgm", "btree_gist", "btree_gin"]
    with pg.connect(db_url) as conn:
        for name in names:
            conn.execute(f'CREATE EXTENSION IF NOT EXISTS "{name}"')
        found = {
            (r[0], r[1], r[2])
            for r in conn.execute(
                "SELECT e.extname, c.opcname, am.amname FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod "
                "JOIN pg_depend d ON d.classid = 'pg_opclass'::regclass AND d.objid = c.oid AND d.deptype = 'e' "
                "JOIN pg_extension e ON e.oid = d.refobjid"
            )
        }
        methods = {r[0] for r in conn.execute("SELECT amname FROM pg_am")}
        types = {r[0] for r in conn.execute("SELECT typname FROM pg_type")}
    for name in names:
        ext = extensions.EXTENSIONS[name]
        for opclass, method in ext.operator_classes.items():
            assert (name, opclass, method) in found, (name, opclass, method)
        assert ext.index_methods <= methods
        assert set(ext.types) <= types
    for opclass in extensions.IVFFLAT_OPERATOR_CLASSES:
        assert ("vector", opclass, "ivfflat") in found


def test_a_type_made_elsewhere_is_a_column_type_with_its_python_type(tmp_path: Path) -> None:
    """`external.types`: PostGIS's geography, not installed here; its columns take its python_type."""
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "gis.yaml").write_text(
        "migration: {version: 1, name: gis}\n"
        "external: {types: {geography: {schema: public, python_type: str}}}\n"
        "tables:\n  place:\n    columns:\n"
        "      id: {type: integer, primary_key: true}\n"
        '      at: {type: "geography(Point, 4326)", not_null: true}\n'
        '      route: {type: "public.geography(LineString,4326)", python_type: bytes}\n'
    )
    state = resolve.resolve(loader.load_dir(spec))
    assert [(t.name, t.python_type) for t in state.external.types] == [(ir.Name("public", "geography"), "str")]
    place = state.tables[0]
    assert [(c.sql_type, c.python_type) for c in place.columns[1:]] == [
        ("public.geography(Point,4326)", "str"),
        ("public.geography(LineString,4326)", "bytes"),
    ]
    assert "CREATE EXTENSION" not in from_scratch.migration_sql(state, ["gis"])  # made elsewhere: never created
    models = import_file(write_models(spec, tmp_path / "out")["models/gis.py"])
    assert models.Place(id=1, at="SRID=4326;POINT(1 2)", route=None).at == "SRID=4326;POINT(1 2)"


def test_the_docs_list_the_extensions_of_each_module() -> None:
    page = generate(CASE / "spec").outputs["docs/docs.md"]
    section = page.split("## Extensions", 1)[1].split("\n## ", 1)[0]
    assert '<a id="extension-extensions.vector"' in section
    assert "index method hnsw" in section and "operator class gin_trgm_ops" in section
    assert "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA extensions;" in section


TRGM_ELSEWHERE = """
migration: {version: 1, name: kb}
external: {schemas: [extensions]}
extensions: {pg_trgm: {schema: extensions}}
tables:
  article:
    columns:
      id: {type: bigint, primary_key: true}
      title: {type: text, not_null: true}
      body: {type: text}
    indexes:
      article_title_trgm_idx: {columns: [title gin_trgm_ops], method: gin}
      article_body_trgm_idx: {columns: ["lower(body) gist_trgm_ops(siglen=32)"], method: gist}
      article_title_qualified_idx: {columns: [title extensions.gin_trgm_ops], method: gin}
materialized_views:
  article_titles:
    query: SELECT id, title FROM public.article
    indexes: {article_titles_trgm_idx: {columns: [title gin_trgm_ops], method: gin}}
"""

TRGM_BY_HAND = """
CREATE SCHEMA extensions;
CREATE EXTENSION pg_trgm WITH SCHEMA extensions;
CREATE TABLE public.article (id bigint PRIMARY KEY, title text NOT NULL, body text);
CREATE INDEX article_title_trgm_idx ON public.article USING gin (title extensions.gin_trgm_ops);
CREATE INDEX article_body_trgm_idx ON public.article USING gist (lower(body) extensions.gist_trgm_ops (siglen = 32));
CREATE INDEX article_title_qualified_idx ON public.article USING gin (title extensions.gin_trgm_ops);
CREATE MATERIALIZED VIEW public.article_titles AS SELECT id, title FROM public.article;
CREATE INDEX article_titles_trgm_idx ON public.article_titles USING gin (title extensions.gin_trgm_ops);
"""


def _trgm_state(tmp_path: Path) -> ir.Schema:
    spec = tmp_path / "spec"
    spec.mkdir(exist_ok=True)
    (spec / "kb.yaml").write_text(TRGM_ELSEWHERE)
    return resolve.resolve(loader.load_dir(spec))


def test_an_operator_class_of_an_extension_in_another_schema_is_qualified(tmp_path: Path, pg_admin_url: str) -> None:
    """`gin_trgm_ops` of pg_trgm installed WITH SCHEMA extensions: the index is built whatever the search_path (the
    default one here, without `extensions`), as the extension's types are; a name already qualified stays."""
    state = _trgm_state(tmp_path)
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, "CREATE SCHEMA extensions;\n" + from_scratch.migration_sql(state, ["kb"]))
        pg.apply_sql(theirs, TRGM_BY_HAND)
        pg.assert_same_schema(ours, theirs, label_a="schemagen", label_b="by hand")
        assert_reads_back(ours, state, "trgm elsewhere")


def test_a_state_naming_the_operator_class_unqualified_is_the_same_schema(tmp_path: Path) -> None:
    """A state written before operator classes were qualified (`gin_trgm_ops`) reads as the spec now resolves it:
    the next migration does not rebuild the index (a trigram index on a big table takes long)."""
    new = _trgm_state(tmp_path)
    data = json.loads(state.text(new))
    for relation in [*data["tables"], *data["views"]]:
        for ix in relation["indexes"]:
            for e in ix["elements"]:
                if e["opclass"] in ("extensions.gin_trgm_ops", "extensions.gist_trgm_ops"):
                    e["opclass"] = e["opclass"].removeprefix("extensions.")
    data["tables"][0]["indexes"][2]["elements"][0]["opclass"] = "extensions.gin_trgm_ops"  # written so by the user
    old = state.decode(data)
    assert diff.plan(old, new).changes == []
