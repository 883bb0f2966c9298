"""Row level security: each table's own policies and those applied from templates."""

from __future__ import annotations

from dataclasses import dataclass

from .. import errors, ir
from ..ir import Name
from ..pg import quoting, sqlparse
from ..spec import model
from ..spec.origins import raw_offset
from . import columnrefs
from .registry import Registry
from .report import Report, Where, ident, valid_expression

# What a template's `{table}` becomes while its needs are found: a name no table can have, so
# that one walk of the expression serves every table the template is applied to.
STAND_IN = '"{table}"'

Subs = tuple[tuple[str, str], ...]  # a template's placeholders and their values, in order


def policies(registry: Registry, report: Report) -> dict[Name, tuple[ir.Policy, ...]]:
    """The policies of every table of the spec, and of every external table that has some."""
    needs = _TemplateNeeds(registry)
    own = {
        name: _of_table(name, entry.spec, entry.where, registry, report, needs)
        for name, entry in registry.tables.items()
    }
    attached = {
        name: _of_table(name, entry.spec, entry.where, registry, report, needs)
        for name, entry in registry.external_entries.items()
        if entry.spec.policies
    }
    return own | attached


@dataclass(frozen=True)
class _Spelled:
    """One policy as the spec spells it (its own, or a template's for one command), and where its parts are."""

    name: str
    command: str
    using: str | None
    check: str | None
    roles: list[str]
    restrictive: bool
    template: str | None
    comment: str | None
    where: Where
    using_at: Where
    check_at: Where
    # of a template's: its placeholders' values, and its using and check as written (to place errors in them)
    subs: Subs = ()
    written: tuple[str | None, str | None] = (None, None)


def _of_table(
    table: Name,
    t: model.Table | model.ExternalTable,
    where: Where,
    registry: Registry,
    report: Report,
    needs: _TemplateNeeds,
) -> tuple[ir.Policy, ...]:
    at = where.at
    result: list[ir.Policy] = []
    seen: set[str] = set()

    def add(pol: ir.Policy, pw: Where) -> bool:
        if pol.name in seen:
            report.error(
                pw, errors.DUPLICATE_NAME, f'policy "{pol.name}" is defined twice on table {table.display}', key=True
            )
            return False
        seen.add(pol.name)
        result.append(pol)
        return True

    for key, p in t.policies.items():
        pw = at("policies", key)
        spelled = _Spelled(
            key,
            p.command,
            p.using,
            p.check,
            p.roles,
            p.restrictive,
            None,
            p.comment,
            pw,
            pw.at("using"),
            pw.at("check"),
        )
        pol = _policy(table, spelled, registry, report, needs)
        if pol is not None:
            add(pol, pw)
            report.origin(("policy", table, pol.name), pw, p.lint)
            report.origin(("policy_using", table, pol.name), pw.at("using"), p.lint, pw, raw=p.using)
            report.origin(("policy_check", table, pol.name), pw.at("check"), p.lint, pw, raw=p.check)
    for i, apply in enumerate(t.apply_policies if isinstance(t, model.Table) else ()):
        aw = at("apply_policies", i)
        entry = registry.templates.get(apply.template)
        if entry is None:
            report.error(aw.at("template"), errors.UNKNOWN_TEMPLATE, f'unknown policy template "{apply.template}"')
            continue
        tpl, tw = entry
        if apply.template in registry.bad_templates:  # its placeholders are reported at the template
            continue
        prefix = apply.prefix or table.name
        subs = (("{table}", quoting.ident(table.name)), ("{prefix}", prefix))
        check_key = "check" if tpl.check is not None else "using"
        check_text = tpl.check if tpl.check is not None else tpl.using
        for command in tpl.commands:
            pname = tpl.name.replace("{prefix}", prefix).replace("{command}", command).replace("{table}", table.name)
            spelled = _Spelled(
                pname,
                command,
                _substitute(tpl.using, subs) if command != "insert" else None,
                _substitute(check_text, subs) if command in ("insert", "update", "all") else None,
                tpl.roles,
                tpl.restrictive,
                apply.template,
                None,
                aw,
                tw.at("using"),
                tw.at(check_key),
                subs,
                (tpl.using, check_text),
            )
            pol = _policy(table, spelled, registry, report, needs)
            if pol is not None:
                add(pol, aw)
                report.origin(("policy", table, pol.name), aw, apply.lint)
                report.origin(
                    ("policy_using", table, pol.name), tw.at("using"), apply.lint, aw, raw=tpl.using, subs=subs
                )
                report.origin(
                    ("policy_check", table, pol.name), tw.at(check_key), apply.lint, aw, raw=check_text, subs=subs
                )
    return tuple(result)


def _policy(table: Name, p: _Spelled, registry: Registry, report: Report, needs: _TemplateNeeds) -> ir.Policy | None:
    ok = ident(report, p.name, p.where, "policy name")
    if p.command == "insert" and p.using is not None:
        report.error(p.using_at, errors.SQL_SHAPE, "an INSERT policy takes only `check` (WITH CHECK), not `using`")
        ok = False
    if p.command in ("select", "delete") and p.check is not None:
        report.error(p.check_at, errors.SQL_SHAPE, f"a {p.command.upper()} policy takes only `using`, not `check`")
        ok = False
    if p.using is None and p.check is None:
        report.error(p.where, errors.SQL_SHAPE, f'policy "{p.name}" needs `using` or `check`', key=True)
        ok = False
    for text, w, raw in ((p.using, p.using_at, p.written[0]), (p.check, p.check_at, p.written[1])):
        if text is None:
            continue
        if not valid_expression(report, text, w):
            ok = False
            continue
        found, stand_in = needs.of(raw, p.subs, table.schema) if raw is not None else (None, None)
        # a template's FROM names this table: judged on its own text
        if found is None or table.name in found.from_names:
            found, stand_in = (
                columnrefs.policy_needs(sqlparse.expression_json(text), table, registry.table_columns),
                None,
            )
        for problem in found.on(table, registry.table_columns(table)):
            offset = problem.offset
            # back from the text with placeholders replaced to the template's
            if raw is not None and stand_in is not None and offset is not None:
                offset = raw_offset(raw, stand_in, offset, stripped=False)
            report.error_in_fragment(w, offset, problem.code, problem.message)
            ok = False
    for i, role in enumerate(p.roles):
        if role not in registry.roles:
            report.error(
                p.where.at("roles", i), errors.UNKNOWN_ROLE, f'unknown role "{role}" (declare it under external.roles)'
            )
            ok = False
    if not ok:
        return None
    return ir.Policy(
        p.name,
        table,
        p.command,
        tuple(p.roles),
        p.restrictive,
        _squash(p.using),
        _squash(p.check),
        p.template,
        p.comment,
    )


class _TemplateNeeds:
    """What a template's expression asks of a table, found once per template (and `{prefix}`) and schema for
    every table it is applied to, with the placeholders' stand-ins (to map its offsets back to the template's
    text). A template applied to 1,000 tables is walked once, not 1,000 times."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.found: dict[tuple[str, str], columnrefs.Needs] = {}

    def of(self, raw: str, subs: Subs, schema: str) -> tuple[columnrefs.Needs, Subs]:
        stand_in = tuple((p, STAND_IN if p == "{table}" else v) for p, v in subs)
        text = _substitute(raw, stand_in)
        assert text is not None
        key = (text, schema)
        if key not in self.found:
            tree = sqlparse.expression_json(text)  # parses: only a table's name differs from the text already checked
            self.found[key] = columnrefs.policy_needs(
                tree, Name(schema, STAND_IN.strip('"')), self.registry.table_columns
            )
        return self.found[key], stand_in


def _substitute(text: str | None, subs: Subs) -> str | None:
    """A template's SQL with its placeholders filled in, in order."""
    if text is None:
        return None
    for placeholder, value in subs:
        text = text.replace(placeholder, value)
    return text


def _squash(text: str | None) -> str | None:
    return None if text is None else text.strip()
