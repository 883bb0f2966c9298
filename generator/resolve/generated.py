"""A column's generation expression (`generated:`) and its collation (`collation:`), checked as PostgreSQL would.

GENERATED ALWAYS AS (expr) reads only the row's own columns, none of them generated, through immutable
functions: PostgreSQL refuses a sub-query, an aggregate, a window or set-returning function and the clock
("generation expression is not immutable"). A generated column takes no DEFAULT, identity or serial type.
Those mistakes are reported here, at their place, rather than by the migration. A collation applies to a
type of text only ("collations are not supported by type integer").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .. import errors, ir
from ..ir import Name
from ..pg import parsetree, sqlparse
from ..spec import model
from .defaults import AGGREGATES, SET_RETURNING
from .report import Report, Where, expression, fragment_columns

# Built-in functions PostgreSQL marks volatile or stable that a generation expression is most likely to call.
NOT_IMMUTABLE = frozenset(
    {
        "now",
        "random",
        "clock_timestamp",
        "statement_timestamp",
        "transaction_timestamp",
        "timeofday",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v4",
        "nextval",
        "currval",
        "txid_current",
        "current_setting",
        "to_char",
        "age",
    }
)
COLLATABLE = frozenset({"text", "varchar", "bpchar", "citext", "name"})


@dataclass(frozen=True)
class Generation:
    expression: str
    virtual: bool


def generation(
    column: model.Column, columns: Mapping[str, model.Column], table: Name, report: Report, where: Where
) -> Generation | None:
    """The column's generation expression (None when it has none, or when it is reported)."""
    spec = column.generated
    if spec is None:
        return None
    if isinstance(spec, model.Generated):
        text, virtual, at = spec.expression, spec.virtual, where.at("generated", "expression")
    else:
        text, virtual, at = spec, False, where.at("generated")
    before = len(report.diagnostics)
    for clash, word in (("default", "a default"), ("identity", "an identity")):
        if getattr(column, clash) is not None:
            report.error(where.at(clash), errors.SPEC_INVALID, f"a generated column cannot also have {word}")
    if virtual:
        for key in ("primary_key", "unique", "references"):
            if getattr(column, key) not in (None, False):
                report.error(
                    where.at(key),
                    errors.SQL_SHAPE,
                    f"a VIRTUAL generated column cannot be {key.replace('_', ' ')}: PostgreSQL stores no value to "
                    "index (make it STORED)",
                )
    if expression(report, text, at) is None:
        return None
    for offset, message in _shape(text):
        report.error_in_fragment(at, offset, errors.SQL_SHAPE, message)
    refs = sqlparse.expression_column_refs(text)
    read = fragment_columns(report, refs, columns, table, at)
    for ref, offset in refs:
        name = ref[-1]
        if name in read and columns[name].generated is not None:
            report.error_in_fragment(
                at,
                offset,
                errors.SQL_SHAPE,
                f'a generation expression cannot read the generated column "{name}" (PostgreSQL computes each from '
                "the row's other columns)",
            )
    return Generation(text.strip(), virtual) if len(report.diagnostics) == before else None


def _shape(text: str) -> list[tuple[int | None, str]]:
    """What a generation expression cannot hold: (offset in the text, message)."""
    start = len(sqlparse.EXPRESSION_PREFIX)
    found: list[tuple[int | None, str]] = []
    for kind, node in parsetree.walk(sqlparse.expression_json(text), lambda kind, _node: kind == "SubLink"):
        location = node.get("location")
        at = None if location is None or location < start else location - start
        if kind == "SubLink":
            found.append((at, "a generation expression cannot hold a sub-query"))
        elif kind == "SQLValueFunction":
            found.append((at, "a generation expression cannot read the clock or the session: it must be immutable"))
        elif kind == "FuncCall":
            name = parsetree.names(node["funcname"])
            last = name[-1].lower()
            if node.get("over") is not None or node.get("agg_star") or last in AGGREGATES:
                found.append((at, f"a generation expression cannot call the aggregate or window function {last}()"))
            elif last in SET_RETURNING:
                found.append((at, f"a generation expression cannot call {last}(), which returns a set of rows"))
            elif last in NOT_IMMUTABLE and (len(name) == 1 or name[0] == "pg_catalog"):
                found.append(
                    (at, f"a generation expression must be immutable: {last}() is not (the value would go stale)")
                )
    return found


def collation(column: model.Column, base: str | None, report: Report, where: Where) -> str | None:
    """The column's collation (None when it has none, or when its type takes none: reported)."""
    name = column.collation
    if name is None:
        return None
    if not name or "\x00" in name:
        report.error(where.at("collation"), errors.SPEC_INVALID, "a collation needs a name")
        return None
    if base is not None and base not in COLLATABLE:
        report.error(
            where.at("collation"),
            errors.SQL_SHAPE,
            f"a collation applies to a text type (text, varchar, char, citext), not to {column.type}",
        )
        return None
    return name


def no_virtual_keys(ix: ir.Index, columns: Mapping[str, ir.Column], report: Report, where: Where) -> None:
    """PostgreSQL 18 indexes no VIRTUAL generated column: it stores no value."""
    for e in ix.elements:
        c = columns.get(e.column) if e.column is not None else None
        if c is not None and c.virtual:
            report.error(
                where.at("columns"),
                errors.SQL_SHAPE,
                f'index {ix.name.name} cannot hold the VIRTUAL generated column "{c.name}": PostgreSQL stores no value '
                "to index (make it STORED)",
            )


def not_in_partition_key(key: tuple[str, ...], columns: Mapping[str, ir.Column], report: Report, where: Where) -> None:
    """PostgreSQL routes a row to its partition before it computes a generated column."""
    for name in key:
        c = columns.get(name)
        if c is not None and c.generated is not None:
            report.error(
                where.at("partitioning", "key"),
                errors.PARTITION,
                f'the partition key cannot hold the generated column "{name}"',
            )
