"""The SQL text of IR objects: clauses, and the statements still written whole in Python.

These were properties of the IR until it became data only; the text is the
same. The templates read them through the views of views.py, the diff and the
stand-ins call them directly. Every identifier goes through pg/quoting.py;
every expression (a CHECK, a DEFAULT, a WHERE) was parsed when the spec was
resolved and is printed as written.
"""

from __future__ import annotations

from .. import ir
from ..pg import quoting

CONCURRENTLY = " CONCURRENTLY IF NOT EXISTS"  # for a table that holds rows: no write blocked, outside a transaction
IF_MISSING = " IF NOT EXISTS"  # a statement that may run again

_GRANT_ON = {"table": "", "function": "FUNCTION ", "sequence": "SEQUENCE ", "all_sequences": "ALL SEQUENCES IN SCHEMA "}


def role(name: str) -> str:
    """A role as GRANT, REVOKE and CREATE POLICY name it (`public` is the keyword PUBLIC)."""
    return "PUBLIC" if name == "public" else quoting.ident(name)


def column_definition(c: ir.Column) -> str:
    """A column as CREATE TABLE and ADD COLUMN define it."""
    parts = [c.q, c.sql_type]
    if c.identity:
        parts.append(f"GENERATED {c.identity.upper()} AS IDENTITY")
    if c.not_null:
        parts.append("NOT NULL")
    if c.default is not None:
        parts.append(f"DEFAULT {c.default}")
    return " ".join(parts)


def key_columns(con: ir.Constraint) -> str:
    return ", ".join(quoting.ident(c) for c in con.columns)


def constraint_body(con: ir.Constraint) -> str:
    """The constraint's definition after its name."""
    if con.kind == "check":
        return f"CHECK ({con.check})"
    if con.kind == "primary_key":
        return f"PRIMARY KEY ({key_columns(con)})"
    if con.kind == "unique":
        return f"UNIQUE ({key_columns(con)})"
    assert con.ref_table is not None
    refs = ", ".join(quoting.ident(c) for c in con.ref_columns)
    sql = f"FOREIGN KEY ({key_columns(con)}) REFERENCES {con.ref_table.q}({refs})"
    if con.on_delete:
        sql += f" ON DELETE {con.on_delete.upper()}"
    if con.on_update:
        sql += f" ON UPDATE {con.on_update.upper()}"
    return sql


def index_element(e: ir.IndexElement) -> str:
    sql = quoting.ident(e.column) if e.column is not None else f"({e.expression})"
    if e.descending:
        sql += " DESC"
    if e.nulls:
        sql += f" NULLS {e.nulls.upper()}"
    return sql


def create_index(ix: ir.Index, how: str = "") -> str:
    """CREATE INDEX; `how` is CONCURRENTLY or IF_MISSING, or nothing."""
    head = ("CREATE UNIQUE INDEX" if ix.unique else "CREATE INDEX") + how
    using = "" if ix.method == "btree" else f" USING {ix.method}"
    sql = (
        f"{head} {quoting.ident(ix.name.name)} ON {ix.table.q}{using} "
        f"({', '.join(index_element(e) for e in ix.elements)})"
    )
    if ix.include:
        sql += f" INCLUDE ({', '.join(quoting.ident(c) for c in ix.include)})"
    if ix.where:
        sql += f" WHERE {ix.where}"
    return sql


def partition_bound(p: ir.Partition) -> str:
    return "DEFAULT" if p.is_default else f"FOR VALUES FROM ({p.lower}) TO ({p.upper})"


def create_policy(p: ir.Policy) -> str:
    sql = f"CREATE POLICY {p.q} ON {p.table.q}"
    if p.restrictive:
        sql += "\n    AS RESTRICTIVE"
    sql += f"\n    FOR {p.command.upper()}"
    if p.roles != ("public",):
        sql += f"\n    TO {', '.join(role(r) for r in p.roles)}"
    if p.using is not None:
        sql += f"\n    USING ({p.using})"
    if p.check is not None:
        sql += f"\n    WITH CHECK ({p.check})"
    return sql


def table_body_lines(t: ir.Table) -> list[str]:
    """Column and constraint lines of CREATE TABLE, each but the last ending in a comma."""
    lines = [column_definition(c) for c in t.columns]
    lines += [f"CONSTRAINT {c.q} {constraint_body(c)}" for c in t.inline_constraints]
    return [line + "," for line in lines[:-1]] + lines[-1:]


def partition_clause(t: ir.Table) -> str:
    if not t.partition_by:
        return ""
    return f" PARTITION BY {t.partition_by} ({', '.join(quoting.ident(c) for c in t.partition_key)})"


def rls_statements(t: ir.Table) -> list[str]:
    statements = [f"ALTER TABLE {t.name.q} ENABLE ROW LEVEL SECURITY"] if t.row_level_security else []
    if t.force_row_level_security:
        statements.append(f"ALTER TABLE {t.name.q} FORCE ROW LEVEL SECURITY")
    return statements


def enum_values(e: ir.Enum) -> list[str]:
    """The labels of CREATE TYPE ... AS ENUM, each but the last ending in a comma."""
    quoted = [quoting.literal(v) for v in e.values]
    return [v + "," for v in quoted[:-1]] + quoted[-1:]


def dollar_quote(f: ir.Function) -> str:
    """A dollar-quote tag that does not occur in the body."""
    tag = "$$"
    n = 0
    while tag in f.body:
        n += 1
        tag = f"$body{n if n > 1 else ''}$"
    return tag


def function_attributes(f: ir.Function) -> list[str]:
    attrs = [f"LANGUAGE {f.language}"]
    if f.volatility != "volatile":
        attrs.append(f.volatility.upper())
    if f.strict:
        attrs.append("STRICT")
    if f.security == "definer":
        attrs.append("SECURITY DEFINER")
    if f.search_path is not None:
        value = ", ".join(quoting.ident(s) for s in f.search_path) or "''"
        attrs.append(f"SET search_path = {value}")
    return attrs


def trigger_events(t: ir.Trigger) -> str:
    return " OR ".join(e.upper() for e in t.events)


def trigger_when_lines(t: ir.Trigger) -> list[str]:
    return [f"WHEN ({t.when})"] if t.when else []


def grant(g: ir.Grant) -> str:
    sql = (
        f"GRANT {', '.join(p.upper() for p in g.privileges)} ON {_GRANT_ON[g.kind]}{g.target} TO "
        f"{', '.join(role(r) for r in g.roles)}"
    )
    if g.with_grant_option:
        sql += " WITH GRANT OPTION"
    return sql


def comment(kind: str, target: str, text: str) -> str:
    """COMMENT ON <kind> <target> IS '<text>'; `target` is ready to print (quoted, qualified)."""
    return f"COMMENT ON {kind} {target} IS {quoting.literal(text)}"
