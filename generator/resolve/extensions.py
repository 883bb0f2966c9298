"""Extensions (`extensions:`) and the types made outside the spec (`external.types`): what a column may be of
besides the built-in types and the spec's enums.

An extension of pg/extensions.py's table brings its types into its schema (`vector` of `vector: {schema:
extensions}` is `extensions.vector`); any other extension is installed all the same, and the types it makes are
declared under `external.types`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import TypeVar

from .. import errors, ir
from ..ir import Name
from ..pg import extensions as known_extensions
from ..spec.loader import LoadedFile
from .registry import Claim
from .report import Report, Where, ident
from .types import OtherType

Relation = TypeVar("Relation", ir.Table, ir.View)


def collect(
    files: list[LoadedFile], schemas: Collection[str], report: Report
) -> tuple[tuple[ir.Extension, ...], tuple[ir.ExternalType, ...], dict[Name, OtherType], list[Claim]]:
    """The extensions, the external types, every type they make known (by qualified name), and the type names
    they take."""
    extensions: dict[str, ir.Extension] = {}
    external: dict[Name, ir.ExternalType] = {}
    types: dict[Name, OtherType] = {}
    claims: list[Claim] = []
    for f in files:
        at = Where(f.pos, ()).at
        for key, ext in f.spec.extensions.items():
            where = at("extensions", key)
            report.origin(("extension", key), where, ext.lint)
            if key in extensions:
                report.error(where, errors.DUPLICATE_NAME, f'extension "{key}" is declared twice', key=True)
                continue
            if not _schema_known(ext.schema_, schemas, report, where.at("schema")):
                continue
            extensions[key] = ir.Extension(key, ext.schema_, f.module, ext.comment)
            known = known_extensions.EXTENSIONS.get(key)
            for type_name, t in (known.types if known else {}).items():
                types[Name(ext.schema_, type_name)] = OtherType(type_name, t.max_mods, None, key)
        for key, spec in f.spec.external.types.items():
            where = at("external", "types", key)
            if not ident(report, key, where, "type name") or not _schema_known(
                spec.schema_, schemas, report, where.at("schema")
            ):
                continue
            name = Name(spec.schema_, key)
            claims.append(Claim("type", name, where, "external type"))
            external[name] = ir.ExternalType(name, spec.python_type)
            types[name] = OtherType(key, -1, spec.python_type, None)
    return tuple(extensions.values()), tuple(external.values()), types, claims


def _schema_known(schema: str, schemas: Collection[str], report: Report, where: Where) -> bool:
    if schema in schemas:
        return True
    report.error(where, errors.UNKNOWN_SCHEMA, f'unknown schema "{schema}" (declare it under external.schemas)')
    return False


def with_operator_classes(schema: ir.Schema) -> ir.Schema:
    """`schema` with each index key's operator class of an installed extension qualified with its schema
    (`gin_trgm_ops` of pg_trgm in `extensions` is `extensions.gin_trgm_ops`), as the SQL must name it. Also applied
    to a saved state (chain/state.py): one written before names it unqualified, the same operator class."""
    schemas = {x.name: x.schema for x in schema.extensions}
    if not schemas:
        return schema
    return dataclasses.replace(
        schema,
        tables=tuple(_with_indexes(t, schemas) for t in schema.tables),
        views=tuple(_with_indexes(v, schemas) for v in schema.views),
    )


def _with_indexes(relation: Relation, schemas: Mapping[str, str]) -> Relation:
    indexes = tuple(
        dataclasses.replace(
            ix,
            elements=tuple(
                dataclasses.replace(e, opclass=known_extensions.qualified_operator_class(e.opclass, schemas))
                for e in ix.elements
            ),
        )
        for ix in relation.indexes
    )
    return relation if indexes == relation.indexes else dataclasses.replace(relation, indexes=indexes)
