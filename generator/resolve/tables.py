"""Tables: columns, constraints, foreign keys, partitions and indexes."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable
from typing import Any

from .. import errors, ir
from ..ir import Name, names
from ..pg import bounds, quoting, sqlparse
from ..spec import model
from . import defaults
from .base import Where
from .policies import PolicyResolver


class TableResolver(PolicyResolver):
    # -- tables ----------------------------------------------------------
    def table(self, name: Name, t: model.Table, where: Where, module: str) -> ir.Table | None:
        at = where.at
        columns: list[ir.Column] = []
        constraints: list[ir.Constraint] = []
        constraint_at: dict[str, Where] = {}
        pk_columns = [c for c, col in t.columns.items() if col.primary_key]
        table_pk = [c for c in t.constraints if c.primary_key is not None]
        if len(pk_columns) > 1 or (pk_columns and table_pk) or len(table_pk) > 1:
            self.error(
                at("columns"),
                errors.DUPLICATE_NAME,
                f"table {name.display} declares more than one primary key; use one `primary_key: [a, b]` "
                "constraint for a composite key",
                key=True,
            )

        # A bad table name is reported once, not again in every constraint name derived from it.
        derived_ok = names.problem(name.name) is None

        def add(c: ir.Constraint, w: Where, lint: Any, holder: Where, raw_check: str | None = None) -> None:
            if c.name in constraint_at:
                self.error(w, errors.DUPLICATE_NAME, f'constraint "{c.name}" is defined twice on table {name.display}')
                return
            if not derived_ok or self.ident(c.name, w, "constraint name"):
                constraint_at[c.name] = w
                constraints.append(c)
                self.origin(("constraint", name, c.name), w, lint, holder)
                if raw_check is not None:
                    self.origin(
                        ("constraint_check", name, c.name),
                        Where(holder.pos, holder.path + ("check",)),
                        lint,
                        holder,
                        raw=raw_check,
                    )
                if c.kind in ("primary_key", "unique"):
                    self.claim(self.relations, Name(name.schema, c.name), w, "index of constraint")

        for col_name, col in t.columns.items():
            cw = at("columns", col_name)
            self.ident(col_name, cw, "column name")
            self.origin(("column", name, col_name), cw, col.lint)
            typ = self.column_type(col.type, at("columns", col_name, "type"))
            default = None
            if col.default is not None and self.expr(col.default, at("columns", col_name, "default")) is not None:
                default = col.default.strip()
                if typ is not None:
                    self.check_default(col.default, typ, at("columns", col_name, "default"))
            if col.identity and default is not None:
                self.error(
                    at("columns", col_name, "identity"),
                    errors.SPEC_INVALID,
                    "an identity column cannot also have a default",
                )
            if typ is not None:
                columns.append(
                    ir.Column(
                        col_name,
                        typ[0],
                        typ[1],
                        typ[2],
                        typ[3],
                        typ[4],
                        col.not_null or col.primary_key,
                        default,
                        col.identity,
                        col.comment,
                        python_type=col.python_type,
                    )
                )
            if col.identity:
                seq = Name(name.schema, names.make_object_name(name.name, col_name, "seq"))
                self.claim(self.relations, seq, cw, "identity sequence")
                self.sequences.add(seq)
            if col.primary_key:
                add(
                    ir.Constraint(names.make_object_name(name.name, None, "pkey"), "primary_key", (col_name,)),
                    at("columns", col_name, "primary_key"),
                    col.lint,
                    cw,
                )
            if col.unique:
                add(
                    ir.Constraint(names.derived_constraint_name(name.name, [col_name], "key"), "unique", (col_name,)),
                    at("columns", col_name, "unique"),
                    col.lint,
                    cw,
                )
            if col.check is not None and (node := self.expr(col.check, at("columns", col_name, "check"))) is not None:
                self.check_columns(
                    sqlparse.expression_column_refs(col.check), set(t.columns), name, at("columns", col_name, "check")
                )
                add(
                    ir.Constraint(
                        names.make_object_name(name.name, col_name, "check"), "check", check=col.check.strip()
                    ),
                    at("columns", col_name, "check"),
                    col.lint,
                    cw,
                    col.check,
                )
            if col.references is not None:
                fk = self.foreign_key(
                    name,
                    [col_name],
                    col.references,
                    col.on_delete,
                    col.on_update,
                    None,
                    at("columns", col_name, "references"),
                )
                if fk is not None:
                    add(fk, at("columns", col_name, "references"), col.lint, cw)
            elif col.on_delete or col.on_update:
                self.error(
                    at("columns", col_name, "on_delete" if col.on_delete else "on_update"),
                    errors.SPEC_INVALID,
                    "on_delete/on_update need `references`",
                    key=True,
                )

        column_names = {c for c in t.columns}
        for i, c in enumerate(t.constraints):
            cw = at("constraints", i)
            if c.check is not None:
                node = self.expr(c.check, at("constraints", i, "check"))
                if node is None:
                    continue
                refs = self.check_columns(
                    sqlparse.expression_column_refs(c.check), column_names, name, at("constraints", i, "check")
                )
                cname = c.name or self.unused_name(name.name, refs, constraint_at)
                add(
                    ir.Constraint(cname, "check", check=c.check.strip(), comment=c.comment),
                    at("constraints", i, "name") if c.name else cw,
                    c.lint,
                    cw,
                    c.check,
                )
                continue
            kind = "unique" if c.unique is not None else "primary_key" if c.primary_key is not None else "foreign_key"
            cols = list(c.unique or c.primary_key or c.foreign_key or [])
            ok = True
            for j, col_name in enumerate(cols):
                if col_name not in column_names:
                    self.error(
                        at("constraints", i, kind, j),
                        errors.UNKNOWN_COLUMN,
                        f'unknown column "{col_name}" in table {name.display}',
                    )
                    ok = False
            if not cols or not ok:
                if not cols:
                    self.error(
                        at("constraints", i, kind),
                        errors.SPEC_INVALID,
                        f"a {kind.replace('_', ' ')} constraint needs at least one column",
                    )
                continue
            label = {"unique": "key", "primary_key": "pkey", "foreign_key": "fkey"}[kind]
            cname = c.name or (
                names.make_object_name(name.name, None, "pkey")
                if kind == "primary_key"
                else names.derived_constraint_name(name.name, cols, label)
            )
            nw = at("constraints", i, "name") if c.name else cw
            if kind == "foreign_key":
                assert c.references is not None
                fk = self.foreign_key(
                    name, cols, c.references, c.on_delete, c.on_update, cname, at("constraints", i, "references")
                )
                if fk is not None:
                    add(dataclasses.replace(fk, comment=c.comment), nw, c.lint, cw)
            else:
                add(ir.Constraint(cname, kind, tuple(cols), comment=c.comment), nw, c.lint, cw)
        for con in constraints:  # a primary key's columns are NOT NULL
            if con.kind == "primary_key":
                columns = [
                    ir.Column(**{**col.__dict__, "not_null": True}) if col.name in con.columns else col
                    for col in columns
                ]

        partition_by, partition_key, partitions = self.partitioning(name, t, columns, constraints, where)
        indexes = [
            ix
            for key, spec_ix in t.indexes.items()
            if (ix := self.index(name, key, spec_ix, column_names, partition_key, at("indexes", key))) is not None
        ]
        policies = self.policies(name, t, where)
        if len(columns) != len(t.columns):
            return None
        return ir.Table(
            name=name,
            module=module,
            columns=tuple(columns),
            constraints=tuple(constraints),
            indexes=tuple(indexes),
            partition_by=partition_by,
            partition_key=partition_key,
            partitions=partitions,
            row_level_security=t.row_level_security,
            force_row_level_security=t.force_row_level_security,
            policies=policies,
            comment=t.comment,
        )

    def check_default(self, text: str, typ: tuple[str, str, Name | None, tuple[int, ...], int], where: Where) -> None:
        """What PostgreSQL would refuse in a column's DEFAULT, at its place in the fragment (defaults.py)."""
        sql, base, enum, mods, dims = typ
        values = self.known.enums[enum].values if enum is not None else ()
        column = defaults.Column(sql, base, mods, dims, enum.display if enum is not None else "", values)
        for problem in defaults.check(text, column, self.spec_function_names):
            self.error_in_fragment(where, problem.offset, problem.code, problem.message)

    @staticmethod
    def unused_name(table: str, refs: set[str], taken: dict[str, Where]) -> str:
        # PostgreSQL names an unnamed CHECK after its only column, else after the table.
        # On a clash it numbers the label (`t_a_check1`), as ChooseConstraintName does.
        column = next(iter(refs)) if len(refs) == 1 else None
        name, n = names.make_object_name(table, column, "check"), 0
        while name in taken:
            n += 1
            name = names.make_object_name(table, column, f"check{n}")
        return name

    def check_columns(
        self, refs: Iterable[tuple[tuple[str, ...], int | None]], columns: set[str], table: Name, where: Where
    ) -> set[str]:
        """The columns of `table` among `refs` (names with their offsets in the fragment: sqlparse.column_refs_at);
        unknown ones are reported."""
        found: set[str] = set()
        for ref, offset in refs:
            col = ref[-1]
            if len(ref) > 1 and ref[-2] != table.name:
                continue  # qualified by another table or alias: not ours to check
            if col not in columns:
                self.error_in_fragment(
                    where, offset, errors.UNKNOWN_COLUMN, f'unknown column "{col}" in table {table.display}'
                )
            else:
                found.add(col)
        return found

    def foreign_key(
        self,
        table: Name,
        cols: list[str],
        text: str,
        on_delete: str | None,
        on_update: str | None,
        cname: str | None,
        where: Where,
    ) -> ir.Constraint | None:
        ref = names.reference(text)
        if ref is None:
            self.error(
                where,
                errors.SPEC_INVALID,
                f'"{text}" is not a reference; write `table(column)` or `schema.table(column, ...)`',
            )
            return None
        if ref.table not in self.known.tables and ref.table not in self.known.external_tables:
            self.error(
                where,
                errors.UNKNOWN_TABLE,
                f'foreign key references unknown table "{ref.table.display}" (declare it under tables or '
                "external.tables)",
            )
            return None
        if len(ref.columns) != len(cols):
            self.error(
                where, errors.BAD_REFERENCE, f"foreign key has {len(cols)} column(s) but references {len(ref.columns)}"
            )
            return None
        name = cname or names.derived_constraint_name(table.name, cols, "fkey")
        return ir.Constraint(
            name,
            "foreign_key",
            tuple(cols),
            ref_table=ref.table,
            ref_columns=ref.columns,
            on_delete=on_delete,
            on_update=on_update,
        )

    def check_foreign_keys(self, table: ir.Table) -> None:
        """Second pass, once every table is resolved: target columns exist, are a key, and types match."""
        entry = self.known.tables[table.name]
        for i, fk in enumerate(table.foreign_keys):
            assert fk.ref_table is not None
            where = self._fk_where(entry[0], entry[1], fk)
            target = self.resolved_tables.get(fk.ref_table)
            if target is not None:
                target_cols = {c.name: c for c in target.columns}
                keys = {c.columns for c in target.constraints if c.kind in ("primary_key", "unique")}
            elif fk.ref_table in self.known.external_tables:
                ext = self.known.external_tables[fk.ref_table]
                target_cols = {c.name: c for c in ext.columns}
                keys = set(ext.unique) | ({ext.primary_key} if ext.primary_key else set())
            else:
                continue  # the target itself failed to resolve; already reported
            for col in fk.ref_columns:
                if col not in target_cols:
                    self.error(
                        where,
                        errors.UNKNOWN_COLUMN,
                        f'foreign key references unknown column "{col}" of {fk.ref_table.display}',
                    )
                    break
            else:
                if tuple(fk.ref_columns) not in keys and set(fk.ref_columns) not in [set(k) for k in keys]:
                    self.error(
                        where,
                        errors.BAD_REFERENCE,
                        f"foreign key target {fk.ref_table.display}({', '.join(fk.ref_columns)}) is not a "
                        "primary key or unique constraint",
                    )
                for own, other in zip(fk.columns, fk.ref_columns):
                    a, b = table.column(own), target_cols[other]
                    if a is not None and a.base != b.base:
                        self.error(
                            where,
                            errors.BAD_REFERENCE,
                            f"foreign key column {own} ({a.sql_type}) does not match "
                            f"{fk.ref_table.display}.{other} ({b.sql_type})",
                        )

    @staticmethod
    def _fk_where(t: model.Table, where: Where, fk: ir.Constraint) -> Where:
        for i, c in enumerate(t.constraints):
            if c.foreign_key is not None and tuple(c.foreign_key) == fk.columns:
                return Where(where.pos, where.path + ("constraints", i, "references"))
        return Where(where.pos, where.path + ("columns", fk.columns[0], "references"))

    def partitioning(
        self, name: Name, t: model.Table, columns: list[ir.Column], constraints: list[ir.Constraint], where: Where
    ) -> tuple[str | None, tuple[str, ...], tuple[ir.Partition, ...]]:
        at = where.at
        p = t.partitioning
        if p is None:
            return None, (), ()
        by_name = {c.name: c for c in columns}
        key = tuple(p.key)
        for i, col in enumerate(key):
            if col not in t.columns:
                self.error(
                    at("partitioning", "key", i),
                    errors.PARTITION,
                    f'partition key column "{col}" is not a column of {name.display}',
                )
                return None, (), ()
        for con in constraints:
            if con.kind in ("primary_key", "unique") and not set(key) <= set(con.columns):
                self.error(
                    at("partitioning", "key"),
                    errors.PARTITION,
                    f'{con.kind.replace("_", " ")} "{con.name}" must include the partition key '
                    f"({', '.join(key)}): PostgreSQL enforces uniqueness per partition",
                )
        if len(key) != 1 and p.partitions:
            self.error(
                at("partitioning", "key"),
                errors.PARTITION,
                "partitions with a multi-column range key are not supported yet",
            )
            return p.by.upper(), key, ()
        key_col = by_name.get(key[0])
        kind = bounds.kind_of(key_col.base if key_col else "")
        parts: list[ir.Partition] = []
        ranges: list[tuple[bounds.Bound, bounds.Bound, str, Where]] = []
        written: list[tuple[bounds.Bound, str]] = []  # every bound so far, with its text
        default: str | None = None
        self.origin(("partitioning", name), at("partitioning"), t.lint, at())
        for pname, part in p.partitions.items():
            pw = at("partitioning", "partitions", pname)
            pn = Name(name.schema, pname)
            self.partitions.add(pn)
            self.origin(("partition", pn), pw, part.lint)
            self.ident(pname, pw, "partition name")
            self.claim(self.relations, pn, pw, "partition")
            self.claim(self.types, pn, pw, "partition")
            if part.default:
                if self.default_partition(name, pname, part, default, pw):
                    parts.append(ir.Partition(pn, "", "", part.comment, is_default=True))
                default = default or pname
                continue
            assert part.from_ is not None and part.to is not None  # spec.Partition requires them of a range partition
            lo = self.bound(part.from_, kind, Where(pw.pos, pw.path + ("from",)))
            hi = self.bound(part.to, kind, Where(pw.pos, pw.path + ("to",)))
            if lo is None or hi is None:
                continue
            if not self.same_zone(written, (lo, part.from_), (hi, part.to), column=key[0], where=pw):
                continue
            if bounds.key(lo) >= bounds.key(hi):
                self.error(
                    pw,
                    errors.PARTITION,
                    f'partition "{pname}" is empty: "from" ({part.from_}) must be below "to" ({part.to})',
                    key=True,
                )
                continue
            ranges.append((lo, hi, pname, pw))
            parts.append(ir.Partition(pn, _bound_sql(part.from_), _bound_sql(part.to), part.comment))
        ranges.sort(key=lambda r: bounds.key(r[0]))
        for (_lo1, hi1, n1, _w1), (lo2, _hi2, n2, w2) in itertools.pairwise(ranges):
            if bounds.key(lo2) < bounds.key(hi1):
                self.error(w2, errors.PARTITION, f'partition "{n2}" overlaps partition "{n1}"', key=True)
        return p.by.upper(), key, tuple(parts)

    def default_partition(
        self, table: Name, pname: str, part: model.Partition, first: str | None, where: Where
    ) -> bool:
        """Checks a `default: true` partition; True when it is the table's one and only, and has no bounds."""
        ok = True
        for key, value in (("from", part.from_), ("to", part.to)):
            if value is not None:
                self.error(
                    Where(where.pos, where.path + (key,)),
                    errors.PARTITION,
                    f'partition "{pname}" is the default partition: it takes the rows outside every range '
                    f'and has no "{key}"',
                    key=True,
                )
                ok = False
        if first is not None:
            self.error(
                Where(where.pos, where.path + ("default",)),
                errors.PARTITION,
                f'partition "{pname}" is a second default partition of {table.display} (the first is '
                f'"{first}"): a table has at most one',
                key=True,
            )
            ok = False
        return ok

    def bound(self, text: str, kind: str, where: Where) -> bounds.Bound | None:
        try:
            return bounds.value(text, kind)
        except bounds.BadBound:
            self.error(where, errors.PARTITION, f'partition bound "{text}" is not a valid {kind} value')
            return None

    def same_zone(
        self, seen: list[tuple[bounds.Bound, str]], *new: tuple[bounds.Bound, str], column: str, where: Where
    ) -> bool:
        """False (and E050) when timestamptz bounds mix text with and without a UTC offset: their order would depend on
        the session's TimeZone."""
        for b, text in new:
            other = next((t for o, t in seen if not bounds.comparable(o, b)), None)
            if other is not None:
                with_offset, without = (other, text) if b.local else (text, other)
                self.error(
                    where,
                    errors.PARTITION,
                    f'partition bound "{without}" of {column} (timestamptz) has no UTC offset while '
                    f'"{with_offset}" has one: PostgreSQL reads the first in the session\'s TimeZone, so '
                    "whether they overlap depends on where the migration runs; write every bound with an "
                    'offset (e.g. "2026-01-01 00:00:00+00"), or none',
                    key=True,
                )
                return False
            seen.append((b, text))
        return True

    def index(
        self, table: Name, key: str, ix: model.Index, columns: set[str], partition_key: tuple[str, ...], where: Where
    ) -> ir.Index | None:
        name = Name(table.schema, key)
        self.ident(key, where, "index name")
        self.claim(self.relations, name, where, "index")
        self.origin(("index", name), where, ix.lint)
        elements: list[ir.IndexElement] = []
        for i, text in enumerate(ix.columns):
            ew = Where(where.pos, where.path + ("columns", i))
            self.origin(("index_element", name, i), ew, ix.lint, where, raw=text)
            try:
                elem = sqlparse.index_element(text)
            except sqlparse.FragmentError as exc:
                self.sql_error(ew, exc)
                continue
            desc = elem.ordering is not None and elem.ordering.name == "SORTBY_DESC"
            nulls = {"SORTBY_NULLS_FIRST": "first", "SORTBY_NULLS_LAST": "last"}.get(
                elem.nulls_ordering.name if elem.nulls_ordering is not None else ""
            )
            if elem.name is not None:
                if elem.name not in columns:
                    self.error(ew, errors.UNKNOWN_COLUMN, f'unknown column "{elem.name}" in table {table.display}')
                elements.append(ir.IndexElement(elem.name, None, desc, nulls))
            else:
                self.check_columns(sqlparse.index_element_column_refs(text), columns, table, ew)
                expr_text = text.strip()
                for suffix in ("NULLS FIRST", "NULLS LAST", "DESC", "ASC"):
                    if expr_text.upper().endswith(suffix):
                        expr_text = expr_text[: -len(suffix)].rstrip()
                elements.append(ir.IndexElement(None, expr_text, desc, nulls))
        for i, col in enumerate(ix.include):
            if col not in columns:
                self.error(
                    Where(where.pos, where.path + ("include", i)),
                    errors.UNKNOWN_COLUMN,
                    f'unknown column "{col}" in table {table.display}',
                )
        where_sql = None
        if ix.where is not None:
            node = self.expr(ix.where, Where(where.pos, where.path + ("where",)))
            self.origin(("index_where", name), Where(where.pos, where.path + ("where",)), ix.lint, where, raw=ix.where)
            if node is not None:
                self.check_columns(
                    sqlparse.expression_column_refs(ix.where), columns, table, Where(where.pos, where.path + ("where",))
                )
                where_sql = ix.where.strip()
        if ix.unique and partition_key and not set(partition_key) <= {e.column for e in elements}:
            self.error(
                where,
                errors.PARTITION,
                f"unique index {key} on a partitioned table must include the partition key "
                f"({', '.join(partition_key)})",
                key=True,
            )
        if len(elements) != len(ix.columns):
            return None
        return ir.Index(name, table, tuple(elements), ix.unique, ix.method, where_sql, tuple(ix.include), ix.comment)


def _bound_sql(text: str) -> str:
    upper = text.strip().upper()
    return upper if upper in ("MINVALUE", "MAXVALUE") else quoting.literal(text.strip())
