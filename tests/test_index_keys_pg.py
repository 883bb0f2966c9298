"""Every part of an index key reaches the SQL (issue 19 item 1): judged by PostgreSQL's catalog.

The spec below writes each part a key can have (expression, COLLATE, operator
class and its parameters, ASC/DESC, NULLS FIRST/LAST), index methods built in and
from extensions (pg_trgm, btree_gist, vector), and WITH (...) parameters. The
database built from schemagen's SQL must have the very indexes of the same schema
written by hand (pg_get_indexdef, pg_dump), and read back as the spec's state
(`schemagen drift` finds nothing); an index whose operator class is lost on the
server is drift. What cannot be emitted is refused at its place.
"""

from __future__ import annotations

from pathlib import Path

import pg
import pytest
import yaml
from catalog_check import assert_reads_back, read_back
from schemagen import errors, resolve
from schemagen.spec import loader
from schemagen.sql import from_scratch

EXTENSIONS = "CREATE EXTENSION pg_trgm;\nCREATE EXTENSION btree_gist;\nCREATE EXTENSION vector;\n"

SPEC = {
    "module": "keys",
    "migration": {"version": 1, "name": "keys"},
    "extensions": {"pg_trgm": {}, "btree_gist": {}, "vector": {}},  # managed: drift reads them back
    "tables": {
        "t": {
            "columns": {
                "id": {"type": "bigint", "primary_key": True},
                "a": {"type": "inet"},
                "b": {"type": "text"},
                "c": {"type": "text"},
                "n": {"type": "integer"},
                "tags": {"type": "text[]"},
                "created_at": {"type": "timestamptz"},
            },
            "indexes": {
                "t_a_idx": {"columns": ["a inet_ops"], "method": "gist"},
                "t_b_idx": {"columns": ["b text_pattern_ops"]},
                "t_lower_b_idx": {
                    "columns": ["lower(b) text_pattern_ops DESC NULLS LAST", 'c COLLATE "C"'],
                    "with": {"fillfactor": 70},
                },
                "t_c_desc_idx": {"columns": ['c COLLATE "C" DESC', "n NULLS FIRST"], "include": ["id"]},
                "t_b_trgm_idx": {"columns": ["b gist_trgm_ops (siglen = 32)"], "method": "gist"},
                "t_c_trgm_idx": {"columns": ["lower(c) gin_trgm_ops"], "method": "gin", "with": {"fastupdate": False}},
                "t_n_a_idx": {"columns": ["n", "a inet_ops"], "method": "gist", "with": {"buffering": "auto"}},
                "t_tags_idx": {"columns": ["tags"], "method": "gin"},
                "t_created_idx": {"columns": ["created_at"], "method": "brin", "with": {"pages_per_range": 32}},
                "t_n_hash_idx": {"columns": ["n"], "method": "hash"},
                "t_b_spgist_idx": {"columns": ["b"], "method": "spgist"},
                "t_default_opclass_idx": {"columns": ["n int4_ops"]},
            },
        }
    },
}

BY_HAND = """
CREATE TABLE t (
    id bigint PRIMARY KEY, a inet, b text, c text, n integer, tags text[], created_at timestamptz
);
CREATE INDEX t_a_idx ON t USING gist (a inet_ops);
CREATE INDEX t_b_idx ON t (b text_pattern_ops);
CREATE INDEX t_lower_b_idx ON t (lower(b) text_pattern_ops DESC NULLS LAST, c COLLATE "C") WITH (fillfactor = 70);
CREATE INDEX t_c_desc_idx ON t (c COLLATE "C" DESC, n NULLS FIRST) INCLUDE (id);
CREATE INDEX t_b_trgm_idx ON t USING gist (b gist_trgm_ops (siglen = 32));
CREATE INDEX t_c_trgm_idx ON t USING gin (lower(c) gin_trgm_ops) WITH (fastupdate = false);
CREATE INDEX t_n_a_idx ON t USING gist (n, a inet_ops) WITH (buffering = auto);
CREATE INDEX t_tags_idx ON t USING gin (tags);
CREATE INDEX t_created_idx ON t USING brin (created_at) WITH (pages_per_range = 32);
CREATE INDEX t_n_hash_idx ON t USING hash (n);
CREATE INDEX t_b_spgist_idx ON t USING spgist (b);
CREATE INDEX t_default_opclass_idx ON t (n);
"""

INDEXES = """
SELECT c.relname::text, pg_get_indexdef(c.oid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid
WHERE r.relname IN ('t', 'item') ORDER BY 1
"""


def _schema(tmp_path: Path, spec: dict):
    d = tmp_path / "spec"
    d.mkdir(exist_ok=True)
    (d / "keys.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    files = loader.load_dir(d)
    return resolve.resolve(files)


def _indexes(url: str) -> list[tuple[str, str]]:
    with pg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(INDEXES).fetchall()]


ISSUE_19 = {
    "migration": {"version": 1, "name": "keys"},
    "tables": {
        "t": {
            "columns": {"id": {"type": "bigint", "primary_key": True}, "a": {"type": "inet"}, "b": {"type": "text"}},
            "indexes": {
                "t_a_idx": {"columns": ["a inet_ops"], "method": "gist"},
                "t_b_idx": {"columns": ["b text_pattern_ops"]},
                "t_lower_b_idx": {"columns": ["lower(b) text_pattern_ops DESC NULLS LAST", 'b COLLATE "C"']},
            },
        }
    },
}


def test_operator_classes_are_not_dropped(tmp_path, pg_admin_url):
    """Issue 19's spec: schemagen wrote `USING gist (a)` (which PostgreSQL refuses) and `(b)` (another index)."""
    sql = from_scratch.migration_sql(_schema(tmp_path, ISSUE_19), ["spec"])
    with pg.fresh_database(pg_admin_url) as built, pg.fresh_database(pg_admin_url) as by_hand:
        pg.apply_sql(built, sql)
        pg.apply_sql(
            by_hand,
            "CREATE TABLE t (id bigint PRIMARY KEY, a inet, b text);\n"
            "CREATE INDEX t_a_idx ON t USING gist (a inet_ops);\n"
            "CREATE INDEX t_b_idx ON t (b text_pattern_ops);\n"
            'CREATE INDEX t_lower_b_idx ON t (lower(b) text_pattern_ops DESC NULLS LAST, b COLLATE "C");\n',
        )
        assert _indexes(built) == _indexes(by_hand)


def test_every_part_of_an_index_key_reaches_the_catalog(tmp_path, pg_admin_url):
    """The opclass, collation, ordering and WITH (...) of each key: today's bug dropped the operator class."""
    schema = _schema(tmp_path, SPEC)
    sql = from_scratch.migration_sql(schema, ["spec"])
    with pg.fresh_database(pg_admin_url) as built, pg.fresh_database(pg_admin_url) as by_hand:
        pg.apply_sql(built, EXTENSIONS + sql)
        pg.apply_sql(by_hand, EXTENSIONS + BY_HAND)
        assert _indexes(built) == _indexes(by_hand)
        pg.assert_same_schema(built, by_hand)
        assert_reads_back(built, schema, "index keys")


VECTOR_SPEC = {
    "module": "keys",
    "migration": {"version": 1, "name": "keys"},
    "extensions": {"pg_trgm": {}, "btree_gist": {}, "vector": {}},
    "tables": {
        "item": {
            "columns": {"id": {"type": "bigint", "primary_key": True}, "embedding": {"type": "vector(3)"}},
            "indexes": {
                "t_embedding_idx": {
                    "columns": ["embedding vector_cosine_ops"],
                    "method": "hnsw",
                    "with": {"m": 16, "ef_construction": 64},
                },
                "t_embedding_ivf_idx": {
                    "columns": ["embedding vector_l2_ops"],
                    "method": "ivfflat",
                    "with": {"lists": 10},
                },
            },
        }
    },
}

VECTOR_BY_HAND = """
CREATE TABLE item (id bigint PRIMARY KEY, embedding vector(3));
CREATE INDEX t_embedding_idx ON item USING hnsw (embedding vector_cosine_ops) WITH (ef_construction = 64, m = 16);
CREATE INDEX t_embedding_ivf_idx ON item USING ivfflat (embedding vector_l2_ops) WITH (lists = 10);
"""


def test_extension_methods_with_their_parameters(tmp_path, pg_admin_url):
    schema = _schema(tmp_path, VECTOR_SPEC)
    with pg.fresh_database(pg_admin_url) as built, pg.fresh_database(pg_admin_url) as by_hand:
        pg.apply_sql(built, EXTENSIONS + from_scratch.migration_sql(schema, ["spec"]))
        pg.apply_sql(by_hand, EXTENSIONS + VECTOR_BY_HAND)
        pg.assert_same_schema(built, by_hand)
        assert_reads_back(built, schema, "vector indexes")


def test_a_lost_operator_class_is_drift(tmp_path, pg_admin_url):
    schema = _schema(tmp_path, SPEC)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, EXTENSIONS + from_scratch.migration_sql(schema, ["spec"]))
        pg.apply_sql(url, "DROP INDEX t_b_idx; CREATE INDEX t_b_idx ON t (b);")
        report, _live, _found = read_back(url, schema)
        assert [f.line for f in report.findings if "t_b_idx" in f.line], report.findings


@pytest.mark.parametrize(
    ("index", "code", "message"),
    [
        ({"columns": ["n DESC"], "method": "gist"}, errors.SQL_SHAPE, "does not support ASC/DESC"),
        ({"columns": ["b ASC"], "method": "hash"}, errors.SQL_SHAPE, "does not support ASC/DESC"),
        ({"columns": ["n"], "method": "hash", "unique": True}, errors.SQL_SHAPE, "does not support unique"),
        ({"columns": ["n", "b"], "method": "hash"}, errors.SQL_SHAPE, "does not support multicolumn"),
        ({"columns": ["tags"], "method": "gin", "include": ["n"]}, errors.SQL_SHAPE, "does not support INCLUDE"),
        ({"columns": ["n"], "with": {"lists": 10}}, errors.SPEC_INVALID, 'has no parameter "lists"'),
        ({"columns": ["n"], "with": {"fillfactor": 5}}, errors.SPEC_INVALID, "from 10 to 100"),
        ({"columns": ["b text_pattern_ops (x = )"]}, errors.SQL_SYNTAX, "syntax error"),
    ],
)
def test_what_cannot_be_emitted_is_refused_at_its_place(tmp_path, index, code, message):
    spec = {**SPEC, "tables": {"t": {**SPEC["tables"]["t"], "indexes": {"bad_idx": index}}}}
    with pytest.raises(errors.SpecError) as info:
        _schema(tmp_path, spec)
    found = [d for d in info.value.diagnostics if d.code == code and message in d.message]
    assert found, info.value.diagnostics
    assert found[0].file.endswith("keys.yaml") and found[0].line > 1
