"""Functions and triggers."""

from __future__ import annotations

from collections.abc import Mapping

from .. import errors, ir
from ..ir import Name, names
from ..pg import sqlparse
from ..spec import model
from ..spec.loader import LoadedFile
from . import columnrefs
from .registry import Entry, Registry
from .report import Report, Where, expression, ident
from .types import canonical_arg


def function(name: Name, entry: Entry[model.Function], report: Report) -> ir.Function | None:
    f, at = entry.spec, entry.where.at
    why = names.problem(f.language)
    if why:  # it is printed bare after LANGUAGE, so it must be a plain name
        report.error(at("language"), errors.SPEC_BAD_IDENTIFIER, f"language {why}")
        return None
    body = f.body if f.body.endswith("\n") else f.body + "\n"
    tag = "$$"
    n = 0
    while tag in body:
        n += 1
        tag = f"$body{n}$"
    try:
        shape, _ = sqlparse.function(name.name, f.args, f.returns, f.language, body, tag)
    except sqlparse.FragmentError as exc:
        report.sql_error(at(exc.part), exc)
        return None
    ok = True
    if f.search_path is not None:
        for i, s in enumerate(f.search_path):
            ok &= ident(report, s, at("search_path", i), "search_path schema")
    if not ok:
        return None
    return ir.Function(
        name,
        entry.module,
        f.args.strip(),
        tuple(canonical_arg(t) for t in shape.arg_types),
        f.returns.strip(),
        f.language,
        body,
        f.volatility,
        f.security,
        f.strict,
        tuple(f.search_path) if f.search_path is not None else None,
        shape.returns_trigger,
        f.comment,
    )


def signature(name: Name, registry: Registry) -> str | None:
    """How a grant names spec function `name`: `schema.name(types)`; None when it does not parse (reported where the
    function is resolved)."""
    fn = registry.functions[name].spec
    try:
        shape, _ = sqlparse.function(name.name, fn.args, fn.returns, fn.language, fn.body + "\n", "$sig$")
    except sqlparse.FragmentError:
        return None
    return f"{name.q}({', '.join(canonical_arg(t) for t in shape.arg_types)})"


def triggers(f: LoadedFile, tables: Mapping[Name, ir.Table], registry: Registry, report: Report) -> list[ir.Trigger]:
    """The triggers of one file (`tables`: the tables resolved)."""
    result = []
    seen: set[tuple[Name, str]] = set()
    for key, t in f.spec.triggers.items():
        where = Where(f.pos, ("triggers", key))
        at = where.at
        ok = ident(report, key, where, "trigger name")
        table_name = names.split(t.table)
        # a spec table's columns, or an external table's declared ones (a trigger the spec attaches to it)
        columns = registry.table_columns(table_name)
        if columns is None:
            report.error(
                at("table"),
                errors.UNKNOWN_TABLE,
                f'trigger on unknown table "{t.table}" (declare it under tables or external.tables)',
            )
            ok = False
        fn_name = names.split(t.function)
        fn = registry.functions.get(fn_name)
        if fn is None:
            report.error(at("function"), errors.UNKNOWN_FUNCTION, f'trigger calls unknown function "{t.function}"')
            ok = False
        elif fn.spec.returns.strip().lower() != "trigger":
            report.error(at("function"), errors.SQL_SHAPE, f'function "{t.function}" does not return trigger')
            ok = False
        if (table_name, key) in seen:
            report.error(where, errors.DUPLICATE_NAME, f'trigger "{key}" is defined twice on {t.table}', key=True)
        seen.add((table_name, key))
        if columns is not None:
            for i, col in enumerate(t.sets):
                if col not in columns:
                    report.error(
                        at("sets", i), errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table_name.display}'
                    )
                    ok = False
        when = None
        if t.when is not None:
            if expression(report, t.when, at("when")) is None:
                ok = False
            elif columns is not None:
                for problem in columnrefs.trigger_when(
                    sqlparse.expression_json(t.when),
                    table_name,
                    frozenset(columns),
                    tuple(t.events),
                    t.for_each == "row",
                ):
                    report.error_in_fragment(at("when"), problem.offset, problem.code, problem.message)
                    ok = False
            when = t.when.strip()
        if "truncate" in t.events and t.for_each == "row":
            report.error(at("events"), errors.SQL_SHAPE, "TRUNCATE triggers must be `for_each: statement`")
            ok = False
        if ok:
            result.append(
                ir.Trigger(
                    key, table_name, t.timing, tuple(t.events), t.for_each, fn_name, when, tuple(t.sets), t.comment
                )
            )
            report.origin(("trigger", table_name, key), where, t.lint)
    return result


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
