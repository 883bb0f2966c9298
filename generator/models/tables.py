"""A table's three models, as views for templates/models/: row.py.j2, insert.py.j2, update.py.j2.

The row model is what SELECT returns: every column, no CHECKs applied, since
rows read back are the truth. The Insert model is what may be sent: columns
with a server default, nullable ones and those a trigger computes are optional,
and left out of the dump when not given. The Update model makes every field
optional; its dump holds only the fields given, i.e. the columns to SET. Both
validate the CHECKs that checks.py translates.
"""

from __future__ import annotations

from collections.abc import Container, Hashable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .. import errors, ir
from ..pg import extensions
from . import checks, expressions, spelling, usertypes
from .imports import BUILTIN_TYPES, RESERVED, Imports
from .usertypes import UserTypes
from .viewmodel import ChangesModel, CheckNote, FieldCheck, FieldLine, ModelCheck, RowModel, TypeAlias

INDENT = 4  # a class body; a method body is 2 * INDENT deep
_DEFAULT_NONE = ("default=None",)


@dataclass(frozen=True)
class Problem:
    """What cannot be modelled, about an object named by its key in spec/origins.py (("table", Name),
    ("column", Name, column), ("enum", Name), ("module", name)), for pipeline.py to report with its position."""

    key: tuple[Hashable, ...]  # of the object in spec/origins.py: ("table", Name), ("column", Name, column), ...
    code: str
    message: str
    field: str | None = None  # of a column: the key at fault ("type", "python_type")


@dataclass(frozen=True)
class _Col:
    col: ir.Column
    field: str
    annotation: str  # without `| None`
    described: tuple[str, ...]  # Field()'s `alias=` and `description=`, the same in the three models

    @property
    def nullable(self) -> bool:
        return not self.col.not_null

    @property
    def takes_none(self) -> bool:
        """Whether the field's type accepts None by itself (JSON's null), nullable or not."""
        return self.annotation == "JsonValue"

    @property
    def has_server_value(self) -> bool:
        """The database gives the column a value when an INSERT leaves it out."""
        return self.col.default is not None or self.col.identity is not None or self.col.generated is not None

    @property
    def optional_on_insert(self) -> bool:
        return self.nullable or self.has_server_value or bool(self.col.set_by)

    @property
    def writable(self) -> bool:
        return self.col.identity != "always" and self.col.generated is None  # PostgreSQL computes a generated one


@dataclass(frozen=True)
class _Changes:
    """How the Insert and the Update model differ, column by column."""

    template: str
    suffix: str
    insert: bool

    def optional(self, c: _Col) -> bool:
        """The field may be left out (an Update leaves any column as it is)."""
        return c.optional_on_insert if self.insert else True

    def unknown_if_unset(self, c: _Col) -> bool:
        """Left out, the (nullable) column holds a value only the database knows: its default, or the
        value the row already has."""
        return c.nullable and (c.has_server_value if self.insert else True)


_INSERT = _Changes("models/insert.py.j2", "Insert", insert=True)
_UPDATE = _Changes("models/update.py.j2", "Update", insert=False)


class _Reserved:
    """Names a field cannot take, from several sets, asked without merging them: the
    module's class names are as many as its tables, and merging them per table is quadratic."""

    def __init__(self, *sets: Container[str]):
        self.sets = sets

    def __contains__(self, name: object) -> bool:
        return any(name in s for s in self.sets)


def models(
    t: ir.Table,
    enums: dict[ir.Name, ir.Enum],
    imports: Imports,
    classes: AbstractSet[str],
    problems: list[Problem],
    notes: list[str],
    types: UserTypes | None = None,
) -> list[RowModel | ChangesModel]:
    """The row, Insert and Update models of `t`; none when a column cannot be modelled (a problem says why)."""
    module = t.module
    python_types = {c.python_type.split(".")[0] for c in t.columns if c.python_type}
    fields = spelling.field_names([c.name for c in t.columns], _Reserved(RESERVED, classes, python_types))
    cols: list[_Col] = []
    for c in t.columns:
        at = ("column", t.name, c.name)
        if c.python_type is not None:
            why = python_type_problem(c.python_type)
            if why:
                problems.append(Problem(at, errors.PYTHON_TYPE, why, "python_type"))
                continue
        element = element_type(c, enums, imports, module, types)
        if element is None:
            problems.append(
                Problem(
                    at,
                    errors.PYTHON_TYPE,
                    f"the models have no Python type for column {c.name} ({c.sql_type}); give it "
                    "`python_type:` (e.g. `python_type: str`)",
                    "type",
                )
            )
            continue
        annotation = element
        for _ in range(c.array_dims):
            annotation = f"list[{annotation} | None]"  # PostgreSQL arrays may hold NULLs
        described: tuple[str, ...] = ()
        if fields[c.name] != c.name:
            described += (f"alias={spelling.literal(c.name)}",)
        if c.comment:
            described += (f"description={spelling.literal(c.comment)}",)
        cols.append(_Col(c, fields[c.name], annotation, described))
    if len(cols) != len(t.columns):
        return []
    translated = [checks.translate(con, t, enums, fields) for con in t.constraints if con.kind == "check"]
    done = [c for c in translated if isinstance(c, checks.Check)]
    left = [c for c in translated if isinstance(c, checks.DatabaseOnly)]
    notes += [f"models: CHECK {d.name} on {t.name.display} is enforced by the database only: {d.reason}" for d in left]
    if any(c.uses_decimal for c in done):
        imports.use("decimal", "Decimal")
    cls = spelling.class_name(t.name.name)
    table = spelling.docstring_text(t.name.display)
    aliased = any(c.field != c.col.name for c in cols)
    row = RowModel(
        cls,
        table,
        spelling.docstring_text(t.comment or "", first=True) or f"A row of {table}.",
        aliased,
        tuple(_field(c, c.nullable) for c in cols),
    )
    writable = [c for c in cols if c.writable]
    by_name = {c.col.name: c for c in cols}
    # A CHECK reading a column the Insert and Update models leave out (PostgreSQL computes it) is the database's.
    computed = [c for c in done if not all(by_name[n].writable for n in c.columns)]
    done = [c for c in done if c not in computed]
    validated = tuple(CheckNote(spelling.docstring_text(c.name), spelling.docstring_text(c.sql), "") for c in done)
    database_only = tuple(
        CheckNote(*(spelling.docstring_text(text) for text in (c.name, c.sql, c.reason))) for c in left
    ) + tuple(
        CheckNote(*(spelling.docstring_text(text) for text in (c.name, c.sql, "it reads a column PostgreSQL computes")))
        for c in computed
    )
    changes = [
        ChangesModel(
            kind.template,
            cls + kind.suffix,
            table,
            aliased,
            tuple(_field(c, kind.optional(c), default=kind.optional(c)) for c in writable),
            # A NOT NULL column that may be left out must not be sent as None either, nor a JSON one, whose type
            # takes None (JsonValue) though the database refuses the NULL that psycopg sends for it.
            tuple(spelling.literal(c.field) for c in writable if not c.nullable and (kind.optional(c) or c.takes_none)),
            tuple(_check(check, by_name, kind, imports) for check in done),
            validated,
            database_only,
        )
        for kind in (_INSERT, _UPDATE)
    ]
    for model in changes:
        if model.not_null:
            imports.use("pydantic", "field_validator")
    return [row, *changes]


def _field(c: _Col, optional: bool, default: bool = False) -> FieldLine:
    annotation = c.annotation + " | None" if optional else c.annotation
    arguments = _DEFAULT_NONE + c.described if default else c.described
    one_line = expressions.fits(INDENT, c.field, ": ", annotation, " = Field(", ", ".join(arguments), ")")
    return FieldLine(c.field, annotation, arguments, not arguments, arguments == _DEFAULT_NONE, one_line)


def _check(check: checks.Check, by_name: dict[str, _Col], kind: _Changes, imports: Imports) -> FieldCheck | ModelCheck:
    """A validator for a translated CHECK: a field validator when it reads one column (the error
    then names the field), a model validator otherwise."""
    body = 2 * INDENT
    message = spelling.literal(f"violates CHECK {check.name}: {check.sql}")
    method = f"_check_{spelling.field_names([check.name], set())[check.name]}"
    cs = [by_name[name] for name in check.columns]
    if len(cs) == 1:
        c = cs[0]
        imports.use("pydantic", "field_validator")
        violated = expressions.condition(check.violated({c.col.name}), body)
        return FieldCheck(method, c.field, spelling.literal(c.field), c.annotation + " | None", violated, message)
    imports.use("pydantic", "model_validator")
    imports.use("typing", "Self")  # only a model validator returns Self
    # The check cannot run when a field whose value only the database knows
    # was not given; a NOT NULL field is None here only when not given.
    unknown = [
        _compare(spelling.literal(c.field), "not in", "self.model_fields_set") for c in cs if kind.unknown_if_unset(c)
    ]
    unknown += [_compare(c.field, "is", "None") for c in cs if not c.nullable]
    return ModelCheck(
        method,
        expressions.fits(INDENT, "def ", method, "(self) -> Self:"),
        tuple(c.field for c in cs),
        expressions.condition(expressions.boolean("or", unknown), body) if unknown else "",
        expressions.condition(check.violated({c.col.name for c in cs if c.nullable}), body),
        message,
    )


def _compare(left: str, op: str, right: str) -> expressions.Expr:
    return expressions.chain(expressions.COMPARE, [expressions.atom(left), expressions.atom(right)], [op])


def element_type(
    col: ir.Column, enums: dict[ir.Name, ir.Enum], imports: Imports, module: str, types: UserTypes | None = None
) -> str | None:
    """The Python annotation of one value of the column (one element, for an array); None if unknown."""
    if col.python_type is not None:
        parts = col.python_type.split(".")
        if len(parts) > 1:
            imports.modules.add(".".join(parts[:-1]))
        return col.python_type
    if col.enum is not None:
        enum = enums[col.enum]
        cls = spelling.class_name(enum.name.name)
        if enum.module != module:
            imports.use(f".{enum.module}", cls)
        return cls
    types = types or UserTypes()
    found = _user_type(col, enums, imports, module, types)
    if found is not None:
        return found or None
    py = extensions.py_type(col.base)
    if py is None:
        return None
    if py.module is not None:
        imports.use(py.module, py.annotation)
    if py.alias is None or (col.mods == () and "{" in py.alias):
        return py.annotation
    mods = col.mods + py.mod_defaults[len(col.mods) - 1 :] if col.mods else ()
    name = py.alias.format(*mods)
    imports.use("typing", "Annotated")
    imports.use("pydantic", "Field")
    imports.aliases[name] = TypeAlias(name, py.annotation, py.constraints.format(*mods) if py.constraints else "")
    return name


def _user_type(
    col: ir.Column, enums: dict[ir.Name, ir.Enum], imports: Imports, module: str, types: UserTypes
) -> str | None:
    """The annotation of a value of a range, a domain or a composite type (types5: models/usertypes.py); "" when the
    column is of one the models cannot type, None when it is of none of them."""
    ranged = types.range_of(col)
    if ranged is not None:
        value = usertypes.range_value(ranged[0])
        if value is None:
            return ""
        annotation, value_module = value
        if value_module is not None:
            imports.use(value_module, annotation)
        kind = "Multirange" if ranged[1] else "Range"
        imports.use(f"psycopg.types.{kind.lower()}", kind)
        imports.use("pydantic", "InstanceOf")
        return f"InstanceOf[{kind}[{annotation}]]"
    sql = usertypes.element_sql(col)
    domain = types.domains.get(sql)
    if domain is not None:
        base = domain.base_column
        element = element_type(base, enums, imports, module, types)
        if element is None:
            return ""
        for _ in range(base.array_dims):
            element = f"list[{element} | None]"
        return element
    composite = types.composites.get(sql)
    if composite is not None:
        cls = spelling.class_name(composite.name.name)
        if composite.module != module:
            imports.use(f".{composite.module}", cls)
        return cls
    return None


def python_type_problem(text: str) -> str | None:
    parts = text.split(".")
    if not all(p.isidentifier() and not p.startswith("__") for p in parts):
        return f'python_type "{text}" is not a Python name (write `str` or `module.Type`)'
    if len(parts) == 1 and parts[0] not in BUILTIN_TYPES:
        return f'python_type "{text}" is not a builtin type; name its module, e.g. `ipaddress.IPv4Address`'
    return None
