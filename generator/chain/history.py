"""The chain of migrations in generated/migrations: read back, checked, and extended.

Each migration `NNNN_name.sql` has beside it `NNNN_name.state.json`, the IR
of the schema it produces, and (after the first) `NNNN_name.down.sql`. A
written migration never changes: the manifest keeps the checksum of each
file, and a file edited by hand, or missing, is an error. The next migration
is the diff between the last state and the spec; when they are the same no
migration is written.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from .. import diff, errors, ir
from ..ir import codec
from ..resolve import intent
from ..spec.config import Settings
from ..spec.loader import display_path
from ..spec.origins import Origins
from ..sql import from_scratch
from . import state, writer

MIGRATIONS = "migrations"


@dataclass(frozen=True)
class Written:
    """One migration already in the output directory."""

    version: int
    name: str
    stem: str
    files: dict[str, str]  # path relative to the output directory -> text, exactly as on disk
    shown: str = ""  # the state file as errors name it
    # the state's JSON upgraded to the current format, as the fields of ir.Schema (state.schema_fields), kept for
    # the newest only
    saved: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def state(self) -> ir.Schema:
        """The schema after this migration, decoded when first asked for: only the diff of a
        changed spec needs it (12 MB of JSON and half a million values for 1,000 tables)."""
        rel = f"{MIGRATIONS}/{self.stem}.state.json"
        try:
            if self.saved is not None:
                return codec.schema_from_json(self.saved)
            return state.decode(json.loads(self.files[rel]))
        except (ValueError, TypeError, KeyError) as exc:
            raise errors.SpecError(
                [errors.Diagnostic(self.shown or rel, 1, 1, errors.MIGRATION, f"cannot read the saved state: {exc}")]
            ) from None

    @property
    def confirmed(self) -> tuple[str, ...]:
        """The allow_destructive entries this migration used up (ir.Schema.confirmed)."""
        return confirmed_in(
            self.saved if self.saved is not None else json.loads(self.files[f"{MIGRATIONS}/{self.stem}.state.json"])
        )

    def describes(self, schema: ir.Schema) -> bool:
        """Whether the spec `schema` is this migration's state (`diff.unchanged`), judged on the saved JSON."""
        return self.saved is not None and diff.unchanged(self.saved, schema)


def read(settings: Settings) -> list[Written]:
    """The migrations in the output directory, oldest first; errors if one was edited or is missing."""
    out = settings.out_dir
    if (out / MIGRATIONS).exists() and not (out / MIGRATIONS).is_dir():
        shown = display_path(out / MIGRATIONS)
        raise errors.SpecError(
            [
                errors.Diagnostic(
                    shown,
                    1,
                    1,
                    errors.MIGRATION_MISSING,
                    "a file, where the directory of migrations belongs: move it away (and restore the "
                    "directory from version control if it held migrations)",
                )
            ]
        )
    recorded = writer.recorded(out)
    diags: list[errors.Diagnostic] = []
    present = sorted(
        p.relative_to(out).as_posix()
        for p in (out / MIGRATIONS).glob("*")
        if p.is_file() and not p.name.startswith(".")
    )
    # without the checksums nothing proves a migration unedited: refuse rather than trust them
    if present and not recorded:
        manifest = display_path(out / writer.MANIFEST)
        raise errors.SpecError(
            [
                errors.Diagnostic(
                    manifest,
                    1,
                    1,
                    errors.MIGRATION_EDITED,
                    f"{writer.MANIFEST} is missing or unreadable, so the migrations cannot be checked for "
                    f"hand edits: restore it from version control (git checkout -- {manifest})",
                )
            ]
        )
    # What an interrupted build put in place of a migration whose state it had not (its files are put in place
    # in name order, the state last): never part of the chain, and removed by the next write (writer.write).
    committed = writer.committed(out)
    states = {rel.removesuffix(".state.json") for rel in present if rel.endswith(".state.json")}
    unfinished = {rel for rel in present if rel in recorded and rel not in committed and _stem_path(rel) not in states}
    present = [rel for rel in present if rel not in unfinished]
    for rel in sorted(set(recorded) | set(present)):
        if not rel.startswith(MIGRATIONS + "/") or rel in unfinished:
            continue
        shown = display_path(out / rel)
        if rel not in present:
            diags.append(
                errors.Diagnostic(
                    shown,
                    1,
                    1,
                    errors.MIGRATION_MISSING,
                    "migration file is missing: migrations are never removed (restore it from version control)",
                )
            )
        elif rel not in recorded:
            diags.append(
                errors.Diagnostic(
                    shown,
                    1,
                    1,
                    errors.MIGRATION_EDITED,
                    "file is not in manifest.json, so nothing proves schemagen wrote it unedited: if it "
                    "was put here by hand, or by a build this version could not recover, and no database "
                    "has run it, remove it and build again; otherwise restore manifest.json from version "
                    "control",
                )
            )
        elif rel in recorded and writer.digest_bytes((out / rel).read_bytes()) != recorded[rel]:
            diags.append(
                errors.Diagnostic(
                    shown,
                    1,
                    1,
                    errors.MIGRATION_EDITED,
                    "migration was edited by hand (its checksum differs from manifest.json): a written "
                    "migration never changes; restore it and change the spec instead",
                )
            )
    if diags:
        raise errors.SpecError(diags)
    result = []
    newest: tuple[int, dict[str, Any]] | None = (
        None  # only the newest state's JSON is kept (one a migration: long chains)
    )
    for rel in present:
        if not rel.endswith(".state.json"):
            continue
        stem = rel.removeprefix(MIGRATIONS + "/").removesuffix(".state.json")
        data = (out / rel).read_bytes().decode("utf-8")
        try:
            saved = json.loads(data)
            version, name = saved["version"], saved["name"]
            if not isinstance(version, int) or not isinstance(name, str):
                raise TypeError("version must be a number and name a string")
            state.format_of(saved)
        except (ValueError, TypeError, KeyError) as exc:
            raise errors.SpecError(
                [
                    errors.Diagnostic(
                        display_path(out / rel), 1, 1, errors.MIGRATION, f"cannot read the saved state: {exc}"
                    )
                ]
            ) from None
        if newest is None or version > newest[0]:
            newest = (version, saved)
        del saved
        files = {rel: data}  # the state as read above: read again, it would be held twice (12 MB for 1,000 tables)
        for suffix in (".sql", ".down.sql"):
            path = f"{MIGRATIONS}/{stem}{suffix}"
            if (out / path).is_file():
                files[path] = (out / path).read_bytes().decode("utf-8")
        if f"{MIGRATIONS}/{stem}.sql" not in files:
            raise errors.SpecError(
                [
                    errors.Diagnostic(
                        display_path(out / rel),
                        1,
                        1,
                        errors.MIGRATION_MISSING,
                        f"state without its migration {stem}.sql",
                    )
                ]
            )
        result.append(Written(version, name, stem, files, display_path(out / rel)))
    result.sort(key=lambda w: w.version)
    if result and newest is not None:
        try:
            saved = state.schema_fields(newest[1])
        except (ValueError, TypeError, KeyError) as exc:
            raise errors.SpecError(
                [errors.Diagnostic(result[-1].shown, 1, 1, errors.MIGRATION, f"cannot read the saved state: {exc}")]
            ) from None
        result[-1] = dataclasses.replace(result[-1], saved=saved)
    for a, b in itertools.pairwise(result):
        if a.version == b.version:
            raise errors.SpecError(
                [
                    errors.Diagnostic(
                        display_path(out / MIGRATIONS / f"{b.stem}.sql"),
                        1,
                        1,
                        errors.MIGRATION,
                        f"two migrations are numbered {a.version} ({a.stem}, {b.stem})",
                    )
                ]
            )
    return result


def _stem_path(rel: str) -> str:
    """`migrations/0002_x` of `migrations/0002_x.sql`, `.down.sql` or `.state.json`."""
    for suffix in (".state.json", ".down.sql", ".sql"):
        if rel.endswith(suffix):
            return rel.removesuffix(suffix)
    return rel


def outputs(
    settings: Settings, schema: ir.Schema, origins: Origins, sources: list[str], name: str | None
) -> tuple[dict[str, str], str]:
    """Every migration file: the written ones as they are, and the next one if the spec changed;
    and the path of the newest migration (the one whose state the spec describes). `origins` place
    the diff's refusals in the spec; `sources` are the spec files' names."""
    chain = read(settings)
    result = {path: text for w in chain for path, text in w.files.items()}
    if not chain:
        stem = settings.migration_stem(schema.version, schema.name)
        result[f"{MIGRATIONS}/{stem}.sql"] = from_scratch.migration_sql(schema, sources)
        result[f"{MIGRATIONS}/{stem}.state.json"] = state.text(schema)
        return result, f"{MIGRATIONS}/{stem}.sql"
    nxt = next_migration(settings, chain[-1], schema, origins, sources, name)
    newest = next((path for path in nxt if path.endswith(".state.json")), f"{MIGRATIONS}/{chain[-1].stem}.state.json")
    return result | nxt, newest.removesuffix(".state.json") + ".sql"


def next_migration(
    settings: Settings, last: Written, schema: ir.Schema, origins: Origins, sources: list[str], name: str | None
) -> dict[str, str]:
    if last.describes(schema):
        return {}  # what diff.migration finds for an unchanged spec, without decoding the last state
    version = last.version + 1
    # An entry the last migration used confirms nothing more: left in the spec, it would
    # silently confirm a later, unrelated change of the same object (drop, re-add, drop).
    spent = frozenset(schema.intent.allow_destructive) & frozenset(last.confirmed)
    fresh = dataclasses.replace(
        schema,
        intent=dataclasses.replace(
            schema.intent, allow_destructive=tuple(e for e in schema.intent.allow_destructive if e not in spent)
        ),
    )
    migration = diff.migration(
        last.state, fresh, number=version, name=name, previous=last.stem, sources=sources, spent=spent
    )
    if migration.empty:
        return {}  # spent entries are only reported (spent_notes) while no migration is written
    diags = [intent.place(r, origins) for r in migration.refusals]
    diags += [
        d
        for d, entry in intent.spent_entries(origins, spent, last.stem)
        if not any(f"`{entry}`" in r.message for r in migration.refusals)
    ]
    if diags:
        raise errors.SpecError(diags)
    stem = settings.migration_stem(version, migration.name)
    after = dataclasses.replace(
        schema, version=version, name=migration.name, intent=ir.Intent(), confirmed=migration.confirmed, tenancy=None
    )
    return {
        f"{MIGRATIONS}/{stem}.sql": migration.up,
        f"{MIGRATIONS}/{stem}.down.sql": migration.down,
        f"{MIGRATIONS}/{stem}.state.json": state.text(after),
    }


def confirmed_in(data: dict[str, Any]) -> tuple[str, ...]:
    """The `confirmed` entries of a saved state's JSON (none in a state written before they were recorded)."""
    value = data.get("confirmed", ())
    return tuple(e for e in value if isinstance(e, str)) if isinstance(value, list) else ()


def spent_notes(schema: ir.Schema, origins: Origins, migrations: dict[str, str], newest: str) -> list[str]:
    """A line for each allow_destructive entry the newest migration used: it confirms nothing
    more, and writing the next migration is refused until it is removed."""
    if not schema.intent.allow_destructive:
        return []  # the usual case: no state to read
    stem = newest.removeprefix(MIGRATIONS + "/").removesuffix(".sql")
    confirmed = confirmed_in(json.loads(migrations[f"{MIGRATIONS}/{stem}.state.json"]))
    found = intent.spent_entries(origins, frozenset(confirmed), stem)
    return [f"{d.file}:{d.line}:{d.column}: note: {d.message}" for d, _entry in found]


def newest_confirmed(settings: Settings) -> tuple[str, tuple[str, ...]]:
    """The newest migration's stem and the allow_destructive entries it used, read without checking
    the chain (for `schemagen lint`, which reports a spent entry but never judges the migrations)."""
    newest: tuple[int, str, tuple[str, ...]] | None = None
    for path in (settings.out_dir / MIGRATIONS).glob("*.state.json"):
        try:
            data = json.loads(path.read_bytes())
            version = data["version"]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # `schemagen build` reports a state it cannot read
        if isinstance(version, int) and (newest is None or version > newest[0]):
            newest = (version, path.name.removesuffix(".state.json"), confirmed_in(data))
    return ("", ()) if newest is None else newest[1:]


class CannotDiscard(Exception):
    """The command line names no migration that can be discarded (the message says why)."""


def discard(settings: Settings, which: str) -> list[str]:
    """Remove the newest migration (named by its stem or number) and its manifest entries; return the paths removed.

    For a migration no database has run: the chain then ends one earlier, and
    the next build writes the spec's change again. Refused for any other.
    """
    chain = read(settings)
    if not chain:
        raise CannotDiscard(f"there is no migration in {display_path(settings.out_dir / MIGRATIONS)} to discard")
    newest = chain[-1]
    wanted = which.removesuffix(".sql").removesuffix(".down").removesuffix(".state.json")
    named = wanted == newest.stem or (wanted.isdigit() and int(wanted) == newest.version)
    if not named:
        known = next(
            (w for w in chain if wanted in (w.stem, str(w.version)) or (wanted.isdigit() and int(wanted) == w.version)),
            None,
        )
        why = f"{known.stem} is not the newest migration" if known else f'no migration is named "{which}"'
        raise CannotDiscard(f"{why}; only the newest, {newest.stem}, can be discarded (one at a time)")
    out = settings.out_dir
    recorded = writer.recorded(out)
    gone = sorted(newest.files)
    writer.commit(
        out,
        {writer.MANIFEST: writer.manifest_text({rel: digest for rel, digest in recorded.items() if rel not in gone})},
        gone,
    )
    return gone
