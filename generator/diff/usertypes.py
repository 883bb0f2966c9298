"""Domains, composite types and range types (types5): created, changed in place where PostgreSQL can, dropped.

- a domain: DEFAULT and NOT NULL set or dropped (ALTER DOMAIN); a new CHECK (or one whose expression changes) is
  added NOT VALID and validated in the last transaction, after a precheck that names the rows of every column of the
  domain it would refuse (a new NOT NULL likewise); a CHECK removed is dropped. Its base type or collation cannot
  change (E064: PostgreSQL has no ALTER DOMAIN for them).
- a composite type: attributes added, dropped (confirmed: `drop attribute T.A`, the values in every column of the
  type go) or given another type while no column uses the type (ALTER TYPE ... ATTRIBUTE); a new order is E064.
- a range type: created and dropped only; any other change is E064 (PostgreSQL cannot alter its subtype or
  functions).

A type the spec no longer has is dropped after every column that used it has changed (the spec has none left:
resolve refuses a column of an unknown type). Renames (`renamed_from`) are carried out by renames.py with `rename`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from .. import errors, ir
from ..ir import Name
from ..ir.names import make_object_name
from ..pg import quoting
from ..sql.views import Object
from ..templating import environment
from . import prechecks
from . import statements as st
from .context import Context
from .model import Phase
from .steps import Steps


@dataclass(frozen=True)
class DomainDefault:
    name: str
    default: str | None
    template: ClassVar[str] = "diff/domain_default"


@dataclass(frozen=True)
class DomainNotNull:
    name: str
    not_null: bool
    template: ClassVar[str] = "diff/domain_not_null"


@dataclass(frozen=True)
class DomainAddCheck:
    name: str
    constraint: str
    check: str
    template: ClassVar[str] = "diff/domain_add_check"


@dataclass(frozen=True)
class DomainDropConstraint:
    name: str
    constraint: str
    template: ClassVar[str] = "diff/domain_drop_constraint"


@dataclass(frozen=True)
class DomainValidate:
    name: str
    constraint: str
    template: ClassVar[str] = "diff/domain_validate"


@dataclass(frozen=True)
class DomainRenameConstraint:
    name: str
    constraint: str
    new: str
    template: ClassVar[str] = "diff/domain_rename_constraint"


@dataclass(frozen=True)
class TypeAttribute:
    name: str
    action: str  # "add" | "drop" | "alter"
    attribute: str
    type: str = ""
    template: ClassVar[str] = "diff/type_attribute"


DROPPED = "The spec no longer has it, nor a column of it: no row holds a value of it."


def keeps_values(ctx: Context, c0: ir.Column, c1: ir.Column) -> bool:
    """Whether a column moves between a domain and its base type (either way, arrays alike): every value stays as
    it is; one that breaks the domain's constraints is named by a precheck (`_into_domains`), never changed."""
    if c0.array_dims != c1.array_dims:
        return False
    new = {d.name.q: d for d in ctx.new.domains}
    old = {d.name.q: d for d in ctx.old.domains}
    into = new.get(_element(c1.sql_type))
    out_of = old.get(_element(c0.sql_type))
    return (into is not None and into.sql_type == _element(c0.sql_type)) or (
        out_of is not None and out_of.sql_type == _element(c1.sql_type)
    )


def _into_domains(ctx: Context, out: Steps) -> None:
    """The prechecks of columns that take a domain over their type: the rows its CHECKs or NOT NULL refuse."""
    domains = {d.name.q: d for d in ctx.new.domains}
    for table, columns in sorted(ctx.retyped.items(), key=lambda item: str(item[0])):
        t0, t1 = ctx.old_tables.get(table), ctx.new_tables.get(table)
        if t0 is None or t1 is None:
            continue
        for name in sorted(columns):
            c0, c1 = t0.column(name), t1.column(name)
            d = domains.get(_element(c1.sql_type)) if c1 is not None else None
            if c0 is None or c1 is None or d is None or c1.array_dims or not keeps_values(ctx, c0, c1):
                continue
            for check in d.checks:
                _stop_column(ctx, out, t0, c0, d, check.check, f"CHECK {check.name}")
            if d.not_null:
                _stop_column(ctx, out, t0, c0, d, None, "NOT NULL")


def diff(ctx: Context) -> Steps:
    out = Steps(ctx=ctx)
    _into_domains(ctx, out)
    _domains(ctx, out)
    _composites(ctx, out)
    _ranges(ctx, out)
    return out


def _domains(ctx: Context, out: Steps) -> None:
    old = {d.name: d for d in ctx.old.domains}
    for d in ctx.new.domains:
        before = old.get(d.name)
        if before is None:
            out.add(
                out.build(("domain", d.name)),
                st.create(ctx.new_nodes[("domain", d.name)].payload),
                notes=("A new domain: no column uses it yet, so its constraints check no rows now.",)
                if d.checks
                else (),
                ignore=("ban-create-domain-with-constraint",),
            )
            out.change(f"create domain {d.name.display}")
            continue
        _alter_domain(ctx, out, before, d)
    new = {d.name for d in ctx.new.domains}
    for d in ctx.old.domains:
        if d.name not in new:
            out.add(
                out.release(("domain", d.name)),
                st.Drop(Object("domain", d.name.q)),
                notes=(DROPPED,),
                ignore=("ban-drop-domain",),
            )
            out.change(f"drop domain {d.name.display}")


def _alter_domain(ctx: Context, out: Steps, old: ir.Domain, new: ir.Domain) -> None:
    name, q = new.name, new.name.q
    if (old.sql_type, old.collation) != (new.sql_type, new.collation):
        what = "base type" if old.sql_type != new.sql_type else "collation"
        out.refuse(
            errors.UNSUPPORTED_CHANGE,
            f"domain {name.display}: its {what} changes ({old.sql_type if what == 'base type' else old.collation} -> "
            f"{new.sql_type if what == 'base type' else new.collation}), which PostgreSQL cannot alter: declare a new "
            "domain, move the columns to it, then drop this one",
            "domain",
            name,
        )
        return
    node = out.build(("domain", name))
    if old.default != new.default:
        out.add(
            node,
            DomainDefault(q, new.default),
            notes=("A catalog change: rows keep their values.",),
            ignore=("ban-drop-default",) if new.default is None else (),
        )
        out.change(f"{'drop' if new.default is None else 'set'} the default of domain {name.display}")
    before = {c.name: c for c in old.checks}
    after = {c.name: c for c in new.checks}
    for c in old.checks:
        if c.name not in after or after[c.name].check != c.check:
            out.add(node, DomainDropConstraint(q, c.q), ignore=("ban-drop-constraint",))
            if c.name not in after:
                out.change(f"drop constraint {c.name} of domain {name.display}")
    inside = _held_inside(ctx.old, q)
    for c in new.checks:
        if c.name in before and before[c.name].check == c.check:
            continue
        if inside:
            _refuse_inside(out, new, f"CHECK {c.name}", inside)
            continue
        _stop_if(ctx, out, new, c.check, f"new CHECK {c.name}")
        out.add(
            node,
            DomainAddCheck(q, c.q, c.check),
            notes=("Added NOT VALID (no scan under the lock) and validated in the last transaction.",),
            ignore=("ban-alter-domain-with-add-constraint",),
        )
        late = out.late(("validate_domain", name, c.name))
        out.edge(node.key, late.key)
        out.add(late, DomainValidate(q, c.q), Phase.FINAL)
        out.change(f"{'change' if c.name in before else 'add'} constraint {c.name} of domain {name.display}")
    if old.not_null != new.not_null:
        if new.not_null and inside:
            _refuse_inside(out, new, "NOT NULL", inside)
        elif new.not_null:
            _stop_if(ctx, out, new, None, "new NOT NULL")
        notes = ("Checks every column of the domain for NULLs under their locks.",) if new.not_null else ()
        out.add(
            node, DomainNotNull(q, new.not_null), notes=notes, ignore=() if new.not_null else ("ban-drop-not-null",)
        )
        out.change(f"{'set' if new.not_null else 'drop'} not null of domain {name.display}")
    if old.comment != new.comment:
        out.add(node, st.comment_on(Object("domain", q), new.comment))
        out.change(f"comment on domain {name.display}")


def _held_inside(schema: ir.Schema, domain: str) -> list[str]:
    """The table columns (`t.c`) that hold values of the domain spelled `domain` inside an array or a composite
    type (any depth): PostgreSQL cannot check those for a new constraint of the domain."""
    containers = {domain}
    composites = {c.name.q: c for c in schema.composite_types}
    grew = True
    while grew:
        grew = False
        for q, c in composites.items():
            if q not in containers and any(_element(a.sql_type) in containers for a in c.attributes):
                containers.add(q)
                grew = True
    return [
        f"{t.name.display}.{c.name}"
        for t in schema.tables
        for c in t.columns
        if (_element(c.sql_type) == domain and c.array_dims) or _element(c.sql_type) in containers - {domain}
    ]


def _refuse_inside(out: Steps, d: ir.Domain, what: str, inside: list[str]) -> None:
    out.refuse(
        errors.UNSUPPORTED_CHANGE,
        f"domain {d.name.display} gains {what}, but column {inside[0]} holds its values in an array or a composite "
        "type, which PostgreSQL cannot check for a new domain constraint (it refuses: cannot alter type): declare a "
        "new domain with it, or check that column with a table CHECK",
        "domain",
        d.name,
    )


def _stop_if(ctx: Context, out: Steps, d: ir.Domain, check: str | None, what: str) -> None:
    """Prechecks of a new CHECK (None: NOT NULL) of domain `d`: the rows of each table column of it the change
    refuses, named (columns of an array of it, or in a composite type, are left to PostgreSQL, which refuses the
    change in the main transaction, rolled back whole)."""
    for t in ctx.old.tables:
        if t.name not in ctx.new_tables:
            continue
        for c in t.columns:
            if c.sql_type == d.name.q:
                _stop_column(ctx, out, t, c, d, check, what)


def _stop_column(
    ctx: Context, out: Steps, t: ir.Table, c: ir.Column, d: ir.Domain, check: str | None, what: str
) -> None:
    """The precheck of one column (as it is before the migration) against a CHECK (None: NOT NULL) of domain `d`."""
    macros = environment().get_template("sql/diff/domain_conditions.sql.j2").module
    column = quoting.ident(prechecks.old_column(ctx, t.name, c.name))
    condition = str(
        macros.is_null(column) if check is None else macros.check_fails(column, check)  # type: ignore[attr-defined]
    ).strip()
    key, order = prechecks.row_key(ctx, t, before=True)
    text = f"domain {d.name.display}: {{rows}} row(s) of {t.name.display}.{c.name} break its {what}"
    message = quoting.literal(text.replace("%", "%%").replace("{rows}", "%s") + " (first: %s)")
    out.stop_if(
        st.Precheck(prechecks.old_name(ctx, t.name).q, condition, key, order, message, quoting.literal(prechecks.HINT)),
        f"a row of {t.name.display}.{c.name} breaks the {what} of domain {d.name.display}",
    )


def _composites(ctx: Context, out: Steps) -> None:
    old = {c.name: c for c in ctx.old.composite_types}
    for c in ctx.new.composite_types:
        before = old.get(c.name)
        if before is None:
            out.create(("composite_type", c.name))
            out.change(f"create composite type {c.name.display}")
            continue
        _alter_composite(ctx, out, before, c)
    new = {c.name for c in ctx.new.composite_types}
    for c in ctx.old.composite_types:
        if c.name not in new:
            out.add(
                out.release(("composite_type", c.name)),
                st.Drop(Object("type", c.name.q)),
                notes=(DROPPED,),
                ignore=("ban-drop-type",),
            )
            out.change(f"drop composite type {c.name.display}")


def _alter_composite(ctx: Context, out: Steps, old: ir.CompositeType, new: ir.CompositeType) -> None:
    name, q = new.name, new.name.q
    before = {a.name: a for a in old.attributes}
    after = {a.name: a for a in new.attributes}
    kept_old = [a.name for a in old.attributes if a.name in after]
    kept_new = [a.name for a in new.attributes if a.name in before]
    added = [a.name for a in new.attributes if a.name not in before]
    if kept_old != kept_new or new.attributes[len(new.attributes) - len(added) :] != tuple(after[a] for a in added):
        out.refuse(
            errors.UNSUPPORTED_CHANGE,
            f"composite type {name.display}: its attributes change order, which PostgreSQL cannot do (new attributes "
            "go last): keep the order, or declare a new type",
            "composite_type",
            name,
        )
        return
    node = out.build(("composite_type", name))
    used = _used_by_columns(ctx.old, q)
    for a in old.attributes:
        if a.name in after:
            continue
        if not out.allowed(
            "drop attribute",
            name.schema,
            name.name,
            a.name,
            message=f"attribute {a.name} of composite type {name.display} is removed from the spec: its values in "
            "every column of the type go",
            locator=("composite_type", name),
        ):
            continue
        out.add(
            node,
            TypeAttribute(q, "drop", a.q),
            notes=(ctx.loss("the attribute's values go", "added it"),),
            ignore=("ban-drop-column",),
        )
        out.change(f"drop attribute {a.name} of composite type {name.display}")
    for a in new.attributes:
        was = before.get(a.name)
        if was is not None and was.sql_type != a.sql_type:
            if used:
                out.refuse(
                    errors.UNSUPPORTED_CHANGE,
                    f"composite type {name.display}: attribute {a.name} changes type ({was.sql_type} -> {a.sql_type}) "
                    f"while column {used[0]} uses the type, which PostgreSQL refuses: add a new attribute instead",
                    "composite_type",
                    name,
                )
                continue
            out.add(node, TypeAttribute(q, "alter", a.q, a.sql_type))
            out.change(f"change the type of attribute {a.name} of composite type {name.display}")
        elif was is None:
            out.add(node, TypeAttribute(q, "add", a.q, a.sql_type))
            out.change(f"add attribute {a.name} to composite type {name.display}")
        if (was.comment if was else None) != a.comment:
            out.add(node, st.comment_on(Object("column", a.q, q), a.comment))
    if old.comment != new.comment:
        out.add(node, st.comment_on(Object("type", q), new.comment))
        out.change(f"comment on composite type {name.display}")


def _used_by_columns(schema: ir.Schema, sql: str) -> list[str]:
    """The table columns (`t.c`) of the type spelled `sql` (or of arrays of it)."""
    return [f"{t.name.display}.{c.name}" for t in schema.tables for c in t.columns if _element(c.sql_type) == sql]


def _element(sql: str) -> str:
    while sql.endswith("[]"):
        sql = sql[:-2]
    return sql


def _ranges(ctx: Context, out: Steps) -> None:
    old = {r.name: r for r in ctx.old.range_types}
    for r in ctx.new.range_types:
        before = old.get(r.name)
        if before is None:
            out.create(("range_type", r.name))
            out.change(f"create range type {r.name.display}")
        elif dataclasses.replace(before, comment=r.comment, module=r.module) != r:
            out.refuse(
                errors.UNSUPPORTED_CHANGE,
                f"range type {r.name.display} changes, which PostgreSQL cannot alter (its subtype, functions and "
                "multirange are fixed when it is made): declare a range type of another name",
                "range_type",
                r.name,
            )
        elif before.comment != r.comment:
            out.add(out.build(("range_type", r.name)), st.comment_on(Object("type", r.name.q), r.comment))
            out.change(f"comment on range type {r.name.display}")
    new = {r.name for r in ctx.new.range_types}
    for r in ctx.old.range_types:
        if r.name not in new:
            out.add(
                out.release(("range_type", r.name)),
                st.Drop(Object("type", r.name.q)),
                notes=(DROPPED,),
                ignore=("ban-drop-type",),
            )
            out.change(f"drop range type {r.name.display}")


# -- renames (renames.py) ------------------------------------------------------------------------------------------


def renamed_checks(schema: ir.Schema, old: Name, new: Name) -> list[DomainRenameConstraint]:
    """The CHECK of domain `old` named after it (`<domain>_check`), renamed after `new` as a fresh database names
    it (ALTER DOMAIN ... RENAME keeps constraint names)."""
    before, after = make_object_name(old.name, None, "check"), make_object_name(new.name, None, "check")
    domain = next((d for d in schema.domains if d.name == old), None)
    if domain is None or before == after or not any(c.name == before for c in domain.checks):
        return []
    return [DomainRenameConstraint(new.q, quoting.ident(before), quoting.ident(after))]


def rename(schema: ir.Schema, kind: str, old: Name, new: Name) -> ir.Schema:
    """`schema` with the domain or composite type `old` named `new`, and every column, attribute and domain of it
    (arrays too) spelling the new name."""
    before, after = old.q, new.q

    def column(c: ir.Column) -> ir.Column:
        element = _element(c.sql_type)
        if element != before:
            return c
        return dataclasses.replace(c, sql_type=after + c.sql_type[len(element) :], base=new.name)

    def columns(cs: Iterable[ir.Column]) -> tuple[ir.Column, ...]:
        return tuple(column(c) for c in cs)

    derived = (make_object_name(old.name, None, "check"), make_object_name(new.name, None, "check"))

    def domain(d: ir.Domain) -> ir.Domain:
        if kind == "domain" and d.name == old:
            checks = tuple(dataclasses.replace(c, name=derived[1]) if c.name == derived[0] else c for c in d.checks)
            d = dataclasses.replace(d, name=new, checks=tuple(sorted(checks, key=lambda c: c.name)))
        base = column(d.base_column)
        return dataclasses.replace(d, sql_type=base.sql_type, base=base.base)

    return dataclasses.replace(
        schema,
        tables=tuple(dataclasses.replace(t, columns=columns(t.columns)) for t in schema.tables),
        views=tuple(dataclasses.replace(v, columns=columns(v.columns)) for v in schema.views),
        domains=tuple(domain(d) for d in schema.domains),
        composite_types=tuple(
            dataclasses.replace(
                c,
                name=new if kind == "composite_type" and c.name == old else c.name,
                attributes=columns(c.attributes),
            )
            for c in schema.composite_types
        ),
    )
