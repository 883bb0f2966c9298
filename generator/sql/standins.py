"""Minimal stand-ins for external objects, so a migration can run on an empty test database.

They are derived from the spec's `external` declarations: roles, schemas,
tables with their key columns and foreign keys, and functions whose
`stand_in` gives a SQL body (others return NULL). External schemas and tables
are made readable by the declared roles, as the earlier migrations that really
created them would have done. Never part of a migration.
"""

from __future__ import annotations

from .. import ir
from ..pg import quoting
from . import clauses


def standin_sql(schema: ir.Schema) -> str:
    ext = schema.external
    lines = []
    for role in ext.roles:
        lines.append(
            f"DO $standin$ BEGIN CREATE ROLE {quoting.ident(role)} NOLOGIN; EXCEPTION WHEN "
            "duplicate_object THEN NULL; END $standin$;"
        )
    for s in ext.schemas:
        lines.append(f"CREATE SCHEMA IF NOT EXISTS {quoting.ident(s)};")
        for role in ext.roles:
            lines.append(f"GRANT USAGE ON SCHEMA {quoting.ident(s)} TO {quoting.ident(role)};")
    for t in ext.tables:
        body = [clauses.column_definition(c) for c in t.columns]
        if t.primary_key:
            body.append(f"PRIMARY KEY ({', '.join(quoting.ident(c) for c in t.primary_key)})")
        body += [f"UNIQUE ({', '.join(quoting.ident(c) for c in u)})" for u in t.unique]
        lines.append(f"CREATE TABLE {t.name.q} (\n    " + ",\n    ".join(body) + "\n);")
        for role in ext.roles:
            lines.append(f"GRANT SELECT ON {t.name.q} TO {quoting.ident(role)};")
    for t in ext.tables:
        for fk in t.foreign_keys:
            lines.append(f"ALTER TABLE {t.name.q} ADD CONSTRAINT {fk.q} {clauses.constraint_body(fk)};")
    for f in ext.functions:
        stand_in = f.stand_in or f"SELECT NULL::{f.returns}"
        lines.append(
            f"CREATE FUNCTION {f.name.q}({f.args}) RETURNS {f.returns} LANGUAGE sql STABLE AS $standin$ "
            f"{stand_in} $standin$;"
        )
    return "\n".join(lines) + "\n"
