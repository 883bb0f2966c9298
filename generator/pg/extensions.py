"""What the common extensions bring: their types (with the Python type of a value in the generated models),
operator classes and index methods. One table, like datatypes.py's, read by every stage that needs it: resolve
(a column of `vector(1536)` is the vector extension's type), the models (`list[float]`), and index keys
(`embedding vector_cosine_ops` USING hnsw needs the vector extension).

Plain data. A type is keyed by the name PostgreSQL stores (pg_type.typname); an extension not listed here can
still be installed (`extensions:`), and the types it makes declared under `external.types`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from . import quoting
from .datatypes import BASE_TYPES, PyType

_STR = PyType("str", family="text")


@dataclass(frozen=True)
class ExtensionType:
    max_mods: int = 0  # typmods it accepts: vector(1536) -> 1; PostGIS's geometry(Point,4326) -> 2
    py: PyType | None = None  # None: the models need an explicit `python_type`


@dataclass(frozen=True)
class Extension:
    types: dict[str, ExtensionType] = field(default_factory=dict)
    operator_classes: dict[str, str] = field(default_factory=dict)  # operator class -> its index method
    index_methods: frozenset[str] = frozenset()  # access methods it adds (CREATE ACCESS METHOD)
    functions: frozenset[str] = frozenset()  # functions worth knowing by name (not every one)


_VECTOR_LIST = PyType("list[float]", family="other")

EXTENSIONS: dict[str, Extension] = {
    "vector": Extension(  # pgvector
        types={
            "vector": ExtensionType(1, _VECTOR_LIST),
            "halfvec": ExtensionType(1, _VECTOR_LIST),
            "sparsevec": ExtensionType(1),  # '{1:0.5,3:1}/5': no Python type without pgvector's own
        },
        operator_classes={
            **{f"{t}_{m}_ops": "hnsw" for t in ("vector", "halfvec") for m in ("l2", "ip", "cosine", "l1")},
            **{f"sparsevec_{m}_ops": "hnsw" for m in ("l2", "ip", "cosine", "l1")},
            "bit_hamming_ops": "hnsw",
            "bit_jaccard_ops": "hnsw",
            # ivfflat takes the same names for l2, ip and cosine (and bit_hamming_ops); listed under hnsw,
            # the method each name first belongs to; IVFFLAT_OPERATOR_CLASSES below lists ivfflat's.
        },
        index_methods=frozenset({"hnsw", "ivfflat"}),
        functions=frozenset({"l2_distance", "cosine_distance", "inner_product", "l1_distance", "vector_dims"}),
    ),
    "citext": Extension(
        types={"citext": ExtensionType(0, _STR)},
        operator_classes={"citext_ops": "btree", "citext_pattern_ops": "btree"},
    ),
    "hstore": Extension(
        types={"hstore": ExtensionType(0, PyType("dict[str, str | None]"))},
        operator_classes={
            "btree_hstore_ops": "btree",
            "hash_hstore_ops": "hash",
            "gist_hstore_ops": "gist",
            "gin_hstore_ops": "gin",
        },
    ),
    "ltree": Extension(
        types={"ltree": ExtensionType(0, _STR), "lquery": ExtensionType(0, _STR), "ltxtquery": ExtensionType(0, _STR)},
        operator_classes={
            "ltree_ops": "btree",
            "gist_ltree_ops": "gist",
            "gist__ltree_ops": "gist",
            "hash_ltree_ops": "hash",
        },
    ),
    "pg_trgm": Extension(
        operator_classes={"gin_trgm_ops": "gin", "gist_trgm_ops": "gist"},
        functions=frozenset({"similarity", "word_similarity", "show_trgm"}),
    ),
    "btree_gist": Extension(  # B-tree behaviour in GiST: scalars in exclusion constraints
        operator_classes={
            f"gist_{t}_ops": "gist"
            for t in (
                "int2",
                "int4",
                "int8",
                "float4",
                "float8",
                "numeric",
                "text",
                "bpchar",
                "bytea",
                "bit",
                "vbit",
                "oid",
                "date",
                "time",
                "timetz",
                "timestamp",
                "timestamptz",
                "interval",
                "cash",
                "macaddr",
                "macaddr8",
                "inet",
                "cidr",
                "uuid",
                "bool",
                "enum",
            )
        },
    ),
    "btree_gin": Extension(
        operator_classes={
            f"{t}_ops": "gin"
            for t in (
                "int2",
                "int4",
                "int8",
                "float4",
                "float8",
                "numeric",
                "text",
                "bpchar",
                "bytea",
                "date",
                "timestamp",
                "timestamptz",
                "time",
                "timetz",
                "interval",
                "uuid",
                "bool",
                "inet",
                "cidr",
            )
        },
    ),
    "postgis": Extension(
        types={
            "geometry": ExtensionType(2),  # geometry(Point,4326): a Python type depends on the driver (python_type)
            "geography": ExtensionType(2),
            "box2d": ExtensionType(0),
            "box3d": ExtensionType(0),
        },
        operator_classes={
            "gist_geometry_ops_2d": "gist",
            "gist_geometry_ops_nd": "gist",
            "gist_geography_ops": "gist",
            "brin_geometry_inclusion_ops_2d": "brin",
            "spgist_geometry_ops_2d": "spgist",
        },
    ),
    "unaccent": Extension(functions=frozenset({"unaccent"})),
    "pgcrypto": Extension(functions=frozenset({"crypt", "gen_salt", "digest", "hmac", "pgp_sym_encrypt"})),
    "uuid-ossp": Extension(functions=frozenset({"uuid_generate_v4", "uuid_generate_v1", "uuid_generate_v5"})),
}

# ivfflat's operator classes (the names it shares with hnsw).
IVFFLAT_OPERATOR_CLASSES = frozenset(
    {
        "vector_l2_ops",
        "vector_ip_ops",
        "vector_cosine_ops",
        "halfvec_l2_ops",
        "halfvec_ip_ops",
        "halfvec_cosine_ops",
        "bit_hamming_ops",
    }
)


def type_owners(installed: Iterable[HasName]) -> dict[str, str]:
    """The types the `installed` extensions bring, each to its extension's name."""
    names = {x.name for x in installed}
    return {t: ext for t, ext in _TYPES.items() if ext in names}


class HasName(Protocol):
    @property
    def name(self) -> str: ...


def type_extension(name: str) -> str | None:
    """The extension that brings the type `name`, if one of the table does."""
    return _TYPES.get(name)


def extension_type(name: str) -> ExtensionType | None:
    extension = _TYPES.get(name)
    return None if extension is None else EXTENSIONS[extension].types[name]


def operator_class_extension(name: str) -> str | None:
    """The extension that brings the operator class `name`, if one of the table does."""
    return _OPERATOR_CLASSES.get(name)


def qualified_operator_class(name: str | None, schemas: Mapping[str, str]) -> str | None:
    """The operator class `name` as the SQL writes it: one of an installed extension's (`schemas`: the schema of
    each installed extension) qualified with the extension's schema, as its types are, so that the index is built
    whatever the search_path; any other name (qualified already, built in, the user's own) as written."""
    schema = schemas.get(_OPERATOR_CLASSES.get(name or "", ""))
    return name if name is None or schema is None else quoting.qualified(schema, name)


def index_method_extension(name: str) -> str | None:
    """The extension that brings the index method `name` (hnsw, ivfflat), if one of the table does."""
    return _METHODS.get(name)


_TYPES = {t: ext for ext, e in EXTENSIONS.items() for t in e.types}
_OPERATOR_CLASSES = {c: ext for ext, e in EXTENSIONS.items() for c in e.operator_classes}
_METHODS = {m: ext for ext, e in EXTENSIONS.items() for m in e.index_methods}


def py_type(base: str) -> PyType | None:
    """A value's Python type in the models, for a column's `base`: a built-in type's (datatypes.py) or an
    extension type's; None when the models need an explicit `python_type`."""
    builtin = BASE_TYPES.get(base)
    if builtin is not None:
        return builtin.py
    t = extension_type(base)
    return None if t is None else t.py
