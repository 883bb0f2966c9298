"""Functions (triggers: triggers.py)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from .. import errors, ir
from ..ir import Name, names
from ..pg import sqlparse
from ..spec import model
from .registry import Entry, Registry
from .report import Report, Where, ident
from .types import canonical_arg


def function(
    key: ir.FunctionKey, entry: Entry[model.Function], report: Report, *, procedure: bool = False
) -> ir.Function | None:
    name = key[0]
    f, at = entry.spec, entry.where.at
    why = names.plain_problem(f.language)
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
        shape, _ = sqlparse.function(name.name, f.args, f.returns, f.language, body, tag, procedure=procedure)
    except sqlparse.FragmentError as exc:
        report.sql_error(at(exc.part), exc)
        return None
    ok = True
    if f.search_path is not None:
        for i, s in enumerate(f.search_path):
            ok &= ident(report, s, at("search_path", i), "search_path schema")
    settings = _settings(getattr(f, "set", {}), at, report)
    if not ok or settings is None:
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
        parallel=f.parallel,
        leakproof=f.leakproof,
        cost=f.cost,
        rows=f.rows,
        settings=settings,
    )


_SETTING = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?")


def _settings(
    given: dict[str, str | int | float], at: Callable[..., Where], report: Report
) -> tuple[tuple[str, str], ...] | None:
    """SET name = value of a function (aggs6), in order: a parameter name (`work_mem`, `app.tenant`), the value as
    text; search_path has its own field."""
    result = []
    for name, value in given.items():
        if name == "search_path" or not _SETTING.fullmatch(name):
            why = "has its own field, search_path:" if name == "search_path" else "is not a parameter name"
            report.error(at("set", name), errors.SPEC_INVALID, f'"{name}" {why} (e.g. work_mem)', key=True)
            return None
        result.append((name, str(value)))
    return tuple(result)  # in the order written: PostgreSQL keeps it (proconfig, pg_dump)


def procedure(key: ir.FunctionKey, entry: Entry[model.Function], report: Report) -> ir.Function | None:
    """A procedure: resolved as a function returning void would be (its body parsed), then without a result."""
    f = function(key, entry, report, procedure=True)
    return None if f is None else dataclasses.replace(f, returns="", kind="procedure")


def signature(key: ir.FunctionKey, registry: Registry) -> str | None:
    """How a grant names spec function `key`: `schema.name(types)`; None when it does not parse (reported where the
    function is resolved)."""
    name = key[0]
    fn = registry.functions[key].spec
    try:
        shape, _ = sqlparse.function(
            name.name, fn.args, fn.returns, fn.language, fn.body + "\n", "$sig$", procedure=key in registry.procedures
        )  # a procedure's INOUT argument is an input (aggs6: grants on procedures)
    except sqlparse.FragmentError:
        return None
    return f"{name.q}({', '.join(canonical_arg(t) for t in shape.arg_types)})"


def find(text: str, registry: Registry) -> tuple[Name, list[ir.FunctionKey]]:
    """The spec functions a reference names: `name` (each overload of that name) or `name(types)` (that one);
    with the name written. A signature that is not one names nothing."""
    head, paren, rest = text.partition("(")
    if not paren:
        name = names.split(text.strip())
        return name, registry.overloads(name)
    name = names.split(head.strip())
    written = rest.rstrip()[:-1] if rest.rstrip().endswith(")") else None
    types = None if written is None else sqlparse.argument_types(written)
    if types is None:
        return name, []
    key = (name, tuple(canonical_arg(t) for t in types))
    return name, [key] if key in registry.functions else []


def ambiguous(report: Report, where: Where, text: str, keys: list[ir.FunctionKey]) -> None:
    """Report a plain name that several overloads share (E160), listing their signatures."""
    labels = ", ".join(f"{k[0].display}({', '.join(k[1])})" for k in keys)
    report.error(
        where, errors.AMBIGUOUS_FUNCTION, f'"{text}" names {len(keys)} overloads ({labels}): write the signature'
    )
