"""`schemagen drift`: does a live database still match its migrations?

The schema a database should have is the saved state (`NNNN_name.state.json`)
of the last migration applied to it, as its history table says
(`<history_schema>.schemagen_migrations`, the last version whose phase is
`done`), or of the migration named by `--against`. No shadow database is
needed: the live catalog is read (db/catalog.py), put in the state's spelling
wherever it means the same (db/align.py), and compared (db/compare.py);
`--sql` asks the diff engine for the way back (db/repair.py).

Left out of the comparison: schemas the spec does not use, the history
schema and the diff's staging schema, the objects the spec declares
external, and the partitions a declared time partitioning makes
(`maintained`) or retired and kept (`without_retired`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg

from .. import ir
from ..chain import history as chain_history
from ..ir import Name, names
from ..pg import periods, quoting
from ..sql import clauses
from ..templating import environment
from . import UserError, align, catalog, compare, expressions, repair
from .connect import connect

if TYPE_CHECKING:
    from ..chain.history import Written
    from ..spec.config import Settings

HISTORY_TABLE = "schemagen_migrations"
STAGING_SCHEMA = "schemagen_staging"  # where a migration builds partitions to be (diff/moves.py)
ALL_PRIVILEGES = {
    "schema": ("usage", "create"),
    "table": ("select", "insert", "update", "delete", "truncate", "references", "trigger"),
    "sequence": ("usage", "select", "update"),
    "function": ("execute",),
    "procedure": ("execute",),
    "column": ("select", "insert", "update", "references"),
    "type": ("usage",),
}
_COLUMN_TARGET = re.compile(r'^(.*) \(("(?:[^"]|"")*"|[^" ()]+)\)$')  # column_target's text, split
MAINTAIN_SINCE = 170000  # PostgreSQL 17 added MAINTAIN to a table's privileges (and to ALL)


@dataclass(frozen=True)
class Target:
    """The migration whose state the database is compared with, and how it was chosen."""

    version: int
    stem: str
    state: ir.Schema
    chosen: str  # why this one: "last applied", "--against"


@dataclass(frozen=True)
class Report:
    target: Target
    schemas: tuple[str, ...]
    findings: tuple[compare.Finding, ...]
    sql: str | None = None

    @property
    def drifted(self) -> bool:
        return bool(self.findings)

    def text(self) -> str:
        lines = [f.line for f in self.findings]
        return "".join(line + "\n" for line in lines)

    def summary(self) -> str:
        against = f"migration {self.target.stem} ({self.target.chosen})"
        if not self.findings:
            return f"no drift: the database matches {against}"
        return f"drift: {len(self.findings)} difference(s) between the database and {against}"

    def json(self) -> str:
        data: dict[str, Any] = {
            "migration": {
                "version": self.target.version,
                "name": self.target.state.name,
                "file": f"{self.target.stem}.sql",
                "chosen": self.target.chosen,
            },
            "schemas": list(self.schemas),
            "drift": self.drifted,
            "differences": [f.to_json() for f in self.findings],
        }
        if self.sql is not None:
            data["sql"] = self.sql
        return json.dumps(data, indent=2) + "\n"


def run(
    settings: Settings,
    url: str,
    *,
    against: str | None = None,
    schemas: Sequence[str] = (),
    history_schema: str | None = None,
    sql: bool = False,
) -> Report:

    written = chain_history.read(settings)  # a migration edited by hand is refused here, as by build
    if not written:
        raise UserError(
            f"schemagen: no migrations in {settings.out_dir / chain_history.MIGRATIONS}: run `schemagen build` first"
        )
    history = history_schema or settings.history_schema
    with connect(url, application="schemagen drift") as conn:
        target = choose(conn, written, against, history)
        scope = tuple(s for s in (schemas or spec_schemas(target.state)) if s not in (history, STAGING_SCHEMA))
        external = target.state.external
        found = catalog.read(
            conn,
            scope,
            skip=[t.name for t in external.tables] + [f.name for f in external.functions],
            attached=attached(target.state),
        )
        meaning = align.Meaning(ServerJudge(conn), found.search_path, found.default_opclasses)
        return compare_with(found, target, scope, meaning, sql=sql)


def compare_with(
    found: catalog.Catalog, target: Target, scope: tuple[str, ...], meaning: align.Meaning, *, sql: bool = False
) -> Report:
    """The report for a catalog already read (tests call it with a catalog of their own)."""
    state = target.state
    detached = align.detached(found.schema, state)
    live = without_retired(align.align(reattached(found.schema, detached), state, meaning), state)
    expected = with_maintained(state, live)
    live_atoms, expected_atoms, targets = privileges(found, live, expected)
    live = dataclasses.replace(live, grants=grants(live_atoms))
    expected = dataclasses.replace(expected, grants=grants(expected_atoms))
    extra = repair.extras(found.unmanaged, state, detached, found.idle_triggers)
    findings = compare.compare(live, expected, live_atoms, expected_atoms, targets) + extra.findings
    findings += default_privileges(found, state)
    text = repair.sql(live, expected, extra.fixes, extra.left, stem=target.stem, schemas=scope) if sql else None
    return Report(target, scope, tuple(findings), text)


def attached(state: ir.Schema) -> list[ir.Name]:
    """The external tables the spec puts policies or triggers on: those are read from the database too."""
    external = {t.name for t in state.external.tables}
    names = {t.name for t in state.external.tables if t.policies or t.indexes} | {
        t.table for t in state.triggers if t.table in external
    }
    return sorted(names, key=str)


def spec_schemas(state: ir.Schema) -> tuple[str, ...]:
    """The schemas the spec puts objects in (public when it has none)."""
    used = (
        {t.name.schema for t in state.tables}
        | {e.name.schema for e in state.enums}
        | {f.name.schema for f in state.functions}
        | {s.name for s in state.schemas}
        | {v.name.schema for v in state.views}
        | {q.name.schema for q in state.sequences}
        | {x.schema for x in state.extensions}
    )
    return tuple(sorted(used)) or ("public",)


# -- which state ---------------------------------------------------------
def choose(conn: psycopg.Connection[Any], written: list[Written], against: str | None, history: str) -> Target:
    by_version = {w.version: w for w in written}
    versions = ", ".join(f"{v:04d}" for v in sorted(by_version))
    if against is not None:
        if against == "newest":
            w = written[-1]
        else:
            try:
                w = by_version[int(against)]
            except (ValueError, KeyError):
                raise UserError(
                    f"schemagen: --against {against}: no such migration (the migrations are {versions}; or "
                    "--against newest)"
                ) from None
        return Target(w.version, w.stem, w.state, "--against")
    version = last_applied(conn, history)
    if version not in by_version:
        raise UserError(
            f"schemagen: the database's last applied migration is {version:04d}, which the migrations "
            f"folder does not have (it has {versions}): check out the code that database runs, or compare "
            "with --against VERSION"
        )
    w = by_version[version]
    return Target(w.version, w.stem, w.state, "the database's last applied migration")


def last_applied(conn: psycopg.Connection[Any], history: str) -> int:
    """The last migration applied, from the history table `schemagen migrate` keeps."""

    table = quoting.qualified(history, HISTORY_TABLE)
    env = environment()
    try:
        row = conn.execute(env.get_template("sql/db/history_present.sql.j2").render(), {"table": table}).fetchone()
        if row is None or not row[0]:
            raise UserError(
                f"schemagen: no migration history in this database ({table} does not exist): apply the "
                "migrations with `schemagen migrate`, or name the migration to compare with: --against "
                "VERSION (or --against newest)"
            )
        last = conn.execute(env.get_template("sql/db/history_last.sql.j2").render(table=table)).fetchone()
    except psycopg.Error as exc:
        raise UserError(
            f"schemagen: cannot read the migration history {table}: {str(exc).strip().splitlines()[0]}"
        ) from None
    if last is None:
        raise UserError(
            f"schemagen: {table} records no completed migration: apply the migrations with `schemagen "
            "migrate`, or name the migration to compare with: --against VERSION"
        )
    return int(last[0])


# -- what the database should have ----------------------------------------
def maintained(table: ir.Table, partition: ir.Partition) -> bool:
    """Whether `partition`, in the database but not in the state, is one that `table`'s declared
    time partitioning makes (its name and bounds are a period's, ir.Table.owns): the table's own, no drift."""
    return table.owns(partition)


def with_maintained(state: ir.Schema, live: ir.Schema) -> ir.Schema:
    """The state, with the partitions of the database that a maintenance pattern made."""
    live_tables = {t.name: t for t in live.tables}
    tables = []
    for t in state.tables:
        known = {p.name for p in t.partitions}
        made = (
            tuple(p for p in live_tables[t.name].partitions if p.name not in known and maintained(t, p))
            if t.name in live_tables
            else ()
        )
        tables.append(dataclasses.replace(t, partitions=t.partitions + made) if made else t)
    return dataclasses.replace(state, tables=tuple(tables))


def without_retired(live: ir.Schema, state: ir.Schema) -> ir.Schema:
    """The live schema without the partitions a time partitioning retired and kept as tables of their own
    (`retired: detach`): named as one of its periods, with the table's columns. They are its data, not drift."""
    known = {t.name for t in state.tables}
    rules = [t for t in state.tables if t.time_partitions is not None and t.time_partitions.retired == "detach"]

    def retired(t: ir.Table) -> bool:
        return t.name not in known and any(
            r.time_partitions is not None
            and t.name.schema == r.name.schema
            and periods.period_of(r.name.name, t.name.name, r.time_partitions.interval, r.time_partitions.first_day)
            is not None
            and [c.name for c in t.columns] == [c.name for c in r.columns]
            for r in rules
        )

    gone = {t.name for t in live.tables if retired(t)}
    if not gone:
        return live
    return dataclasses.replace(
        live,
        tables=tuple(t for t in live.tables if t.name not in gone),
        triggers=tuple(t for t in live.triggers if t.table not in gone),
    )


def reattached(live: ir.Schema, detached: dict[Name, tuple[ir.Table, ir.Partition]]) -> ir.Schema:
    """The live schema as if each detached partition were attached again (they are reported, and re-attached, on their
    own)."""
    if not detached:
        return live
    extra: dict[Name, list[ir.Partition]] = {}
    for parent, p in detached.values():
        extra.setdefault(parent.name, []).append(p)
    tables = tuple(
        dataclasses.replace(t, partitions=t.partitions + tuple(extra.get(t.name, ()))) if t.name in extra else t
        for t in live.tables
        if t.name not in detached
    )
    return dataclasses.replace(live, tables=tables, triggers=tuple(t for t in live.triggers if t.table not in detached))


Atom = compare.Atom


def privileges(
    found: catalog.Catalog, live: ir.Schema, expected: ir.Schema
) -> tuple[dict[Atom, bool], dict[Atom, bool], frozenset[str]]:
    """Every privilege the database grants and every one it should, as atoms (diff/grants.py),
    with the objects both sides have. An object should have what its GRANTs give it and what it
    got when created (the built-in and default privileges, the catalog's baseline)."""
    live_functions = {f.key: f for f in live.functions}
    expected_functions = {f.key: f for f in expected.functions}
    sequences = identity_sequences(expected, found.sequences)
    live_sequences = set(found.sequences.values())

    def relations(schema: ir.Schema) -> set[Name]:
        return (
            {t.name for t in schema.tables}
            | {p.name for t in schema.tables for p in t.partitions}
            | {v.name for v in schema.views}
        )

    both = relations(live) & relations(expected)
    both_functions = {
        n
        for n, f in live_functions.items()
        if n in expected_functions and f.signature == expected_functions[n].signature
    }
    both_sequences = live_sequences & set(sequences.values())
    both_schemas = {s.name for s in live.schemas} & {s.name for s in expected.schemas}
    live_atoms: dict[Atom, bool] = {}
    for p in found.privileges:
        target = catalog.target_of(p.kind, p.object, live_functions, p.types)
        if target is not None:
            _add(
                live_atoms,
                (p.kind, column_target(target, p.column) if p.column else target, p.role, p.privilege),
                p.grantable,
            )
    expected_atoms: dict[Atom, bool] = {}
    revoked = _revoked(expected, found.server_version)
    for p in found.baseline:
        present = (
            p.object in both
            if p.kind == "table"
            else (p.object, p.types) in both_functions
            if p.kind in ("function", "procedure")
            else p.object.schema in both_schemas
            if p.kind == "schema"
            else p.object in both_sequences
        )
        target = catalog.target_of(p.kind, p.object, expected_functions, p.types)
        if present and target is not None and (p.kind, target, p.role, p.privilege) not in revoked:
            _add(expected_atoms, (p.kind, target, p.role, p.privilege), p.grantable)
    for g in expected.grants:
        if g.columns:  # privileges K5: column-level grants, on the columns both sides have
            for column in g.columns:
                for role in g.roles:
                    for privilege in _expanded(g.privileges, "column", found.server_version):
                        _add(
                            expected_atoms,
                            ("column", column_target(g.target, column), role, privilege),
                            g.with_grant_option,
                        )
            continue
        for kind, target in _targets(g, sequences):
            for role in g.roles:
                for privilege in _expanded(g.privileges, kind, found.server_version):
                    _add(expected_atoms, (kind, target, role, privilege), g.with_grant_option)
    targets = (
        {n.q for n in both} | {expected_functions[n].signature for n in both_functions} | {n.q for n in both_sequences}
    )
    targets |= {quoting.ident(s) for s in both_schemas}
    targets |= {column_target(t.name.q, c.name) for t in live.tables if t.name in both for c in t.columns}
    targets |= {column_target(v.name.q, c.name) for v in live.views if v.name in both for c in v.columns}
    return live_atoms, expected_atoms, frozenset(targets)


def column_target(table: str, column: str) -> str:
    """How a privilege atom names a column (kind "column"): the table, then the column in parentheses, as GRANT
    writes it."""
    return f"{table} ({quoting.ident(column)})"


def _revoked(schema: ir.Schema, server_version: int) -> set[Atom]:
    """The privileges the spec revokes and does not grant again (privileges K5)."""
    result = {
        (r.kind, r.target, role, privilege)
        for r in schema.revokes
        for role in r.roles
        for privilege in _expanded(r.privileges, r.kind, server_version)
    }
    return result


def _add(atoms: dict[Atom, bool], atom: Atom, grantable: bool) -> None:
    atoms[atom] = atoms.get(atom, False) or grantable


def identity_sequences(schema: ir.Schema, known: dict[tuple[Name, str], Name]) -> dict[tuple[Name, str], Name]:
    """The sequence of each identity column: the database's name for it, else the one PostgreSQL would choose."""
    return {
        (t.name, c.name): known.get((t.name, c.name))
        or Name(t.name.schema, names.make_object_name(t.name.name, c.name, "seq"))
        for t in schema.tables
        for c in t.columns
        if c.identity
    }


def _targets(g: ir.Grant, sequences: dict[tuple[Name, str], Name]) -> list[tuple[str, str]]:
    """What a grant reaches: ALL SEQUENCES IN SCHEMA reached the sequences there when it ran, which are the identity
    columns'."""
    if g.kind != "all_sequences":
        return [(g.kind, g.target)]
    schema = catalog.unquoted(g.target)
    return sorted({("sequence", s.q) for s in sequences.values() if s.schema == schema})


def _expanded(privileges: tuple[str, ...], kind: str, server_version: int) -> list[str]:
    result: list[str] = []
    for p in privileges:
        if p == "all":
            result += ALL_PRIVILEGES[kind]
            if kind == "table" and server_version >= MAINTAIN_SINCE:
                result.append("maintain")
        else:
            result.append(p)
    return result


def grants(atoms: dict[Atom, bool]) -> tuple[ir.Grant, ...]:
    """Atoms as IR grants, one each, in a fixed order (a column's as a column-level grant on its table)."""
    result = []
    for (kind, target, role, privilege), option in sorted(atoms.items()):
        split = _COLUMN_TARGET.match(target) if kind == "column" else None
        if split is not None:
            table, column = split.groups()
            result.append(ir.Grant((privilege,), "table", table, (role,), option, columns=(_column_name(column),)))
        else:
            result.append(ir.Grant((privilege,), kind, target, (role,), option))
    return tuple(result)


def _column_name(quoted: str) -> str:
    return quoted[1:-1].replace('""', '"') if quoted.startswith('"') else quoted


# -- judging constants by the server --------------------------------------
class ServerJudge:
    """Two constants are the same value of a type when the server reads them so: `'1 hour'` and
    `'01:00:00'` as interval, `'2026-01-01'` and `'2026-01-01 00:00:00+00'` as timestamptz (in the
    session's TimeZone, as the migration read it). Each distinct question is asked once."""

    def __init__(self, conn: psycopg.Connection[Any]):
        self.conn = conn
        self.answers: dict[tuple[str, str, str], bool] = {}

    def __call__(self, a: expressions.Literal, b: expressions.Literal, type_sql: str | None) -> bool:
        if type_sql is None or a.value is None or b.value is None:
            return False
        key = (a.value, b.value, type_sql)
        if key not in self.answers:
            self.answers[key] = self._ask(a.value, b.value, type_sql)
        return self.answers[key]

    def view_definition(self, query: str) -> str | None:
        """`query` as pg_get_viewdef prints it in this session: made a temporary view, then rolled back
        (None when the server refuses it)."""
        env = environment()
        try:
            with self.conn.transaction(force_rollback=True):
                self.conn.execute(env.get_template("sql/db/view_probe.sql.j2").render(query=query))
                row = self.conn.execute(env.get_template("sql/db/view_probe_definition.sql.j2").render()).fetchone()
        except psycopg.Error:
            return None
        return None if row is None else str(row[0]).strip().rstrip(";").rstrip()

    def _ask(self, a: str, b: str, type_sql: str) -> bool:

        query = environment().get_template("sql/db/same_value.sql.j2").render(type=type_sql)
        try:
            with self.conn.transaction():
                row = self.conn.execute(query, {"a": a, "b": b}).fetchone()
        except psycopg.Error:
            return False  # a value the type refuses, or a type the database lacks: not the same
        return bool(row and row[0])


# -- default privileges (privileges K5) ----------------------------------
OBJTYPES = {"tables": "r", "sequences": "S", "functions": "f", "types": "T", "schemas": "n"}
ON_KIND = {"tables": "table", "sequences": "sequence", "functions": "function", "types": "type", "schemas": "schema"}
BUILTIN_DEFAULTS = {"functions": {("public", "execute")}, "types": {("public", "usage")}}  # acldefault's, but the owner


def default_privileges(found: catalog.Catalog, state: ir.Schema) -> list[compare.Finding]:
    """Each default privilege the spec declares that the database does not have (or has, revoked): only what the
    spec says is compared (Supabase's own default privileges, which it does not name, are left alone)."""
    live: dict[tuple[str, str | None, str], set[tuple[str, str]]] = {}
    for for_role, schema, objtype, role, privilege in found.default_acl:
        live.setdefault((for_role, schema, objtype), set()).add((role, privilege))
    findings: list[compare.Finding] = []
    for d in state.default_privileges:
        owner = d.for_role or found.current_role
        key = (owner, d.schema, OBJTYPES[d.on])
        held = live.get(key, BUILTIN_DEFAULTS.get(d.on, set()) if d.schema is None else set())
        privileges = _expanded(d.privileges, ON_KIND[d.on], found.server_version)
        for role in d.roles:
            for privilege in privileges:
                has = (role, privilege) in held
                if has != d.revoke:
                    continue
                where = f" in schema {d.schema}" if d.schema else ""
                name = f"{privilege.upper()} on {d.on}{where} to {clauses.role(role)} for role {owner}"
                granted = f"{privilege.upper()} granted"
                findings.append(
                    compare.Finding(
                        "default privilege",
                        name,
                        "exists",
                        granted if has else compare.ABSENT,
                        compare.ABSENT if has else granted,
                        "objects created from now on get it" if has else "objects created from now on lack it",
                    )
                )
    return findings
