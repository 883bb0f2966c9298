"""Functions (triggers: triggers.py)."""

from __future__ import annotations

from .. import errors, ir
from ..ir import Name, names
from ..pg import sqlparse
from ..spec import model
from .registry import Entry, Registry
from .report import Report, ident
from .types import canonical_arg


def function(name: Name, entry: Entry[model.Function], report: Report) -> ir.Function | None:
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
