"""IR -> Pydantic v2 models, one Python module per spec module (`models/<module>.py`).

render() builds each module's view-model (viewmodel.py: its enums here, its
tables' models in tables.py) and fills templates/models/module.py.j2 with it.
Rendering is pure (`render(schema) -> Models`); what cannot be modelled (a type
with no Python mapping, a name clash) comes back as Problems for pipeline.py to
report with positions, and the CHECKs left to the database come back as notes.
"""

from __future__ import annotations

import keyword
from collections.abc import Hashable
from dataclasses import dataclass

from .. import errors, ir
from ..templating import environment
from . import spelling, tables, usertypes, views
from .imports import RESERVED, Imports
from .tables import Problem
from .usertypes import UserTypes
from .viewmodel import ChangesModel, EnumClass, Member, Module, RowModel

__all__ = ["Models", "Problem", "render"]


@dataclass(frozen=True)
class Models:
    outputs: dict[str, str]
    problems: list[Problem]
    notes: list[str]  # one line per CHECK left to the database


def render(schema: ir.Schema) -> Models:
    enums = {e.name: e for e in schema.enums}
    types = UserTypes.of(schema)  # types5
    composites_of = ir.by_module(schema.composite_types)
    enums_of = ir.by_module(schema.enums)
    tables_of = ir.by_module(schema.tables)
    views_of = ir.by_module(schema.views)
    problems: list[Problem] = []
    notes: list[str] = []
    outputs: dict[str, str] = {}
    env = environment()
    template = env.get_template("models/module.py.j2")
    for module in schema.modules:
        my_enums, my_tables = enums_of.get(module.name, []), tables_of.get(module.name, [])
        my_views = views_of.get(module.name, [])
        my_composites = composites_of.get(module.name, [])
        if not my_enums and not my_tables and not my_views and not my_composites:
            continue
        source = next(m.file for m in schema.modules if m.name == module.name)  # the first file of the module
        view = _module(module, source, my_enums, my_tables, enums, problems, notes, my_views, types, my_composites)
        if view is not None:
            outputs[f"models/{module.name}.py"] = template.render(module=view)
    if outputs:
        outputs["models/__init__.py"] = env.get_template("models/package.py.j2").render()
    return Models(outputs, problems, notes)


def _module(
    module: ir.Module,
    source: str,
    my_enums: list[ir.Enum],
    my_tables: list[ir.Table],
    enums: dict[ir.Name, ir.Enum],
    problems: list[Problem],
    notes: list[str],
    my_views: list[ir.View] | None = None,
    types: UserTypes | None = None,
    my_composites: list[ir.CompositeType] | None = None,
) -> Module | None:
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
    imports = Imports()
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

    for e in my_enums:
        claim(spelling.class_name(e.name.name), ("enum", e.name), f"enum {e.name.display}")
    if my_enums:
        imports.use("enum", "StrEnum")
    types = types or UserTypes()
    my_composites = usertypes.composite_order(my_composites or [])
    for c in my_composites:
        claim(spelling.class_name(c.name.name), ("composite_type", c.name), f"composite type {c.name.display}")
    for t in my_tables:
        cls = spelling.class_name(t.name.name)
        for suffix in ("", "Insert", "Update"):
            claim(cls + suffix, ("table", t.name), f"table {t.name.display}")
    for v in my_views or ():
        claim(spelling.class_name(v.name.name), ("view", v.name), f"{v.kind} {v.name.display}")
    models: list[RowModel | ChangesModel] = []
    class_names = frozenset(classes)
    for c in my_composites:
        value = views.composite(c, enums, imports, class_names, problems, types)
        if value is not None:
            models.append(value)
    for t in my_tables:
        models += tables.models(t, enums, imports, class_names, problems, notes, types)
    for v in my_views or ():
        row = views.model(v, enums, imports, class_names, problems, types)
        if row is not None:
            models.append(row)
    for alias in imports.aliases:
        if alias in classes:
            problems.append(
                Problem(
                    classes[alias],
                    errors.PYTHON_NAME,
                    f"the class {alias} clashes with the type alias of that name in the models module",
                )
            )
    if my_tables or my_views or my_composites:  # an enums-only module needs none of the model machinery
        imports.use("pydantic", "BaseModel")
        imports.use("pydantic", "ConfigDict")
        imports.use("typing", "Any")
        imports.use("pydantic", "SerializerFunctionWrapHandler")
        imports.use("pydantic", "model_serializer")
    return Module(
        name=module.name,
        source=spelling.docstring_text(source),
        description=spelling.docstring_text(module.description or ""),
        import_sections=imports.sections(),
        aliases=tuple(imports.aliases[name] for name in sorted(imports.aliases)),
        enums=tuple(_enum(e) for e in my_enums),
        models=tuple(models),
    )


def _enum(e: ir.Enum) -> EnumClass:
    summary = spelling.docstring_text(e.comment or "", first=True)
    return EnumClass(
        spelling.class_name(e.name.name),
        summary or f"The enum {spelling.docstring_text(e.name.display)}.",
        tuple(Member(n, spelling.literal(v)) for n, v in zip(spelling.member_names(e.values), e.values)),
    )
