"""IR -> Pydantic v2 models, one Python module per spec module (`models/<module>.py`).

This is the view-model of templates/models/: every name, annotation, line and
docstring is computed here, the templates only lay them out. Rendering is pure
(`render(schema) -> Models`); what cannot be modelled (a type with no Python
mapping, a name clash) comes back as Problems for pipeline.py to report with
positions, and the CHECKs left to the database come back as notes.

Per table: the row model (what SELECT returns: every column, no CHECKs applied,
since rows read back are the truth), the Insert model (what may be sent:
server-defaulted, nullable and trigger-computed columns optional and left out
of the dump when not given) and the Update model (every field optional; the
dump holds only the fields given, i.e. the columns to SET).
"""

from __future__ import annotations

import keyword
import sys
from collections.abc import Hashable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from .. import errors, ir
from ..pg import datatypes
from ..templating import environment
from . import checks, expressions, spelling

INDENT = 4
# Names the module may import or use in annotations: no class or field may take them.
IMPORTABLE = {
    "Annotated": "typing",
    "Any": "typing",
    "Self": "typing",
    "StrEnum": "enum",
    "BaseModel": "pydantic",
    "ConfigDict": "pydantic",
    "Field": "pydantic",
    "SerializerFunctionWrapHandler": "pydantic",
    "field_validator": "pydantic",
    "model_serializer": "pydantic",
    "model_validator": "pydantic",
    "AwareDatetime": "pydantic",
    "NaiveDatetime": "pydantic",
    "JsonValue": "pydantic",
    "UUID": "uuid",
    "Decimal": "decimal",
    "date": "datetime",
    "time": "datetime",
    "timedelta": "datetime",
}
BUILTIN_TYPES = {"str", "int", "float", "bool", "bytes", "list", "object"}
RESERVED = set(IMPORTABLE) | BUILTIN_TYPES | {"annotations"}


@dataclass(frozen=True)
class Problem:
    """A problem of the spec the models cannot express, about an object named by its key in spec/origins.py
    (("table", Name), ("column", Name, column), ("enum", Name), ("module", name)) and, for a column, the field
    of it at fault ("type", "python_type")."""

    key: tuple[Hashable, ...]
    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class Models:
    outputs: dict[str, str]
    problems: list[Problem]
    notes: list[str]  # one line per CHECK left to the database


# -- views the templates read ---------------------------------------------


@dataclass(frozen=True)
class EnumView:
    name: str
    doc: list[str]
    members: list[tuple[str, str]]  # (member name, label literal)


@dataclass(frozen=True)
class ValidatorView:
    # Every line comes indented for its place in the class.
    decorator: list[str]
    signature: list[str]
    classmethod: bool
    setup: list[str]  # statements before the test (bindings, early returns)
    test: list[str]  # the `if` lines
    message: str  # the ValueError's message, a literal
    returns: str


@dataclass(frozen=True)
class ModelView:
    name: str
    base: str
    doc: list[str]
    config: list[str]
    fields: list[list[str]]  # lines per field
    validators: list[ValidatorView]


@dataclass(frozen=True)
class ModuleView:
    doc: list[str]
    imports: list[str]
    aliases: list[str]
    enums: list[EnumView]
    changes_base: bool
    models: list[ModelView]


# -- types ------------------------------------------------------------------


@dataclass
class _Module:
    """What one module needs as it is being planned."""

    name: str
    imports: dict[str, set[str]] = field(default_factory=dict)  # from-module -> names
    plain_imports: set[str] = field(default_factory=set)  # `import a.b`
    aliases: dict[str, str] = field(default_factory=dict)  # name -> definition

    def use(self, module: str, name: str) -> None:
        self.imports.setdefault(module, set()).add(name)

    def import_lines(self) -> list[str]:
        """Import statements in isort's sections (standard library, third party, this
        package), `import x` before `from x import`, a blank line between sections."""
        sections: list[list[str]] = [[], [], []]
        for m in sorted(self.plain_imports):
            sections[_section(m)].append(f"import {m}")
        for m in sorted(self.imports):
            names = sorted(self.imports[m], key=_import_key)
            one = f"from {m} import {', '.join(names)}"
            lines = (
                [one]
                if len(one) <= expressions.LINE
                else [f"from {m} import ("] + [f"{_PAD}{n}," for n in names] + [")"]
            )
            sections[_section(m)] += lines
        return [line for i, s in enumerate(x for x in sections if x) for line in ([""] if i else []) + s]


def _section(module: str) -> int:
    if module.startswith("."):
        return 2
    return 0 if module.split(".")[0] in sys.stdlib_module_names else 1


def _import_key(name: str) -> tuple[int, str]:
    # isort's order within an import: CONSTANTS, Classes, functions.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def element_type(col: ir.Column, enums: dict[ir.Name, ir.Enum], mod: _Module) -> str | None:
    """The Python annotation of one value of the column (one element, for an array); None if unknown."""
    if col.python_type is not None:
        parts = col.python_type.split(".")
        if len(parts) > 1:
            mod.plain_imports.add(".".join(parts[:-1]))
        return col.python_type
    if col.enum is not None:
        enum = enums[col.enum]
        cls = spelling.class_name(enum.name.name)
        if enum.module != mod.name:
            mod.use(f".{enum.module}", cls)
        return cls
    py = datatypes.BASE_TYPES[col.base].py
    if py is None:
        return None
    if py.module is not None:
        mod.use(py.module, py.annotation)
    if py.alias is None or (col.mods == () and "{" in py.alias):
        return py.annotation
    mods = col.mods + py.mod_defaults[len(col.mods) - 1 :] if col.mods else ()
    name = py.alias.format(*mods)
    mod.use("typing", "Annotated")
    mod.use("pydantic", "Field")
    mod.aliases[name] = f"Annotated[{py.annotation}, Field({py.constraints.format(*mods) if py.constraints else ''})]"
    return name


def python_type_problem(text: str) -> str | None:
    parts = text.split(".")
    if not all(p.isidentifier() and not p.startswith("__") for p in parts):
        return f'python_type "{text}" is not a Python name (write `str` or `module.Type`)'
    if len(parts) == 1 and parts[0] not in BUILTIN_TYPES:
        return f'python_type "{text}" is not a builtin type; name its module, e.g. `ipaddress.IPv4Address`'
    return None


# -- planning -------------------------------------------------------------


def render(schema: ir.Schema) -> Models:
    enums = {e.name: e for e in schema.enums}
    problems: list[Problem] = []
    notes: list[str] = []
    outputs: dict[str, str] = {}
    env = environment()
    template = env.get_template("models/module.py.j2")
    for module in schema.modules:
        view = _module_view(schema, module, enums, problems, notes)
        if view is not None:
            outputs[f"models/{module.name}.py"] = template.render(module=view)
    if outputs:
        outputs["models/__init__.py"] = env.get_template("models/package.py.j2").render()
    return Models(outputs, problems, notes)


def _module_view(
    schema: ir.Schema, module: ir.Module, enums: dict[ir.Name, ir.Enum], problems: list[Problem], notes: list[str]
) -> ModuleView | None:
    my_enums = [e for e in schema.enums if e.module == module.name]
    tables = [t for t in schema.tables if t.module == module.name]
    if not my_enums and not tables:
        return None
    if not module.name.isidentifier() or keyword.iskeyword(module.name):
        problems.append(
            Problem(
                ("module", module.name),
                errors.PYTHON_NAME,
                f'module "{module.name}" cannot name a Python module (models/{module.name}.py); set '
                "`module:` to a Python identifier",
            )
        )
        return None
    mod = _Module(module.name)
    classes: dict[str, tuple[Hashable, ...]] = {}

    def claim(name: str, key: tuple[Hashable, ...], what: str) -> None:
        if name in classes or name in RESERVED:
            problems.append(
                Problem(
                    key,
                    errors.PYTHON_NAME,
                    f"{what} would be the Python class {name}, a name the models module already uses",
                )
            )
        classes[name] = key

    enum_views = []
    for e in my_enums:
        claim(spelling.class_name(e.name.name), ("enum", e.name), f"enum {e.name.display}")
        enum_views.append(_enum_view(e))
    if my_enums:
        mod.use("enum", "StrEnum")
    for t in tables:
        cls = spelling.class_name(t.name.name)
        for suffix in ("", "Insert", "Update"):
            claim(cls + suffix, ("table", t.name), f"table {t.name.display}")
    models: list[ModelView] = []
    class_names = frozenset(classes)
    for t in tables:
        models += _table_models(t, enums, mod, class_names, problems, notes)
    for alias in mod.aliases:
        if alias in classes:
            problems.append(
                Problem(
                    classes[alias],
                    errors.PYTHON_NAME,
                    f"the class {alias} clashes with the type alias of that name in the models module",
                )
            )
    if tables:  # an enums-only module needs none of the model machinery
        mod.use("pydantic", "BaseModel")
        mod.use("pydantic", "ConfigDict")
        mod.use("typing", "Any")
        mod.use("pydantic", "SerializerFunctionWrapHandler")
        mod.use("pydantic", "model_serializer")
    source = next((m.file for m in schema.modules if m.name == module.name), module.file)
    doc = [
        f"Pydantic models of the {module.name} schema module.",
        f"Generated by schemagen from {source}; do not edit: change the spec and run `schemagen build`.",
    ]
    if module.description:
        doc.append(module.description)
    return ModuleView(
        doc=spelling.docstring_lines(doc),
        imports=mod.import_lines(),
        aliases=[f"{name} = {definition}" for name, definition in sorted(mod.aliases.items())],
        enums=enum_views,
        changes_base=bool(tables),
        models=models,
    )


def _enum_view(e: ir.Enum) -> EnumView:
    doc = [
        e.comment or f"The enum {e.name.display}.",
        "Members are in the database's order, which is how PostgreSQL compares them.",
    ]
    return EnumView(
        spelling.class_name(e.name.name),
        spelling.docstring_lines(doc, INDENT),
        list(zip(spelling.member_names(e.values), (spelling.literal(v) for v in e.values))),
    )


@dataclass(frozen=True)
class _Col:
    col: ir.Column
    field: str
    element: str
    annotation: str  # without `| None`

    @property
    def nullable(self) -> bool:
        return not self.col.not_null

    @property
    def optional_on_insert(self) -> bool:
        c = self.col
        return self.nullable or c.default is not None or c.identity is not None or bool(c.set_by)

    @property
    def writable(self) -> bool:
        return self.col.identity != "always"


class _Reserved:
    """Names a field cannot take, from several sets, asked without merging them: the
    module's class names are as many as its tables, and merging them per table is quadratic."""

    def __init__(self, *sets: AbstractSet[str]):
        self.sets = sets

    def __contains__(self, name: object) -> bool:
        return any(name in s for s in self.sets)


def _table_models(
    t: ir.Table,
    enums: dict[ir.Name, ir.Enum],
    mod: _Module,
    classes: frozenset[str],
    problems: list[Problem],
    notes: list[str],
) -> list[ModelView]:
    reserved = _Reserved(
        RESERVED, classes, {p.split(".")[0] for c in t.columns if c.python_type for p in [c.python_type]}
    )
    fields = spelling.field_names([c.name for c in t.columns], reserved)
    cols: list[_Col] = []
    for c in t.columns:
        at = ("column", t.name, c.name)
        if c.python_type is not None:
            why = python_type_problem(c.python_type)
            if why:
                problems.append(Problem(at, errors.PYTHON_TYPE, why, "python_type"))
                continue
        element = element_type(c, enums, mod)
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
        cols.append(_Col(c, fields[c.name], element, annotation))
    if len(cols) != len(t.columns):
        return []
    translated = [checks.translate(con, t, enums, fields) for con in t.constraints if con.kind == "check"]
    done = [c for c in translated if isinstance(c, checks.Check)]
    left = [c for c in translated if isinstance(c, checks.DatabaseOnly)]
    notes += [f"models: CHECK {d.name} on {t.name.display} is enforced by the database only: {d.reason}" for d in left]
    if any(c.uses_decimal for c in done):
        mod.use("decimal", "Decimal")
    cls = spelling.class_name(t.name.name)
    aliased = any(c.field != c.col.name for c in cols)
    by_name = {c.col.name: c for c in cols}
    return [
        _row_model(t, cls, cols, aliased),
        _insert_model(t, cls, [c for c in cols if c.writable], aliased, done, left, by_name, mod),
        _update_model(t, cls, [c for c in cols if c.writable], aliased, done, left, by_name, mod),
    ]


def _config(base: dict[str, str], aliased: bool) -> list[str]:
    items = dict(base)
    if aliased:  # a column renamed in Python keeps its name in rows and dumps
        items.update(validate_by_name="True", validate_by_alias="True", serialize_by_alias="True")
    args = [f"{k}={v}" for k, v in items.items()]
    one = f"{_PAD}model_config = ConfigDict({', '.join(args)})"
    if len(one) <= expressions.LINE:
        return [one]
    return [f"{_PAD}model_config = ConfigDict("] + [f"{_PAD * 2}{a}," for a in args] + [f"{_PAD})"]


def _field_lines(c: _Col, annotation: str, default: bool) -> list[str]:
    args = ["default=None"] if default else []
    if c.field != c.col.name:
        args.append(f"alias={spelling.literal(c.col.name)}")
    if c.col.comment:
        args.append(f"description={spelling.literal(c.col.comment)}")
    pad = " " * INDENT
    if not args:
        return [f"{pad}{c.field}: {annotation}"]
    if args == ["default=None"]:
        return [f"{pad}{c.field}: {annotation} = None"]
    one = f"{pad}{c.field}: {annotation} = Field({', '.join(args)})"
    if len(one) <= expressions.LINE:
        return [one]
    return [f"{pad}{c.field}: {annotation} = Field("] + [f"{pad * 2}{a}," for a in args] + [f"{pad})"]


def _row_model(t: ir.Table, cls: str, cols: list[_Col], aliased: bool) -> ModelView:
    doc = [
        t.comment or f"A row of {t.name.display}.",
        (
            f"A row of {t.name.display} as the database returns it (build it from a psycopg dict_row or any "
            "object with these attributes). CHECK constraints are not applied here: a row read back is the "
            "truth."
        ),
    ]
    lines = [_field_lines(c, c.annotation + (" | None" if c.nullable else ""), False) for c in cols]
    return ModelView(
        cls,
        "BaseModel",
        spelling.docstring_lines(doc, INDENT),
        _config({"from_attributes": "True"}, aliased),
        lines,
        [],
    )


def _checks_doc(done: list[checks.Check], left: list[checks.DatabaseOnly], update: bool) -> list[str]:
    paras = []
    if done:
        what = "Validated here"
        if update:
            what += (
                " (a check on several columns runs only when all of its fields are given, since the others are unknown)"
            )
        paras.append(what + ": " + "; ".join(f"{c.name} ({c.sql})" for c in done) + ".")
    if left:
        paras.append(
            "Enforced by the database only: " + "; ".join(f"{c.name} ({c.sql}), because {c.reason}" for c in left) + "."
        )
    return paras


def _insert_model(
    t: ir.Table,
    cls: str,
    cols: list[_Col],
    aliased: bool,
    done: list[checks.Check],
    left: list[checks.DatabaseOnly],
    by_name: dict[str, _Col],
    mod: _Module,
) -> ModelView:
    doc = [
        f"A row to INSERT into {t.name.display}.",
        (
            "Columns with a server default, nullable columns and columns that triggers compute are optional; a "
            "field not given is left out of the dump, so that the default or the trigger applies."
        ),
        *_checks_doc(done, left, update=False),
    ]
    fields = [
        _field_lines(c, c.annotation + (" | None" if c.optional_on_insert else ""), c.optional_on_insert) for c in cols
    ]
    # A NOT NULL column that may be left out must not be sent as None either.
    not_null = [c for c in cols if c.optional_on_insert and not c.nullable]
    # An unset field with a server default has a value only the database knows.
    unknown_if_unset = {
        c.col.name for c in cols if c.nullable and (c.col.default is not None or c.col.identity is not None)
    }
    validators = _not_null_validator(not_null, mod) + _check_validators(done, by_name, unknown_if_unset, mod)
    return ModelView(
        f"{cls}Insert",
        "_Changes",
        spelling.docstring_lines(doc, INDENT),
        _config({"extra": '"forbid"'}, aliased),
        fields,
        validators,
    )


def _update_model(
    t: ir.Table,
    cls: str,
    cols: list[_Col],
    aliased: bool,
    done: list[checks.Check],
    left: list[checks.DatabaseOnly],
    by_name: dict[str, _Col],
    mod: _Module,
) -> ModelView:
    doc = [
        f"Changes to a row of {t.name.display}: every field is optional.",
        (
            "The dump (`model_dump(exclude_unset=True)`, or a plain `model_dump()`, which leaves unset fields "
            "out as well) holds exactly the columns to SET."
        ),
        *_checks_doc(done, left, update=True),
    ]
    fields = [_field_lines(c, c.annotation + " | None", True) for c in cols]
    not_null = [c for c in cols if not c.nullable]
    unknown_if_unset = {c.col.name for c in cols if c.nullable}
    validators = _not_null_validator(not_null, mod) + _check_validators(done, by_name, unknown_if_unset, mod)
    return ModelView(
        f"{cls}Update",
        "_Changes",
        spelling.docstring_lines(doc, INDENT),
        _config({"extra": '"forbid"'}, aliased),
        fields,
        validators,
    )


def _not_null_validator(cols: list[_Col], mod: _Module) -> list[ValidatorView]:
    if not cols:
        return []
    mod.use("pydantic", "field_validator")
    decorator = [f"{_PAD}@field_validator("] + [f"{_PAD * 2}{spelling.literal(c.field)}," for c in cols] + [f"{_PAD})"]
    signature = [f"{_PAD}def _not_null(cls, value: object) -> object:"]
    message = spelling.literal("the column is NOT NULL: leave the field out to get the default, never None")
    return [ValidatorView(decorator, signature, True, [], [f"{_PAD * 2}if value is None:"], message, "value")]


def _check_validators(
    done: list[checks.Check], by_name: dict[str, _Col], unknown_if_unset: set[str], mod: _Module
) -> list[ValidatorView]:
    """One validator per translated CHECK: a field validator when it reads one
    column (the error then names the field), a model validator otherwise."""
    views = []
    body = 2 * INDENT
    for check in done:
        message = spelling.literal(f"violates CHECK {check.name}: {check.sql}")
        method = f"_check_{spelling.field_names([check.name], set())[check.name]}"
        cs = [by_name[name] for name in check.columns]
        if len(cs) == 1:
            c = cs[0]
            mod.use("pydantic", "field_validator")
            ann = c.annotation + " | None"
            signature = [
                f"{_PAD}def {method}(",
                f"{_PAD * 2}cls,",
                f"{_PAD * 2}{c.field}: {ann},",
                f"{_PAD}) -> {ann}:",
            ]
            test = expressions.statement("if", check.violated({c.col.name}), body)
            views.append(
                ValidatorView(
                    [f"{_PAD}@field_validator({spelling.literal(c.field)})"],
                    signature,
                    True,
                    [],
                    test,
                    message,
                    c.field,
                )
            )
            continue
        mod.use("pydantic", "model_validator")
        mod.use("typing", "Self")  # only a model validator returns Self
        setup = [f"{_PAD * 2}{c.field} = self.{c.field}" for c in cs]
        # The check cannot run when a field whose value only the database knows
        # was not given; a NOT NULL field is None here only when not given.
        unknown = [
            _compare(spelling.literal(c.field), "not in", "self.model_fields_set")
            for c in cs
            if c.col.name in unknown_if_unset
        ]
        unknown += [_compare(c.field, "is", "None") for c in cs if not c.nullable]
        if unknown:
            setup += expressions.statement("if", expressions.boolean("or", unknown), body) + [f"{_PAD * 3}return self"]
        test = expressions.statement("if", check.violated({c.col.name for c in cs if c.nullable}), body)
        signature = [f"{_PAD}def {method}(self) -> Self:"]
        if len(signature[0]) > expressions.LINE:
            signature = [f"{_PAD}def {method}(", f"{_PAD * 2}self,", f"{_PAD}) -> Self:"]
        views.append(
            ValidatorView([f'{_PAD}@model_validator(mode="after")'], signature, False, setup, test, message, "self")
        )
    return views


_PAD = " " * INDENT


def _compare(left: str, op: str, right: str) -> expressions.Expr:
    return expressions.chain(expressions.COMPARE, [expressions.atom(left), expressions.atom(right)], [op])
