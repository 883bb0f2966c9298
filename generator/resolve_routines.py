"""Functions, triggers and grants."""

from __future__ import annotations

from . import columnrefs, errors, ir, names, pgtypes, quoting, spec, sqlparse
from .ir import Name
from .loader import LoadedFile
from .resolve_base import ResolverBase, Where

TABLE_PRIVILEGES = {"select", "insert", "update", "delete", "truncate", "references", "trigger", "all"}
FUNCTION_PRIVILEGES = {"execute", "all"}
SEQUENCE_PRIVILEGES = {"usage", "select", "update", "all"}


class RoutineResolver(ResolverBase):
    # -- functions, triggers, grants -------------------------------------
    def function(self, name: Name, f: spec.Function, where: Where, module: str) -> ir.Function | None:
        at = where.at
        why = names.problem(f.language)
        if why:  # it is printed bare after LANGUAGE, so it must be a plain name
            self.error(at("language"), errors.SPEC_BAD_IDENTIFIER, f"language {why}")
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
            self.sql_error(at(exc.part), exc)
            return None
        ok = True
        if f.search_path is not None:
            for i, s in enumerate(f.search_path):
                ok &= self.ident(s, at("search_path", i), "search_path schema")
        if not ok:
            return None
        arg_types = tuple(_canonical_arg(t) for t in shape.arg_types)
        return ir.Function(name, module, f.args.strip(), arg_types, f.returns.strip(), f.language, body, f.volatility, f.security, f.strict, tuple(f.search_path) if f.search_path is not None else None, shape.returns_trigger, f.comment)

    def triggers(self, f: LoadedFile) -> list[ir.Trigger]:
        result = []
        seen: set[tuple[Name, str]] = set()
        for key, t in f.spec.triggers.items():
            where = Where(f.pos, ("triggers", key))
            at = where.at
            ok = self.ident(key, where, "trigger name")
            table_name = names.split(t.table)
            table = self.resolved_tables.get(table_name)
            if table_name not in self.known.tables:
                self.error(at("table"), errors.UNKNOWN_TABLE, f'trigger on unknown table "{t.table}"')
                ok = False
            fn_name = names.split(t.function)
            fn = self.known.functions.get(fn_name)
            if fn is None:
                self.error(at("function"), errors.UNKNOWN_FUNCTION, f'trigger calls unknown function "{t.function}"')
                ok = False
            elif fn[0].returns.strip().lower() != "trigger":
                self.error(at("function"), errors.SQL_SHAPE, f'function "{t.function}" does not return trigger')
                ok = False
            if (table_name, key) in seen:
                self.error(where, errors.DUPLICATE_NAME, f'trigger "{key}" is defined twice on {t.table}', key=True)
            seen.add((table_name, key))
            if table is not None:
                cols = {c.name for c in table.columns}
                for i, col in enumerate(t.sets):
                    if col not in cols:
                        self.error(at("sets", i), errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table_name.display}')
                        ok = False
            when = None
            if t.when is not None:
                if self.expr(t.when, at("when")) is None:
                    ok = False
                elif table_name in self.known.tables:
                    columns = frozenset(self.known.tables[table_name][0].columns)
                    for problem in columnrefs.trigger_when(sqlparse.expression_json(t.when), table_name, columns, tuple(t.events), t.for_each == "row"):
                        self.error_in_fragment(at("when"), problem.offset, problem.code, problem.message)
                        ok = False
                when = t.when.strip()
            if "truncate" in t.events and t.for_each == "row":
                self.error(at("events"), errors.SQL_SHAPE, "TRUNCATE triggers must be `for_each: statement`")
                ok = False
            if ok:
                result.append(ir.Trigger(key, table_name, t.timing, tuple(t.events), t.for_each, fn_name, when, tuple(t.sets), t.comment))
                self.origin(("trigger", table_name, key), where, t.lint)
        return result

    def mark_trigger_columns(self, triggers: list[ir.Trigger]) -> None:
        by_table: dict[Name, dict[str, list[str]]] = {}
        for trg in triggers:
            for col in trg.sets:
                by_table.setdefault(trg.table, {}).setdefault(col, []).append(trg.name)
        for tname, cols in by_table.items():
            table = self.resolved_tables.get(tname)
            if table is None:  # the table did not resolve: its errors are what the user needs to see
                continue
            new_cols = tuple(ir.Column(**{**c.__dict__, "set_by": tuple(cols[c.name])}) if c.name in cols else c for c in table.columns)
            self.resolved_tables[tname] = ir.Table(**{**table.__dict__, "columns": new_cols})

    def grants(self, f: LoadedFile) -> list[ir.Grant]:
        result: list[ir.Grant] = []
        for i, g in enumerate(f.spec.grants):
            where = Where(f.pos, ("grants", i))
            at = where.at
            privileges = tuple(p.lower() for p in g.privileges)
            roles_ok = True
            for j, role in enumerate(g.to):
                if role not in self.known.roles:
                    self.error(at("to", j), errors.UNKNOWN_ROLE, f'unknown role "{role}" (declare it under external.roles)')
                    roles_ok = False
            targets: list[tuple[str, str, set[str], Where]] = []
            for j, t in enumerate(g.tables):
                n = names.split(t)
                if n not in self.known.tables and n not in self.known.external_tables and n not in self.partitions:
                    self.error(at("tables", j), errors.UNKNOWN_TABLE, f'grant on unknown table "{t}"')
                else:
                    targets.append(("table", n.q, TABLE_PRIVILEGES, at("privileges")))
                    self.origin(("grant", "table", n.q), at("tables", j), g.lint, where)
            for j, fn in enumerate(g.functions):
                n = names.split(fn)
                entry = self.known.functions.get(n)
                if entry is None:
                    self.error(at("functions", j), errors.UNKNOWN_FUNCTION, f'grant on unknown function "{fn}"')
                    continue
                resolved = self.function_signature(n)
                if resolved is not None:
                    targets.append(("function", resolved, FUNCTION_PRIVILEGES, at("privileges")))
                    self.origin(("grant", "function", resolved), at("functions", j), g.lint, where)
            for j, s in enumerate(g.sequences):
                n = names.split(s)
                if n not in self.sequences:
                    self.error(at("sequences", j), errors.UNKNOWN_TABLE, f'grant on unknown sequence "{s}" (sequences come from identity columns)')
                else:
                    targets.append(("sequence", n.q, SEQUENCE_PRIVILEGES, at("privileges")))
                    self.origin(("grant", "sequence", n.q), at("sequences", j), g.lint, where)
            if g.all_sequences_in_schema is not None:
                if g.all_sequences_in_schema not in self.known.schemas:
                    self.error(at("all_sequences_in_schema"), errors.UNKNOWN_SCHEMA, f'unknown schema "{g.all_sequences_in_schema}"')
                else:
                    targets.append(("all_sequences", quoting.ident(g.all_sequences_in_schema), SEQUENCE_PRIVILEGES, at("privileges")))
                    self.origin(("grant", "all_sequences", quoting.ident(g.all_sequences_in_schema)), at("all_sequences_in_schema"), g.lint, where)
            for kind, target, allowed, pw in targets:
                bad = [p for p in privileges if p not in allowed]
                if bad:
                    self.error(pw, errors.SPEC_INVALID, f"privilege {', '.join(bad).upper()} does not apply to a {kind.replace('all_', '').rstrip('s')}")
                    continue
                if roles_ok:
                    result.append(ir.Grant(privileges, kind, target, tuple(g.to), g.with_grant_option, f.module))
        return result

    def function_signature(self, name: Name) -> str | None:
        fn, _where, _module = self.known.functions[name]
        try:
            shape, _ = sqlparse.function(name.name, fn.args, fn.returns, fn.language, fn.body + "\n", "$sig$")
        except sqlparse.FragmentError:
            return None  # reported where the function is resolved
        return f"{name.q}({', '.join(_canonical_arg(t) for t in shape.arg_types)})"


def _canonical_arg(type_text: str) -> str:
    base = pgtypes.BASE_TYPES.get(type_text)
    return base.sql if base else type_text

