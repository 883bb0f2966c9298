"""Event triggers (funcs5): database-wide, known by name, calling a function that returns event_trigger."""

from __future__ import annotations

from .. import errors, ir
from ..spec.loader import LoadedFile
from . import routines
from .registry import Registry
from .report import Report, Where, ident


def event_triggers(files: list[LoadedFile], registry: Registry, report: Report) -> list[ir.EventTrigger]:
    result: list[ir.EventTrigger] = []
    seen: set[str] = set()
    for f in files:
        for key, et in f.spec.event_triggers.items():
            where = Where(f.pos, ("event_triggers", key))
            ok = ident(report, key, where, "event trigger name")
            if key in seen:
                report.error(where, errors.DUPLICATE_NAME, f'event trigger "{key}" is defined twice', key=True)
                ok = False
            seen.add(key)
            name, found = routines.find(et.function, registry)
            found = [k for k in found if not k[1]] or found  # an event trigger function takes no arguments
            if len(found) > 1:
                routines.ambiguous(report, where.at("function"), et.function, found)
                continue
            returns = (
                registry.functions[found[0]].spec.returns
                if found
                else (registry.external_functions[name].returns if name in registry.external_functions else None)
            )
            if returns is None:
                report.error(
                    where.at("function"),
                    errors.UNKNOWN_FUNCTION,
                    f'event trigger calls unknown function "{et.function}"',
                )
                continue
            if returns.strip().lower() != "event_trigger":
                report.error(
                    where.at("function"), errors.SQL_SHAPE, f'function "{et.function}" does not return event_trigger'
                )
                continue
            for i, tag in enumerate(et.tags):
                if not tag.strip() or "'" in tag:
                    report.error(
                        where.at("tags", i), errors.SPEC_INVALID, f'"{tag}" is not a command tag, e.g. DROP TABLE'
                    )
                    ok = False
            if ok:
                report.origin(("event_trigger", key), where, et.lint)
                result.append(ir.EventTrigger(key, f.module, et.event, name, tuple(et.tags), et.comment))
    return result
