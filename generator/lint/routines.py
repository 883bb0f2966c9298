"""Rules about functions (funcs5): a SECURITY DEFINER function that hands out rows past row level security."""

from __future__ import annotations

from collections.abc import Iterator

from .. import ir
from ..ir import Name
from ..pg import sqlparse
from .context import Context
from .findings import WARNING, Finding
from .registry import rule


def _result_table(f: ir.Function) -> tuple[str | None, str] | None:
    """The relation a function returns rows of (`SETOF t`, `t`), as written; None for any other result."""
    words = f.returns.split()
    if not words or f.kind != "function":
        return None
    name = words[-1] if len(words) <= 2 and (len(words) == 1 or words[0].upper() == "SETOF") else None
    if name is None or "(" in name:
        return None
    schema, _, rel = name.rpartition(".")
    return (schema or None, rel)


def _rls_tables(ctx: Context, f: ir.Function) -> list[Name]:
    """The spec tables with row level security (and not forced on their owner) whose rows the function reads or
    returns: its result type, and what a LANGUAGE sql body names (along its search_path)."""
    rls = {t.name for t in ctx.schema.tables if t.row_level_security and not t.force_row_level_security}
    named: set[tuple[str | None, str]] = set()
    result = _result_table(f)
    if result is not None:
        named.add(result)
    if f.language == "sql":
        named |= sqlparse.sql_body_uses(f.body).relations
    path = [s for s in (f.search_path or ("public",)) if s != "pg_catalog"] or ["public"]
    found = []
    for schema, rel in named:
        for candidate in [schema] if schema is not None else path:
            if Name(candidate, rel) in rls:
                found.append(Name(candidate, rel))
                break
    return sorted(set(found), key=str)


@rule(
    "S116",
    "definer-function-reads-rls-table",
    WARNING,
    why="A SECURITY DEFINER function runs with its owner's rights, and the owner of a table is not subject to its "
    "row level security (unless it is forced): a caller gets, through the function, the rows the policies hide "
    "from them.",
    hint="make the function `security: invoker`, filter its rows by the caller itself (auth.uid()), or set "
    "`force_row_level_security: true` on the table",
)
def definer_reads_rls_table(ctx: Context) -> Iterator[Finding]:
    for f in ctx.schema.functions:
        if f.security != "definer":
            continue
        tables = _rls_tables(ctx, f)
        if tables:
            yield ctx.finding(
                "S116",
                ("function", f.key),
                ctx.function_label(f),
                f"SECURITY DEFINER function reads {', '.join(str(t) for t in tables)} (row level security) with its "
                "owner's rights",
            )
