"""Spec models -> IR: resolve every reference, parse every SQL fragment, check every name.

The passes, in order (each a function of what the ones before returned):

1. registry.collect: every name the spec defines or declares external, as data;
2. tables.table, one table at a time: columns, constraints, partitions, indexes;
   registry.check_namespaces: names taken twice among all of them;
3. policies.policies: every table's policies (own and from templates);
4. foreign_keys.check_targets: each foreign key's target, now that every table is known;
5. routines.function, triggers.triggers, grants.grants;
6. triggers.with_trigger_columns: columns computed by triggers marked;
7. intent.intent: renames and confirmed destructive changes;
8. tenancy.tenancy: how a user belongs to a tenant, and each table's tenant column.

Every pass reports into one `Report`: the diagnostics, each at the YAML that
caused it, and the origins (where each IR object is written, for the stages
after this one: spec/origins.py). The IR is returned only when there is no
diagnostic.
"""

from __future__ import annotations

import dataclasses

from .. import errors, ir
from ..spec import loader
from ..spec.config import Settings
from ..spec.loader import LoadedFile
from ..spec.origins import Origins
from . import (
    aggregates,
    event_triggers,
    extensions,
    foreign_keys,
    grants,
    indexes,
    intent,
    partition_objects,
    policies,
    publications,
    registry,
    replication,
    routines,
    rows,
    sequences,
    tables,
    tenancy,
    timeparts,
    triggers,
    usertypes,
    versions,
    views,
)
from .report import Report

__all__ = ["load", "load_located", "load_schema", "resolve", "resolve_with_origins"]


def resolve_with_origins(files: list[LoadedFile]) -> tuple[ir.Schema, Origins]:
    """The IR, and where each of its objects is written in the spec."""
    report = Report()
    known = registry.collect(files, report)
    installed, external_types, other_types, type_claims = extensions.collect(files, known.schemas, report)
    own_types = usertypes.names(files, known.schemas, report)  # types5: domains, composite and range types
    other_types = {**other_types, **own_types}
    made_types = usertypes.collect(files, known.enums, other_types, own_types, report)
    type_claims = [*type_claims, *made_types.claims]
    installed_names = frozenset(e.name for e in installed)
    built = [
        tables.table(name, entry, known, report, other_types, installed_names) for name, entry in known.tables.items()
    ]
    built_views = views.views(files, known, {b.table.name: b.table for b in built if b.table is not None}, report)
    declared_sequences, sequence_claims = sequences.collect(files, report)
    registry.check_namespaces(
        [*known.claims, *sequence_claims, *type_claims, *(c for b in built for c in b.claims), *built_views.claims],
        report,
    )
    policies_of = policies.policies(known, report)
    resolved = {
        b.table.name: dataclasses.replace(b.table, policies=policies_of[b.table.name])
        for b in built
        if b.table is not None
    }
    resolved = {n: replication.replica_identity(t, known.tables[n], report) for n, t in resolved.items()}
    foreign_keys.check_targets(resolved, known, report)
    partition_objects.check_targets(resolved, known, report)  # K3: a partition's own foreign keys
    functions = [
        (routines.procedure if key in known.procedures else routines.function)(key, entry, report)
        for key, entry in known.functions.items()
    ]
    functions += timeparts.functions(resolved, known, report)
    declared_triggers = triggers.triggers(files, resolved, known, report)
    declared_event_triggers = event_triggers.event_triggers(files, known, report)
    declared_aggregates = [aggregates.aggregate(key, entry, known, report) for key, entry in known.aggregates.items()]
    made = sequences.all_sequences(
        {n: sequences.sequence(n, e, known, report) for n, e in declared_sequences.items()},
        (s for b in built for s in b.serials),
    )
    sequence_names = {s for b in built for s in b.sequences} | {s.name for s in made}
    sequences.check_uses((u for b in built for u in b.sequence_uses), sequence_names, report)
    partitions = {p for b in built for p in b.partitions} | {v.name for v in built_views.views}  # grant targets
    relation_columns = grants.relation_columns(resolved, known, built_views.views)  # privileges K5: column grants
    granted = [g for f in files for g in grants.grants(f, known, sequence_names, partitions, report, relation_columns)]
    revoked = [r for f in files for r in grants.revokes(f, known, sequence_names, partitions, report)]
    defaults = [d for f in files for d in grants.default_privileges(f, known, report)]
    resolved = triggers.with_trigger_columns(resolved, declared_triggers)
    resolved = _with_rows(resolved, known, report)
    declared = intent.intent(files, report)
    tenants = tenancy.tenancy(files, known, resolved, report)
    published = publications.publications(files, known, report)
    attached = tuple(  # the external tables, with what the spec attaches to them
        dataclasses.replace(
            t,
            policies=policies_of.get(t.name, ()),
            rows=_external_rows(t, known, report),
            indexes=_external_indexes(t, known, report),
        )
        for t in known.external_tables.values()
    )
    if report.diagnostics:
        raise errors.SpecError(report.diagnostics)
    assert known.migration is not None
    schema = ir.Schema(
        version=known.migration.version,
        name=known.migration.name,
        modules=tuple(ir.Module(f.module, f.source, f.spec.description) for f in files),
        enums=tuple(known.enums.values()),
        tables=tuple(resolved.values()),
        functions=tuple(f for f in functions if f is not None),
        triggers=tuple(declared_triggers),
        grants=tuple(granted),
        external=ir.External(
            roles=tuple(sorted(known.roles - {"public"})),
            schemas=tuple(sorted(known.schemas - registry.BUILTIN_SCHEMAS - known.namespaces.keys())),
            tables=attached,
            functions=tuple(known.external_functions.values()),
            types=external_types,
        ),
        intent=declared,
        tenancy=tenants,
        schemas=tuple(known.namespaces.values()),
        views=tuple(built_views.views),
        sequences=made,
        extensions=installed,
        domains=made_types.domains,
        composite_types=made_types.composites,
        range_types=made_types.ranges,
        revokes=tuple(revoked),
        default_privileges=tuple(defaults),
        publications=published,
        event_triggers=tuple(declared_event_triggers),
        aggregates=tuple(a for a in declared_aggregates if a is not None),
    )
    return extensions.with_operator_classes(schema), report.origins


def _with_rows(tables: dict[ir.Name, ir.Table], known: registry.Registry, report: Report) -> dict[ir.Name, ir.Table]:
    """The tables, each with its seed rows (`rows:`)."""
    result = dict(tables)
    for name, t in tables.items():
        entry = known.tables[name]
        if entry.spec.rows is None:
            continue
        keys = [c.columns for c in t.constraints if c.kind in ("primary_key", "unique")]
        seeded = rows.seed_rows(name, entry.spec.rows, t.columns, keys, known.enums, report, entry.where.at("rows"))
        report.origin(("rows", name), entry.where.at("rows"))
        result[name] = dataclasses.replace(t, rows=seeded)
    return result


def _external_rows(t: ir.ExternalTable, known: registry.Registry, report: Report) -> ir.SeedRows | None:
    entry = known.external_entries.get(t.name)
    if entry is None or entry.spec.rows is None:
        return None
    keys = [t.primary_key, *t.unique] if t.primary_key else list(t.unique)
    where = entry.where.at("rows")
    report.origin(("rows", t.name), where)
    return rows.seed_rows(t.name, entry.spec.rows, t.columns, keys, known.enums, report, where, external=True)


def _external_indexes(t: ir.ExternalTable, known: registry.Registry, report: Report) -> tuple[ir.Index, ...]:
    """The spec's indexes on a table made elsewhere, over the columns it declares (funcs5)."""
    entry = known.external_entries.get(t.name)
    if entry is None:
        return ()
    typed = {c.name: c for c in t.columns}
    built = (
        indexes.index(t.name, key, ix, typed, tuple(typed), (), report, entry.where.at("indexes", key))
        for key, ix in entry.spec.indexes.items()
    )
    return tuple(ix for ix in built if ix is not None)


def resolve(files: list[LoadedFile]) -> ir.Schema:
    return resolve_with_origins(files)[0]


def load(settings: Settings) -> tuple[ir.Schema, list[LoadedFile], Origins]:
    """The spec directory read and resolved: the IR, the files, and where each object is written."""
    files = loader.load_dir(settings.spec_dir, settings.root)
    schema, origins = resolve_with_origins(files)
    versions.check(schema, origins, settings.postgres_version)
    return schema, files, origins


def load_schema(settings: Settings) -> tuple[ir.Schema, list[str]]:
    """The IR and the spec files' names."""
    schema, files, _origins = load(settings)
    return schema, [f.source for f in files]


def load_located(settings: Settings) -> tuple[ir.Schema, Origins, list[str]]:
    """The IR, where each of its objects is written in the spec, and the spec files' names."""
    schema, files, origins = load(settings)
    return schema, origins, [f.source for f in files]
