"""The view-model of templates/models/: what each template prints, every piece ready.

The templates hold the code: the class statements, `Field(...)`, the decorators,
`if ...: raise ValueError(...)`, the fixed docstring sentences. Python supplies
what varies: names, annotations, string literals (spelling.py), docstring text
(escaped), and conditions already laid out as `ruff format` lays them out
(expressions.py). Where ruff would either keep a statement on its line or break
it, a flag (`one_line`) says which, and the template spells out both layouts.

One template per kind of class, named by its view (`template`), as
openapi-python-client's properties name theirs; macros shared by the three
models of a table are in templates/models/macros.py.j2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple


@dataclass(frozen=True)
class Import:
    """`from module import names`."""

    module: str
    names: tuple[str, ...]
    one_line: bool  # else one name a line, in parentheses


@dataclass(frozen=True)
class ImportSection:
    """One of isort's sections: standard library, third party, this package."""

    modules: tuple[str, ...]  # `import a.b`, before the `from` imports
    imports: tuple[Import, ...]


@dataclass(frozen=True)
class TypeAlias:
    """`Int4 = Annotated[int, Field(ge=..., le=...)]`: a bounded type, defined once per module."""

    name: str
    type: str
    constraints: str  # Field()'s keyword arguments


@dataclass(frozen=True)
class Member:
    name: str
    value: str  # the label, a string literal


@dataclass(frozen=True)
class EnumClass:
    name: str
    summary: str  # the docstring's first paragraph
    members: tuple[Member, ...]  # in the database's order


class FieldLine(NamedTuple):
    """`name: annotation`, `... = None` or `... = Field(arguments)`.

    A named tuple: a module has a field line per column and model, and a tuple is
    the cheapest object to build and to read from a template."""

    name: str
    annotation: str
    arguments: tuple[str, ...]  # Field()'s keyword arguments: `default=None`, `alias="..."`, `description="..."`
    plain: bool  # no arguments: `name: annotation`
    defaults_to_none: bool  # `default=None` alone: `name: annotation = None`
    one_line: bool  # `Field(...)` fits on the line; else one argument a line


@dataclass(frozen=True)
class CheckNote:
    """A CHECK as a model's docstring names it."""

    name: str
    sql: str
    reason: str  # why the database alone enforces it; "" for a check validated here


@dataclass(frozen=True)
class FieldCheck:
    """A CHECK that reads one column: a field validator, so that the error names the field."""

    one_column: ClassVar[bool] = True
    method: str
    field: str
    field_literal: str
    annotation: str
    violated: str  # the condition under which a value breaks the check, laid out to follow `if `
    message: str  # a string literal


@dataclass(frozen=True)
class ModelCheck:
    """A CHECK that reads several columns: a model validator."""

    one_column: ClassVar[bool] = False
    method: str
    one_line: bool  # `def method(self) -> Self:` fits on its line
    fields: tuple[str, ...]  # bound to local names first, so the conditions read like the CHECK
    unknown: str  # laid-out condition under which some value is known only to the database: skip; "" for none
    violated: str
    message: str


@dataclass(frozen=True)
class RowModel:
    """A row as SELECT returns it: every column, no CHECK applied (a row read back is the truth)."""

    template: ClassVar[str] = "models/row.py.j2"
    name: str
    table: str  # the table's name, for the docstring
    summary: str
    aliased: bool  # some field is not named like its column: the config validates and dumps by alias
    fields: tuple[FieldLine, ...]


@dataclass(frozen=True)
class ChangesModel:
    """The Insert or the Update model of a table: what may be sent, and the CHECKs validated on the way."""

    template: str  # models/insert.py.j2 or models/update.py.j2
    name: str
    table: str
    aliased: bool
    fields: tuple[FieldLine, ...]
    not_null: tuple[str, ...]  # literals of the fields that may be left out but never sent as None
    checks: tuple[FieldCheck | ModelCheck, ...]
    validated: tuple[CheckNote, ...]
    database_only: tuple[CheckNote, ...]


@dataclass(frozen=True)
class Module:
    """One generated module: `models/<module>.py`."""

    name: str
    source: str  # the spec file, for the docstring
    description: str  # "" for none
    import_sections: tuple[ImportSection, ...]
    aliases: tuple[TypeAlias, ...]
    enums: tuple[EnumClass, ...]
    models: tuple[RowModel | ChangesModel, ...]  # per table: row, Insert, Update
