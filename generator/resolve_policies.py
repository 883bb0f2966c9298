"""Row level security: a table's own policies and those applied from templates."""

from __future__ import annotations

import re

from . import columnrefs, errors, ir, quoting, spec, sqlparse
from .ir import Name
from .origins import Origin
from .resolve_base import ResolverBase, Where

# What each part of a policy template may name: anything else in braces is a typo (`{tabel}`),
# which would otherwise reach PostgreSQL as SQL.
PLACEHOLDERS = {"name": ("{prefix}", "{command}", "{table}"), "using": ("{table}", "{prefix}"), "check": ("{table}", "{prefix}")}
_BRACED = re.compile(r"'(?:[^']|'')*'|(\{[^{}'\s]*\})")  # a placeholder, outside SQL string literals


class PolicyResolver(ResolverBase):
    bad_templates: set[str]  # templates with an unknown placeholder: reported once, where they are written

    def template_placeholders(self, key: str, tpl: spec.PolicyTemplate, where: Where) -> None:
        """Report every placeholder of a template that is not one it can fill."""
        for part, known in PLACEHOLDERS.items():
            text = getattr(tpl, part)
            for match in _BRACED.finditer(text or ""):
                if match.group(1) and match.group(1) not in known:
                    at = Where(where.pos, where.path + (part,))
                    self.error_in_fragment(at, match.start(1), errors.SPEC_INVALID, f"unknown placeholder {match.group(1)} in policy template {key}.{part}; known: {', '.join(known)}")
                    self.bad_templates.add(key)

    # -- row level security ----------------------------------------------
    def policies(self, table: Name, t: spec.Table, where: Where) -> tuple[ir.Policy, ...]:
        at = where.at
        result: list[ir.Policy] = []
        seen: dict[str, Where] = {}
        for key, p in t.policies.items():
            pw = at("policies", key)
            pol = self.policy(table, key, p.command, p.using, p.check, p.roles, p.restrictive, None, p.comment, pw, at("policies", key, "using"), at("policies", key, "check"))
            if pol is not None:
                self._add_policy(pol, pw, seen, result)
                self.origin(("policy", table, pol.name), pw, p.lint)
                self.origin(("policy_using", table, pol.name), at("policies", key, "using"), p.lint, pw, raw=p.using)
                self.origin(("policy_check", table, pol.name), at("policies", key, "check"), p.lint, pw, raw=p.check)
        for i, apply in enumerate(t.apply_policies):
            aw = at("apply_policies", i)
            entry = self.known.templates.get(apply.template)
            if entry is None:
                self.error(Where(aw.pos, aw.path + ("template",)), errors.UNKNOWN_TEMPLATE, f'unknown policy template "{apply.template}"')
                continue
            tpl, tw = entry
            if apply.template in self.bad_templates:  # its placeholders are reported at the template
                continue
            prefix = apply.prefix or table.name
            subs = (("{table}", quoting.ident(table.name)), ("{prefix}", prefix))
            for command in tpl.commands:
                pname = tpl.name.replace("{prefix}", prefix).replace("{command}", command).replace("{table}", table.name)
                using = _substitute(tpl.using, subs) if command != "insert" else None
                check = _substitute(tpl.check if tpl.check is not None else tpl.using, subs) if command in ("insert", "update", "all") else None
                pol = self.policy(table, pname, command, using, check, tpl.roles, tpl.restrictive, apply.template, None, aw, Where(tw.pos, tw.path + ("using",)), Where(tw.pos, tw.path + ("check" if tpl.check is not None else "using",)), (subs, tpl.using, tpl.check if tpl.check is not None else tpl.using))
                if pol is not None:
                    self._add_policy(pol, aw, seen, result)
                    self.origin(("policy", table, pol.name), aw, apply.lint)
                    self.origin(("policy_using", table, pol.name), Where(tw.pos, tw.path + ("using",)), apply.lint, aw, raw=tpl.using, subs=subs)
                    check_key = "check" if tpl.check is not None else "using"
                    self.origin(("policy_check", table, pol.name), Where(tw.pos, tw.path + (check_key,)), apply.lint, aw, raw=getattr(tpl, check_key), subs=subs)
        return tuple(result)

    def template_needs(self, raw: str, subs: tuple[tuple[str, str], ...], schema: str) -> tuple[columnrefs.Needs, Origin]:
        """What a template's expression asks of a table in `schema`, found once per template (and
        `{prefix}`), with the mapping of its offsets back to the template's text."""
        stand_in = tuple((p, STAND_IN if p == "{table}" else v) for p, v in subs)
        text = _substitute(raw, stand_in)
        assert text is not None
        key = (text, schema)
        if key not in self.needs_of_templates:
            tree = sqlparse.expression_json(text)  # parses: only a table's name differs from the text already checked
            needs = columnrefs.policy_needs(tree, Name(schema, STAND_IN.strip('"')), self.table_columns)
            self.needs_of_templates[key] = needs, Origin(self.files[0].pos, (), (), {}, raw, stand_in, stripped=False)
        return self.needs_of_templates[key]

    def _add_policy(self, pol: ir.Policy, where: Where, seen: dict[str, Where], result: list[ir.Policy]) -> None:
        if pol.name in seen:
            self.error(where, errors.DUPLICATE_NAME, f'policy "{pol.name}" is defined twice on table {pol.table.display}', key=True)
            return
        seen[pol.name] = where
        result.append(pol)

    def policy(self, table: Name, name: str, command: str, using: str | None, check: str | None, roles: list[str], restrictive: bool, template: str | None, comment: str | None, where: Where, using_at: Where, check_at: Where, template_text: tuple[tuple[tuple[str, str], ...], str | None, str | None] | None = None) -> ir.Policy | None:
        """One policy; for a template's, `template_text` is (placeholders replaced, using, check as written), to place errors in it."""
        ok = self.ident(name, where, "policy name")
        if command == "insert" and using is not None:
            self.error(using_at, errors.SQL_SHAPE, "an INSERT policy takes only `check` (WITH CHECK), not `using`")
            ok = False
        if command in ("select", "delete") and check is not None:
            self.error(check_at, errors.SQL_SHAPE, f"a {command.upper()} policy takes only `using`, not `check`")
            ok = False
        if using is None and check is None:
            self.error(where, errors.SQL_SHAPE, f'policy "{name}" needs `using` or `check`', key=True)
            ok = False
        subs, *written = template_text or ((), None, None)
        for text, w, raw in ((using, using_at, written[0]), (check, check_at, written[1])):
            if text is None:
                continue
            if not self.valid_expr(text, w):
                ok = False
                continue
            needs, placed = self.template_needs(raw, subs, table.schema) if raw is not None else (None, None)
            if needs is None or table.name in needs.from_names:  # a template's FROM names this table: judged on its own text
                needs, placed = columnrefs.policy_needs(sqlparse.expression_json(text), table, self.table_columns), None
            for problem in needs.on(table, self.table_columns(table)):
                offset = problem.offset
                if placed is not None and offset is not None:  # back from the text with placeholders replaced to the template's
                    offset = placed.raw_offset(offset)
                self.error_in_fragment(w, offset, problem.code, problem.message)
                ok = False
        for i, role in enumerate(roles):
            if role not in self.known.roles:
                self.error(Where(where.pos, where.path + ("roles", i)), errors.UNKNOWN_ROLE, f'unknown role "{role}" (declare it under external.roles)')
                ok = False
        if not ok:
            return None
        return ir.Policy(name, table, command, tuple(roles), restrictive, _squash(using), _squash(check), template, comment)


# What a template's `{table}` becomes while its needs are found: a name no table can have, so
# that one walk of the expression serves every table the template is applied to.
STAND_IN = '"{table}"'


def _substitute(text: str | None, subs: tuple[tuple[str, str], ...]) -> str | None:
    """A template's SQL with its placeholders filled in, in order."""
    if text is None:
        return None
    for placeholder, value in subs:
        text = text.replace(placeholder, value)
    return text


def _squash(text: str | None) -> str | None:
    return None if text is None else text.strip()

