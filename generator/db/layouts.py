"""The chain's migrations laid out for another runner (`layout` in [tool.schemagen]).

generated/migrations/ stays the chain (checksums, saved states, what `schemagen migrate`
and `schemagen build` read); a layout writes, from each written migration's text, the
files another runner applies, one file a unit that runner can run as it runs files:

- `supabase`: `supabase/migrations/<14-digit timestamp>_<name>[_<phase>].sql`. Supabase's
  CLI runs each file in one transaction (statements it knows cannot, CREATE/DROP INDEX
  CONCURRENTLY, it runs on their own) and records it when it ends. So each phase is a file,
  without its own BEGIN/COMMIT; the batched copy, whose loop commits each batch, is split:
  what comes before the loop (the capture triggers must commit before rows are copied), the
  loop as one transaction (it reads the old partitions, blocking no writer), what comes
  after. The timestamp is derived from the version, never from today: 2000-01-01 plus
  (version - 1) days, plus one minute a file. Down files are not written there (the CLI
  would read `x.down.sql` as a migration of its own): they stay in generated/migrations/.
- `flyway`: `V<version>[.<part>]__<name>[_<phase>].sql` and `U...` for the down. Flyway runs
  each script in a transaction unless its script configuration (`<file>.conf`) says
  `executeInTransaction=false`, which the phases outside a transaction get; `flyway undo`
  takes back the highest version first, so the down's phases are numbered from the top.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import phases

if TYPE_CHECKING:
    from ..spec.config import Settings

DEFAULT_DIRS = {"supabase": "supabase/migrations", "flyway": "db/migration"}
EPOCH = datetime.datetime(2000, 1, 1)
_TOP_KEY = r'^ "{key}": (?P<value>"[^"\n]*"|\d+),?$'
_LOOP_COMMIT = re.compile(r"^[ \t]*COMMIT;[ \t]*\n", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Unit:
    """Statements a runner runs as one file."""

    phase: str
    transactional: bool  # False: the runner must run it outside a transaction (Flyway: executeInTransaction=false)
    statements: tuple[phases.Statement, ...]
    note: str = ""  # why the phase was split, for the file's header


@dataclass(frozen=True)
class Source:
    version: int
    name: str
    stem: str
    up: str
    down: str | None


def outputs(settings: Settings, migrations: dict[str, str]) -> dict[str, str]:
    """The layout's files, as paths relative to the output directory (the manifest keeps them)."""
    if settings.layout == "schemagen":
        return {}
    target = settings.layout_dir or settings.root / DEFAULT_DIRS[settings.layout]
    base = os.path.relpath(target, settings.out_dir).replace(os.sep, "/")
    files = supabase(sources(migrations)) if settings.layout == "supabase" else flyway(sources(migrations))
    return {f"{base}/{name}": text for name, text in files.items()}


def sources(migrations: dict[str, str]) -> list[Source]:
    """Each migration of the chain's files, oldest first (version and name from its saved state)."""
    result = []
    for path, state in migrations.items():
        if not path.endswith(".state.json"):
            continue
        stem = path.removesuffix(".state.json")
        version = re.search(_TOP_KEY.format(key="version"), state, re.MULTILINE)
        name = re.search(_TOP_KEY.format(key="name"), state, re.MULTILINE)
        assert version is not None and name is not None, path  # chain.read checked every state
        result.append(
            Source(
                int(version["value"]),
                name["value"].strip('"'),
                stem.rsplit("/", 1)[-1],
                migrations[f"{stem}.sql"],
                migrations.get(f"{stem}.down.sql"),
            )
        )
    return sorted(result, key=lambda s: s.version)


# -- Supabase ----------------------------------------------------------------------------


def supabase(chain: list[Source]) -> dict[str, str]:
    files = {}
    for source in chain:
        units = supabase_units(phases.read(source.up))
        for i, unit in enumerate(units):
            stamp = (EPOCH + datetime.timedelta(days=source.version - 1, minutes=i)).strftime("%Y%m%d%H%M%S")
            files[f"{stamp}_{source.name}{_suffix(unit, units)}.sql"] = _text(source, unit, units, "supabase")
    return files


def supabase_units(file_phases: list[phases.Phase]) -> list[Unit]:
    units = []
    for phase in file_phases:
        body = phase.body
        if not any(s.commits for s in body):
            units.append(Unit(phase.name, not any(s.concurrent for s in body), body))
            continue
        settings = _leading_sets(body)
        run: list[phases.Statement] = []
        for statement in body[len(settings) :]:
            if not statement.commits:
                run.append(statement)
                continue
            if run:
                units.append(Unit(phase.name, True, (*settings, *run)))
                run = []
            looped = phases.Statement(
                _LOOP_COMMIT.sub("", statement.sql), statement.line, statement.kind, statement.notes
            )
            units.append(
                Unit(
                    phase.name,
                    True,
                    (*settings, looped),
                    "the copy loop without its COMMIT after each batch: one transaction, as Supabase's CLI runs a file",
                )
            )
        if run:
            units.append(Unit(phase.name, True, (*settings, *run)))
    return units


# -- Flyway ------------------------------------------------------------------------------


def flyway(chain: list[Source]) -> dict[str, str]:
    files = {}
    for source in chain:
        up = flyway_units(phases.read(source.up))
        down = flyway_units(phases.read(source.down)) if source.down else []
        count = max(len(up), len(down))
        for k in range(count):
            version = str(source.version) if count == 1 else f"{source.version}.{k + 1}"
            pairs = [("V", up[k] if k < len(up) else None, up)]
            if down:
                j = count - 1 - k  # undo runs the highest version first: the down's first phase sits on top
                pairs.append(("U", down[j] if j < len(down) else None, down))
            for prefix, unit, units in pairs:
                name = f"{prefix}{version}__{source.name}{_suffix(unit, units) if unit else ''}.sql"
                files[name] = _text(source, unit, units, "flyway", down=prefix == "U")
                if unit is not None and not unit.transactional:
                    files[name + ".conf"] = "executeInTransaction=false\n"
    return files


def flyway_units(file_phases: list[phases.Phase]) -> list[Unit]:
    """A transaction phase without its BEGIN/COMMIT (Flyway's transaction replaces them); the others as written, outside
    one."""
    return [Unit(p.name, p.transactional, p.body if p.transactional else p.statements) for p in file_phases]


# -- the files ---------------------------------------------------------------------------


def _suffix(unit: Unit, units: list[Unit]) -> str:
    if len(units) == 1:
        return ""
    same = [u for u in units if u.phase == unit.phase]
    return f"_{unit.phase}" + (f"_{same.index(unit) + 1}" if len(same) > 1 else "")


def _text(source: Source, unit: Unit | None, units: list[Unit], layout: str, down: bool = False) -> str:
    origin = f"migrations/{source.stem}{'.down' if down else ''}.sql"
    if unit is None:
        return (
            f"-- Generated by schemagen: nothing to run here; it keeps {source.stem}'s numbering (undo takes "
            "back V and U in pairs).\n"
        )
    part = [u for u in units if u.phase == unit.phase]
    where = f"phase {unit.phase}" + (f", part {part.index(unit) + 1} of {len(part)}" if len(part) > 1 else "")
    mode = {
        ("supabase", True): "Runs in one transaction, as Supabase's CLI runs each file.",
        (
            "supabase",
            False,
        ): "Supabase's CLI runs its CONCURRENTLY statements outside the file's transaction; every statement "
        "here can run again.",
        ("flyway", True): "Runs in one transaction (Flyway's).",
        (
            "flyway",
            False,
        ): "Runs outside a transaction (executeInTransaction=false in its .conf); every statement here can run again.",
    }[layout, unit.transactional]
    lines = [
        f"-- Generated by schemagen from {origin} ({where}) for {layout}: do not edit.",
        f"-- {mode}",
        *([f"-- This file holds {unit.note}."] if unit.note else []),
        "",
    ]
    for statement in unit.statements:
        lines += [*statement.notes, statement.sql + ";"]
    return "\n".join(lines) + "\n"


def _leading_sets(body: tuple[phases.Statement, ...]) -> tuple[phases.Statement, ...]:
    """The SET lock_timeout / statement_timeout a phase starts with: every file cut from it repeats them
    (Supabase's CLI runs RESET ALL before each file)."""
    count = 0
    while count < len(body) and re.match(r"SET\s", body[count].sql, re.IGNORECASE):
        count += 1
    return body[:count]
