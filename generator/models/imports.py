"""What a generated module imports, and the type aliases it defines (`Int4 = Annotated[...]`).

Collected while its classes are planned (a name is imported only when a class
uses it), then laid out in isort's order, which ruff's `I` rules check.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from . import expressions
from .viewmodel import Import, ImportSection, TypeAlias

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
    "datetime": "datetime",  # types5: a range's bounds
    "InstanceOf": "pydantic",  # types5: ranges
    "Range": "psycopg.types.range",  # types5
    "Multirange": "psycopg.types.multirange",  # types5
}
BUILTIN_TYPES = {"str", "int", "float", "bool", "bytes", "list", "object"}
RESERVED = set(IMPORTABLE) | BUILTIN_TYPES | {"annotations"}


@dataclass
class Imports:
    """What one module needs, as its classes are planned."""

    names: dict[str, set[str]] = field(default_factory=dict)  # from-module -> names
    modules: set[str] = field(default_factory=set)  # `import a.b`
    aliases: dict[str, TypeAlias] = field(default_factory=dict)

    def use(self, module: str, name: str) -> None:
        self.names.setdefault(module, set()).add(name)

    def sections(self) -> tuple[ImportSection, ...]:
        """isort's sections (standard library, third party, this package), those that have an import."""
        modules: list[list[str]] = [[], [], []]
        imports: list[list[Import]] = [[], [], []]
        for m in sorted(self.modules):
            modules[_section(m)].append(m)
        for m in sorted(self.names):
            names = tuple(sorted(self.names[m], key=_import_key))
            one_line = expressions.fits(0, "from ", m, " import ", ", ".join(names))
            imports[_section(m)].append(Import(m, names, one_line))
        return tuple(ImportSection(tuple(modules[i]), tuple(imports[i])) for i in range(3) if modules[i] or imports[i])


def _section(module: str) -> int:
    if module.startswith("."):
        return 2
    return 0 if module.split(".")[0] in sys.stdlib_module_names else 1


def _import_key(name: str) -> tuple[int, str]:
    # isort's order within an import: CONSTANTS, Classes, functions.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)
