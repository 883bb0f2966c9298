"""The live schema in the spelling of the migrations, wherever the two mean the same.

The catalog gives `(now() + '01:00:00'::interval)` where the saved state says
`(NOW() + INTERVAL '1 hour')`, roles in name order where the spec listed
them its own way, and nothing of what lives in the spec alone (a column's
Python type, the triggers that set it, a policy's template). `align` returns
the live IR with each such field taken from the state when the two are the
same by meaning (db/expressions.py): what still differs afterwards is drift,
and the diff engine, which compares text, sees exactly that.
"""

from __future__ import annotations

import collections
import dataclasses
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .. import ir
from ..ir import Name
from . import expressions, usertypes

T = TypeVar("T")


@dataclass(frozen=True)
class Meaning:
    """How two texts are judged the same: the judge of constants, and the schemas names were printed against."""

    judge: expressions.Judge = expressions.offline
    path: tuple[str, ...] = expressions.SEARCH_PATH
    # (index, key position) -> the default operator class the key has (catalog.Catalog.default_opclasses)
    default_opclasses: Mapping[tuple[Name, int], str] = dataclasses.field(default_factory=dict)

    def opclass(self, live: str | None, state: str | None, default: str | None) -> bool:
        """Whether the key's operator class is the one the state names: PostgreSQL prints it unqualified where
        the search path finds it, and not at all where it is the type's default (which a spec may name)."""
        if live == state:
            return True
        if state is None:
            return False
        schema, name = _split(state)
        if live is None:
            return default is not None and name == default and (schema is None or schema in self.path)
        live_schema, live_name = _split(live)
        return live_name == name and {live_schema, schema} - {None} <= set(self.path)

    def expr(self, a: str | None, b: str | None, context: str | None = None) -> bool:
        return expressions.same(a, b, self.judge, path=self.path, context=context)

    def signature(self, a: ir.Function, b: ir.Function) -> bool:
        if (a.args, a.returns) == (b.args, b.returns):
            return True
        ca, cb = (
            expressions.signature(a.args, a.returns, self.path),
            expressions.signature(b.args, b.returns, self.path),
        )
        if ca is None or cb is None or ca.shape != cb.shape:
            return False
        return all(expressions.literals_match(x, y, self.judge) for x, y in zip(ca.literals, cb.literals))

    def view(self, live: str, query: str) -> bool:
        """Whether a view's query as pg_get_viewdef prints it is the state's: the same text, else the state's
        query printed by the server the same way (when the judge is a server's: drift.ServerJudge)."""
        if " ".join(live.split()) == " ".join(query.split()):
            return True
        probe = getattr(self.judge, "view_definition", None)
        return probe is not None and probe(query) == live

    def bound(self, a: str, b: str, key_type: str | None) -> bool:
        """Whether two range bounds (quoted literals, MINVALUE or MAXVALUE) are the same value of the key's type."""
        if a == b:
            return True
        if a.upper() in ("MINVALUE", "MAXVALUE") or b.upper() in ("MINVALUE", "MAXVALUE"):
            return a.upper() == b.upper()
        la, lb = expressions.canonical(a, self.path), expressions.canonical(b, self.path)
        if la is None or lb is None or len(la.literals) != 1 or len(lb.literals) != 1:
            return False
        return expressions.literals_match(la.literals[0], lb.literals[0], self.judge, key_type)


def align(live: ir.Schema, state: ir.Schema, meaning: Meaning) -> ir.Schema:
    """`live` with the state's spelling (and spec-only fields) wherever an object means the same on both sides."""
    enums = {e.name: e for e in state.enums}
    tables = {t.name: t for t in state.tables}
    match = function_match(live.functions, state.functions)
    functions = {match(f): f for f in state.functions}
    triggers = {(t.table, t.name): t for t in state.triggers}
    views = {v.name: v for v in state.views}
    sequences = {q.name: q for q in state.sequences}
    event_triggers = {t.name: t for t in state.event_triggers}  # funcs5
    aggregates = {a.key: a for a in state.aggregates}  # aggs6
    extensions = {x.name: x for x in state.extensions}
    publications = {p.name: p for p in state.publications}
    external = {t.name for t in state.external.tables}
    # On a table made elsewhere only what the spec attaches is the spec's: its owner's triggers are left out.
    live_triggers = [t for t in live.triggers if t.table not in external or (t.table, t.name) in triggers]
    return dataclasses.replace(
        live,
        version=state.version,
        name=state.name,
        modules=state.modules,
        external=attached(live.external, state.external, meaning),
        enums=ordered(
            [dataclasses.replace(e, module=enums[e.name].module) if e.name in enums else e for e in live.enums],
            state.enums,
            lambda e: e.name,
        ),
        tables=ordered(
            [table(t, tables[t.name], meaning) if t.name in tables else t for t in live.tables],
            state.tables,
            lambda t: t.name,
        ),
        functions=ordered(
            [function(f, functions[match(f)], meaning) if match(f) in functions else f for f in live.functions],
            state.functions,
            match,
        ),
        triggers=ordered(
            [
                trigger(t, triggers[(t.table, t.name)], meaning) if (t.table, t.name) in triggers else t
                for t in live_triggers
            ],
            state.triggers,
            lambda t: (t.table, t.name),
        ),
        schemas=namespaces(live, state),
        event_triggers=ordered(
            [
                dataclasses.replace(t, module=event_triggers[t.name].module) if t.name in event_triggers else t
                for t in live.event_triggers
            ],
            state.event_triggers,
            lambda t: t.name,
        ),
        aggregates=ordered(
            [
                dataclasses.replace(a, module=aggregates[a.key].module) if a.key in aggregates else a
                for a in live.aggregates
            ],
            state.aggregates,
            lambda a: a.key,
        ),
        views=ordered(
            [view(v, views[v.name], meaning) if v.name in views else v for v in live.views],
            state.views,
            lambda v: v.name,
        ),
        sequences=ordered(
            [sequence(q, sequences[q.name]) if q.name in sequences else q for q in live.sequences],
            state.sequences,
            lambda q: q.name,
        ),
        publications=ordered(
            [
                publication(p, publications[p.name], meaning) if p.name in publications else p
                for p in live.publications
                if p.name in publications or p.tables or p.all_tables  # an empty one of another's is not the spec's
            ],
            state.publications,
            lambda p: p.name,
        ),
        extensions=ordered(
            [extension(x, extensions[x.name]) if x.name in extensions else x for x in live.extensions],
            state.extensions,
            lambda x: x.name,
        ),
        domains=usertypes.domains(live, state, meaning.expr),  # types5
        composite_types=usertypes.composites(live, state),  # types5
        range_types=usertypes.ranges(live, state),  # types5
    )


def view(live: ir.View, state: ir.View, meaning: Meaning) -> ir.View:
    """The live view in the state's terms where its query means the state's and its columns are the same
    (names and types): the state's text, what it reads, its columns' Python types; its own comments."""
    same_columns = [(c.name, c.sql_type) for c in live.columns] == [(c.name, c.sql_type) for c in state.columns]
    if live.materialized != state.materialized or not same_columns or not meaning.view(live.query, state.query):
        return live
    comments = {c.name: c.comment for c in live.columns}
    live_indexes = {ix.name: ix for ix in live.indexes}
    state_indexes = {ix.name: ix for ix in state.indexes}
    return dataclasses.replace(
        state,
        columns=tuple(dataclasses.replace(c, comment=comments.get(c.name)) for c in state.columns),
        security_invoker=live.security_invoker,
        check_option=live.check_option,
        comment=live.comment,
        indexes=ordered(
            [index(ix, state_indexes[ix.name], meaning) if ix.name in state_indexes else ix for ix in live.indexes],
            state.indexes,
            lambda ix: ix.name,
        )
        if live_indexes
        else (),
    )


def namespaces(live: ir.Schema, state: ir.Schema) -> tuple[ir.Namespace, ...]:
    """The live schemas that are the spec's own (not those it declares external), in the state's order."""
    modules = {s.name: s.module for s in state.schemas}
    return ordered(
        [
            dataclasses.replace(s, module=modules[s.name]) if s.name in modules else s
            for s in live.schemas
            if s.name not in state.external.schemas
        ],
        state.schemas,
        lambda s: s.name,
    )


def sequence(live: ir.Sequence, state: ir.Sequence) -> ir.Sequence:
    """A sequence read back, with what only the spec knows: its module, whether a serial column made it."""
    return dataclasses.replace(live, module=state.module, serial=state.serial)


def attached(live: ir.External, state: ir.External, meaning: Meaning) -> ir.External:
    """The state's external tables, each with the policies the database has of those the spec attaches to it
    (the others are its owner's), in the state's spelling."""
    found = {(p.table, p.name): p for t in live.tables for p in t.policies}
    tables = []
    indexes = {ix.name: ix for t in live.tables for ix in t.indexes}
    for t in state.tables:
        mine = {p.name: p for p in t.policies}
        policies = [policy(found[(t.name, name)], p, meaning) for name, p in mine.items() if (t.name, name) in found]
        # of its indexes, those the spec puts on it (funcs5); the others are its owner's
        own = [index(indexes[ix.name], ix, meaning) for ix in t.indexes if ix.name in indexes]
        tables.append(dataclasses.replace(t, policies=tuple(policies), indexes=tuple(own)))
    return dataclasses.replace(state, tables=tuple(tables))


def function_match(*sides: Iterable[ir.Function]) -> Callable[[ir.Function], Hashable]:
    """How drift pairs a live function with the state's: by name (its arguments are then an aspect that may
    differ), or by name and input types where either side has overloads of that name."""
    overloaded = {n for side in sides for n, c in collections.Counter(f.name for f in side).items() if c > 1}
    return lambda f: f.key if f.name in overloaded else f.name


def ordered(items: Iterable[T], model: Iterable[T], key: Callable[[T], Hashable]) -> tuple[T, ...]:
    """`items` in the order of `model` (matched by key), those it lacks after them in their own order."""
    rank = {key(m): i for i, m in enumerate(model)}
    last = len(rank)
    placed = sorted(((rank.get(key(item), last + i), item) for i, item in enumerate(items)), key=lambda pair: pair[0])
    return tuple(item for _, item in placed)


def table(live: ir.Table, state: ir.Table, meaning: Meaning) -> ir.Table:
    columns = {c.name: c for c in state.columns}
    constraints = {c.name: c for c in state.constraints}
    indexes = {i.name: i for i in state.indexes}
    partitions = {p.name: p for p in state.partitions}
    policies = {p.name: p for p in state.policies}
    key = state.column(state.partition_key[0]) if len(state.partition_key) == 1 else None
    key_type = key.sql_type if key is not None else None
    return dataclasses.replace(
        live,
        module=state.module,
        columns=ordered(
            [column(c, columns[c.name], meaning) if c.name in columns else c for c in live.columns],
            state.columns,
            lambda c: c.name,
        ),
        constraints=ordered(
            [constraint(c, constraints[c.name], meaning) if c.name in constraints else c for c in live.constraints],
            state.constraints,
            lambda c: c.name,
        ),
        indexes=ordered(
            [index(i, indexes[i.name], meaning) if i.name in indexes else i for i in live.indexes],
            state.indexes,
            lambda i: i.name,
        ),
        partitions=ordered(
            [
                partition(p, partitions[p.name], meaning, key_type) if p.name in partitions else p
                for p in live.partitions
            ],
            state.partitions,
            lambda p: p.name,
        ),
        policies=ordered(
            [policy(p, policies[p.name], meaning) if p.name in policies else p for p in live.policies],
            state.policies,
            lambda p: p.name,
        ),
        rows=state.rows,  # seed rows are data, which the catalog does not hold (drift compares the schema)
    )


def extension(live: ir.Extension, state: ir.Extension) -> ir.Extension:
    """Without a comment of the spec's, the extension's own (CREATE EXTENSION gives it one) is not drift."""
    return dataclasses.replace(live, module=state.module, comment=live.comment if state.comment is not None else None)


def publication(live: ir.Publication, state: ir.Publication, meaning: Meaning) -> ir.Publication:
    """A publication with the state's order of its tables and spelling of their row filters; one made elsewhere is
    the spec's only by its tables."""
    tables = state.tables if set(live.tables) == set(state.tables) else live.tables
    filters = tuple(_published(f, state.filter_of(f.table), meaning) for f in live.filters)
    filters = ordered(list(filters), state.filters, lambda f: f.table)
    if state.external:
        return dataclasses.replace(state, tables=tables, filters=filters)
    return dataclasses.replace(live, module=state.module, tables=tables, filters=filters)


def _published(live: ir.PublishedTable, state: ir.PublishedTable | None, meaning: Meaning) -> ir.PublishedTable:
    """PostgreSQL keeps a column list as a set (printed in the table's order) and reprints a row filter."""
    if state is None:
        return live
    columns = state.columns if set(live.columns) == set(state.columns) else live.columns
    where = state.where if meaning.expr(live.where, state.where) else live.where
    return dataclasses.replace(live, columns=columns, where=where)


def column(live: ir.Column, state: ir.Column, meaning: Meaning) -> ir.Column:
    default = state.default if meaning.expr(live.default, state.default, state.sql_type) else live.default
    # An identity column is NOT NULL whether the spec says so or not.
    not_null = (
        state.not_null
        if live.not_null and state.identity is not None and live.identity == state.identity
        else live.not_null
    )
    generated = state.generated if meaning.expr(live.generated, state.generated) else live.generated
    return dataclasses.replace(
        live,
        default=default,
        not_null=not_null,
        set_by=state.set_by,
        python_type=state.python_type,
        generated=generated,
    )


def constraint(live: ir.Constraint, state: ir.Constraint, meaning: Meaning) -> ir.Constraint:
    changes: dict[str, Any] = {}
    if live.kind == state.kind == "check" and meaning.expr(live.check, state.check):
        changes["check"] = state.check
    for action in ("on_delete", "on_update"):
        if _action(getattr(live, action)) == _action(getattr(state, action)):
            changes[action] = getattr(state, action)
    if live.kind == state.kind == "exclude":  # K3 exclusion constraints: keys and predicate as the spec spells them
        if len(live.exclusion) == len(state.exclusion):
            changes["exclusion"] = tuple(
                dataclasses.replace(a, key=_key_options(element(a.key, b.key, meaning), b.key, meaning, None))
                for a, b in zip(live.exclusion, state.exclusion)
            )
        if meaning.expr(live.where, state.where):
            changes["where"] = state.where
    return dataclasses.replace(live, **changes)


def _action(action: str | None) -> str:
    return action or "no action"


def index(live: ir.Index, state: ir.Index, meaning: Meaning) -> ir.Index:
    elements = live.elements
    if len(elements) == len(state.elements):
        elements = tuple(
            _key_options(element(a, b, meaning), b, meaning, meaning.default_opclasses.get((live.name, i)))
            for i, (a, b) in enumerate(zip(live.elements, state.elements))
        )
    where = state.where if meaning.expr(live.where, state.where) else live.where
    return dataclasses.replace(live, elements=elements, where=where)


def element(live: ir.IndexElement, state: ir.IndexElement, meaning: Meaning) -> ir.IndexElement:
    same_key = (
        live.column == state.column
        if live.column is not None or state.column is not None
        else meaning.expr(live.expression, state.expression)
    )
    if live.column is not None and state.column is None:  # the spec wrote a column as an expression: `(org_id)`
        same_key = meaning.expr(live.column, state.expression)
    if not same_key or live.descending != state.descending:
        return live
    nulls = state.nulls if _nulls(live) == _nulls(state) else live.nulls
    return dataclasses.replace(live, column=state.column, expression=state.expression, nulls=nulls)


def _key_options(
    live: ir.IndexElement, state: ir.IndexElement, meaning: Meaning, default: str | None
) -> ir.IndexElement:
    """The state's spelling of the key's operator class and collation, where they are the same."""
    changes: dict[str, Any] = {}
    if meaning.opclass(live.opclass, state.opclass, default):
        changes["opclass"] = state.opclass
    if (
        live.collation is not None
        and state.collation is not None
        and meaning.opclass(live.collation, state.collation, None)
    ):
        changes["collation"] = state.collation
    return dataclasses.replace(live, **changes)


_PART = re.compile(r'"(?:[^"]|"")*"|[^."]+')


def _split(name: str) -> tuple[str | None, str]:
    """(schema or None, name) of a qualified name as SQL, unquoted."""
    parts = [p[1:-1].replace('""', '"') if p.startswith('"') else p for p in _PART.findall(name)]
    return (parts[0] if len(parts) > 1 else None), parts[-1]


def _nulls(e: ir.IndexElement) -> str:
    """Where NULLs sort: as written, or PostgreSQL's default (last ascending, first descending)."""
    return e.nulls or ("first" if e.descending else "last")


def partition(live: ir.Partition, state: ir.Partition, meaning: Meaning, key_type: str | None) -> ir.Partition:
    if live.has_own_objects or state.has_own_objects:  # K3: its own indexes and constraints, as a table's
        own = table(
            ir.Table(live.name, "", (), live.constraints, live.indexes),
            ir.Table(state.name, "", (), state.constraints, state.indexes),
            meaning,
        )
        live = dataclasses.replace(live, constraints=own.constraints, indexes=own.indexes)
    return _bounds(live, state, meaning, key_type)


def _bounds(live: ir.Partition, state: ir.Partition, meaning: Meaning, key_type: str | None) -> ir.Partition:
    if live.is_default != state.is_default:
        return live
    if live.is_list and len(live.values) == len(state.values):  # K3 list partitions: the same values, any order
        unmatched = list(state.values)
        for v in live.values:
            same = next((w for w in unmatched if v == w or meaning.bound(v, w, key_type)), None)
            if same is None:
                return live
            unmatched.remove(same)
        return dataclasses.replace(live, values=state.values)
    if live.is_default or (
        meaning.bound(live.lower, state.lower, key_type) and meaning.bound(live.upper, state.upper, key_type)
    ):
        return dataclasses.replace(live, lower=state.lower, upper=state.upper)
    return live


def policy(live: ir.Policy, state: ir.Policy, meaning: Meaning) -> ir.Policy:
    # PostgreSQL keeps only PUBLIC of a list that has it (the others are in PUBLIC already).
    same_roles = set(live.roles) == set(state.roles) or (live.roles == ("public",) and "public" in state.roles)
    roles = state.roles if same_roles else live.roles
    using = state.using if meaning.expr(live.using, state.using) else live.using
    check = state.check if meaning.expr(live.check, state.check) else live.check
    return dataclasses.replace(live, roles=roles, using=using, check=check, template=state.template)


def function(live: ir.Function, state: ir.Function, meaning: Meaning) -> ir.Function:
    changes: dict[str, Any] = {"module": state.module}
    if meaning.signature(live, state):
        changes.update(args=state.args, returns=state.returns, arg_types=state.arg_types)
    if live.body.strip() == state.body.strip():
        changes["body"] = state.body
    if live.language.lower() == state.language.lower():
        changes["language"] = state.language
    return dataclasses.replace(live, **changes)


def trigger(live: ir.Trigger, state: ir.Trigger, meaning: Meaning) -> ir.Trigger:
    events = state.events if set(live.events) == set(state.events) else live.events
    when = state.when if meaning.expr(live.when, state.when) else live.when
    return dataclasses.replace(live, events=events, when=when, sets=state.sets)


def detached(live: ir.Schema, state: ir.Schema) -> dict[Name, tuple[ir.Table, ir.Partition]]:
    """Tables of the database that are partitions in the state while their parent lacks them:
    partitions detached by hand (`ALTER TABLE ... DETACH PARTITION`), by name -> (parent, partition)."""
    live_tables = {t.name: t for t in live.tables}
    result = {}
    for t in state.tables:
        parent = live_tables.get(t.name)
        if parent is None:
            continue
        attached = {p.name for p in parent.partitions}
        for p in t.partitions:
            if p.name not in attached and p.name in live_tables and p.name not in {s.name for s in state.tables}:
                result[p.name] = (t, p)
    return result
