"""Triggers: declared with their table (`tables.<t>.triggers`) or in the top-level `triggers:` with `table:`.

A trigger's name is unique per table, as in PostgreSQL (pagila has
`last_updated` on 15 tables), so a trigger is known by (table, name). Besides
the spec's own functions, a trigger may call an external one that returns
trigger, or one PostgreSQL provides (pg/triggerfunctions.py), whose rules
PostgreSQL checks only when the trigger fires and schemagen checks here.
What PostgreSQL refuses in CREATE TRIGGER itself (transition tables with more
than one event or a column list, OLD TABLE on an INSERT trigger, ...) is
refused at its key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .. import errors, ir
from ..ir import Name, names
from ..pg import datatypes, sqlparse
from ..pg import triggerfunctions as builtins
from ..spec import model
from ..spec.loader import LoadedFile
from . import columnrefs, routines
from .registry import Registry
from .report import Report, Where, expression, ident


@dataclass(frozen=True)
class _Declared:
    name: str
    spec: model.TableTrigger
    table: Name
    where: Where
    table_at: Where | None  # its `table:` key, in the top-level form


def _declared(files: list[LoadedFile]) -> Iterator[_Declared]:
    """Every trigger of every file, the top-level ones of a file first, then those under its tables."""
    for f in files:
        for key, t in f.spec.triggers.items():
            where = Where(f.pos, ("triggers", key))
            yield _Declared(key, t, names.split(t.table), where, where.at("table"))
        for table_key, table in f.spec.tables.items():
            for key, tt in table.triggers.items():
                yield _Declared(
                    key, tt, names.split(table_key), Where(f.pos, ("tables", table_key, "triggers", key)), None
                )


def triggers(
    files: list[LoadedFile], tables: Mapping[Name, ir.Table], registry: Registry, report: Report
) -> list[ir.Trigger]:
    """The triggers of every file (`tables`: the tables resolved), each (table, name) once."""
    result = []
    first: dict[tuple[Name, str], Where] = {}
    for d in _declared(files):
        taken = first.setdefault((d.table, d.name), d.where)
        if taken is not d.where:
            line = taken.pos.at(taken.path, key=True)[0]
            report.error(
                d.where,
                errors.DUPLICATE_NAME,
                f'trigger "{d.name}" is defined twice on {d.table.display} (first at {taken.pos.file}:{line})',
                key=True,
            )
            continue
        trigger = _trigger(d, tables.get(d.table), registry, report)
        if trigger is not None:
            result.append(trigger)
            report.origin(("trigger", d.table, d.name), d.where, d.spec.lint)
    return result


def _trigger(d: _Declared, table: ir.Table | None, registry: Registry, report: Report) -> ir.Trigger | None:
    t, at = d.spec, d.where.at
    ok = ident(report, d.name, d.where, "trigger name")
    external = registry.external_tables.get(d.table)  # a table made elsewhere that the spec attaches a trigger to
    if d.table not in registry.tables and external is None:
        written = t.table if isinstance(t, model.Trigger) else d.table.display
        report.error(
            d.table_at or d.where,
            errors.UNKNOWN_TABLE,
            f'trigger on unknown table "{written}" (declare it under tables or external.tables)',
        )
        ok = False
    function, builtin, overloads = _function(t.function, registry)
    if len(overloads) > 1:
        routines.ambiguous(report, at("function"), t.function, overloads)
        function, ok = None, False
    elif function is None:
        report.error(at("function"), errors.UNKNOWN_FUNCTION, f'trigger calls unknown function "{t.function}"')
        ok = False
    elif builtin is None and not _returns_trigger(function, overloads, registry):
        report.error(at("function"), errors.SQL_SHAPE, f'function "{t.function}" does not return trigger')
        ok = False
    if "truncate" in t.events and t.for_each == "row":
        report.error(at("events"), errors.SQL_SHAPE, "TRUNCATE triggers must be `for_each: statement`")
        ok = False
    columns = None if table is None else {c.name: c for c in table.columns}
    if columns is None and external is not None:
        columns = {c.name: c for c in external.columns}  # the columns it declares
    if columns is not None:
        for i, col in enumerate(t.sets):
            ok &= _known_column(report, col, columns, d.table, at("sets", i))
    ok &= _update_of(d, columns, report)
    ok &= _transition_tables(d, table, report)
    if builtin is not None:
        ok &= _builtin_call(d, builtin, columns, report)
    when = None
    if t.when is not None:
        if expression(report, t.when, at("when")) is None:
            ok = False
        elif (declared := registry.table_columns(d.table)) is not None:
            known = frozenset(declared)
            for problem in columnrefs.trigger_when(
                sqlparse.expression_json(t.when), d.table, known, tuple(t.events), t.for_each == "row"
            ):
                report.error_in_fragment(at("when"), problem.offset, problem.code, problem.message)
                ok = False
        when = t.when.strip()
    if not ok or function is None:
        return None
    ref = t.referencing
    return ir.Trigger(
        d.name,
        d.table,
        t.timing,
        tuple(t.events),
        t.for_each,
        function,
        when,
        tuple(t.sets),
        t.comment,
        update_of=tuple(t.update_of),
        old_table=None if ref is None else ref.old_table,
        new_table=None if ref is None else ref.new_table,
        args=tuple(t.args),
    )


def _function(
    text: str, registry: Registry
) -> tuple[Name | None, builtins.TriggerFunction | None, list[ir.FunctionKey]]:
    """The function a trigger calls: a spec one (by name, or signature among overloads: the one taking no arguments,
    as a trigger function does) or an external one, else a built-in one (unqualified: pg_catalog's, as PostgreSQL
    finds it); (None, None, []) when there is none. The spec overloads it may name, when more than one."""
    name, found = routines.find(text, registry)
    if len(found) > 1:
        found = [k for k in found if not k[1]] or found
    if len(found) == 1:
        return found[0][0], None, found
    if found:
        return None, None, found
    if "(" not in text and name in registry.external_functions:
        return name, None, []
    builtin = builtins.builtin(name.schema, name.name, qualified="." in text)
    if "(" not in text and builtin is not None:
        return Name(builtins.SCHEMA, builtin.name), builtin, []
    return None, None, []


def _returns_trigger(name: Name, overloads: list[ir.FunctionKey], registry: Registry) -> bool:
    spec = registry.functions.get(overloads[0]) if overloads else None
    returns = spec.spec.returns if spec is not None else registry.external_functions[name].returns
    return returns.strip().lower() == "trigger"


def _known_column(report: Report, col: str, columns: Mapping[str, ir.Column], table: Name, where: Where) -> bool:
    if col in columns:
        return True
    report.error(where, errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table.display}')
    return False


def _update_of(d: _Declared, columns: Mapping[str, ir.Column] | None, report: Report) -> bool:
    """`UPDATE OF` columns: with the update event, each known and once (PostgreSQL refuses a column twice)."""
    t, at = d.spec, d.where.at
    if not t.update_of:
        return True
    ok = True
    if "update" not in t.events:
        report.error(at("update_of"), errors.SQL_SHAPE, "`update_of` needs the update event")
        ok = False
    seen: set[str] = set()
    for i, col in enumerate(t.update_of):
        if col in seen:
            report.error(at("update_of", i), errors.DUPLICATE_NAME, f'column "{col}" is listed twice in update_of')
            ok = False
        seen.add(col)
        if columns is not None:
            ok &= _known_column(report, col, columns, d.table, at("update_of", i))
    return ok


def _transition_tables(d: _Declared, table: ir.Table | None, report: Report) -> bool:
    """`REFERENCING OLD TABLE AS o NEW TABLE AS n`, as PostgreSQL's CREATE TRIGGER takes it."""
    t, ref = d.spec, d.spec.referencing
    if ref is None:
        return True
    where = d.where.at("referencing")
    problems = []
    if ref.old_table is None and ref.new_table is None:
        problems.append("`referencing` needs old_table or new_table")
    if t.timing != "after":
        problems.append("transition tables are for AFTER triggers")
    if len(t.events) > 1:
        problems.append("transition tables cannot be given to a trigger of more than one event")
    if t.update_of:
        problems.append("transition tables cannot be given to a trigger with `update_of`")
    if ref.old_table is not None and not {"update", "delete"} & set(t.events):
        problems.append("old_table is for an UPDATE or DELETE trigger")
    if ref.new_table is not None and not {"insert", "update"} & set(t.events):
        problems.append("new_table is for an INSERT or UPDATE trigger")
    if ref.old_table is not None and ref.old_table == ref.new_table:
        problems.append("old_table and new_table cannot have the same name")
    if table is not None and table.partition_by is not None and t.for_each == "row":
        problems.append(
            "a row trigger on a partitioned table cannot have transition tables (use `for_each: statement`)"
        )
    for problem in problems:
        report.error(where, errors.SQL_SHAPE, problem)
    ok = not problems
    for part in ("old_table", "new_table"):
        value = getattr(ref, part)
        if value is not None:
            ok &= ident(report, value, where.at(part), "transition table name")
    return ok


def _builtin_call(
    d: _Declared, fn: builtins.TriggerFunction, columns: Mapping[str, ir.Column] | None, report: Report
) -> bool:
    """A built-in trigger function called as it must be (PostgreSQL would only say so when the trigger fires)."""
    t, at = d.spec, d.where.at
    problems = []
    if t.timing != fn.timing:
        problems.append(f"{fn.name} must be fired {fn.timing.upper()}")
    if t.for_each != fn.level:
        problems.append(f"{fn.name} must be fired for each {fn.level}")
    if not set(t.events) <= fn.events:
        problems.append(f"{fn.name} must be fired for {fn.events_text} only")
    for problem in problems:
        report.error(at("function"), errors.SQL_SHAPE, problem)
    ok = not problems
    if len(t.args) < len(fn.args) or (fn.more is None and len(t.args) > len(fn.args)):
        wanted = ", ".join(fn.args) + (", ..." if fn.more else "")
        report.error(
            at("args") if t.args else at("function"), errors.SQL_SHAPE, f"{fn.name} takes: {wanted or 'no arguments'}"
        )
        return False
    for i, arg in enumerate(t.args):
        kind = fn.args[i] if i < len(fn.args) else fn.more
        if kind == builtins.CONFIGURATION:
            if "." not in arg:
                report.error(
                    at("args", i),
                    errors.SQL_SHAPE,
                    f'text search configuration "{arg}" must be schema-qualified, e.g. pg_catalog.{arg}',
                )
                ok = False
            continue
        if columns is None or kind is None:
            continue
        column = columns.get(arg)
        if column is None:
            ok &= _known_column(report, arg, columns, d.table, at("args", i))
            continue
        types = builtins.COLUMN_TYPES[kind]
        if types is not None and not _of_types(column, types):
            report.error(
                at("args", i), errors.SQL_SHAPE, f'{fn.name}: column "{arg}" is {column.sql_type}, not a {kind}'
            )
            ok = False
    return ok


def _of_types(column: ir.Column, types: frozenset[str]) -> bool:
    """Whether `column` may be of one of `types` (a type schemagen does not know, e.g. an extension's, is left to
    PostgreSQL)."""
    if column.array_dims or column.base == "enum":
        return False
    return column.base in types or column.base not in datatypes.BASE_TYPES


def with_trigger_columns(tables: dict[Name, ir.Table], triggers: list[ir.Trigger]) -> dict[Name, ir.Table]:
    """The tables, each column that a trigger computes (`sets:`) marked with its triggers."""
    by_table: dict[Name, dict[str, list[str]]] = {}
    for trg in triggers:
        for col in trg.sets:
            by_table.setdefault(trg.table, {}).setdefault(col, []).append(trg.name)
    result = dict(tables)
    for tname, cols in by_table.items():
        table = tables.get(tname)
        if table is None:  # the table did not resolve: its errors are what the user needs to see
            continue
        new_cols = tuple(
            ir.Column(**{**c.__dict__, "set_by": tuple(cols[c.name])}) if c.name in cols else c for c in table.columns
        )
        result[tname] = ir.Table(**{**table.__dict__, "columns": new_cols})
    return result
