"""Writing generated files: atomically, and only the ones whose bytes changed.

`outputs` maps a path relative to the output directory to its text. A manifest
(`manifest.json`) lists what schemagen wrote, with checksums, so files it no
longer generates are removed and hand edits are detected, while files schemagen
never wrote are left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import tempfile
from pathlib import Path

MANIFEST = "manifest.json"
JOURNAL = ".manifest.json.journal"  # the manifest a build is putting in place (see commit)
MIGRATIONS = "migrations/"
_TEMPORARY = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")  # what _stage names its files


def digest(text: str) -> str:
    return digest_bytes(text.encode("utf-8"))


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def with_manifest(outputs: dict[str, str]) -> dict[str, str]:
    return {**outputs, MANIFEST: manifest_text({path: digest(text) for path, text in outputs.items()})}


def manifest_text(files: dict[str, str]) -> str:
    """manifest.json listing `files` (path -> checksum)."""
    return json.dumps({"generator": "schemagen", "files": dict(sorted(files.items()))}, indent=2, sort_keys=True) + "\n"


def previous_files(out_dir: Path) -> set[str]:
    return set(recorded(out_dir))


def recorded(out_dir: Path) -> dict[str, str]:
    """The files the last run wrote, with their checksums (empty without a readable manifest).

    For migrations the checksum is binding: a written migration never changes
    (schemagen.chain refuses one whose bytes no longer match). After a build
    that was interrupted while putting its files in place (a journal is left,
    see `commit`), each file counts with the checksum it has on disk, the new
    one or the old: a migration that build put in place is its, not a stranger.
    """
    manifest = _manifest_files(out_dir / MANIFEST)
    journal = _manifest_files(out_dir / JOURNAL)
    if not journal:
        return manifest
    result = {}
    for rel in sorted(set(manifest) | set(journal)):
        try:
            actual: str | None = digest_bytes((out_dir / rel).read_bytes())
        except OSError:
            actual = None
        if rel in journal and actual == journal[rel]:
            result[rel] = journal[rel]
        elif rel in manifest and (actual is not None or rel in journal):
            result[rel] = manifest[rel]
        # else: removed by that build, or a new file it had not yet put in place
    return result


def committed(out_dir: Path) -> dict[str, str]:
    """The files manifest.json lists, with their checksums: what the last build that finished wrote."""
    return _manifest_files(out_dir / MANIFEST)


def _manifest_files(path: Path) -> dict[str, str]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in manifest.get("files", {}).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def stale(out_dir: Path, outputs: dict[str, str]) -> list[str]:
    """Paths that differ from what would be generated: changed, missing, or no longer generated."""
    result = []
    for rel, text in sorted(outputs.items()):
        path = out_dir / rel
        try:
            if path.read_bytes() != text.encode("utf-8"):
                result.append(rel)
        except OSError:
            result.append(rel)
    for rel in sorted(previous_files(out_dir) - set(outputs)):
        if (out_dir / rel).exists():
            result.append(rel)
    return result


def leftovers(out_dir: Path) -> list[str]:
    """What an interrupted build left: its journal and its temporary files (relative paths)."""
    if not out_dir.is_dir():
        return []
    found = [JOURNAL] if (out_dir / JOURNAL).exists() else []
    found += sorted(
        p.relative_to(out_dir).as_posix()
        for p in out_dir.rglob(".*.tmp")
        if _TEMPORARY.fullmatch(p.name) and p.is_file()
    )
    return found


def write(out_dir: Path, outputs: dict[str, str]) -> list[str]:
    """Write what changed and remove what is no longer generated; return the paths touched.

    A migration in manifest.json is never removed here: only `schemagen discard`
    does that. (A build that no longer lists one raced with another build, which
    the lock prevents; leaving the file is then the safe mistake.) A migration
    file only an interrupted build's journal lists, and that the chain left out
    (that build did not put its state in place: chain/history.py), was never
    committed: it goes, so that the spec's change is written once.
    """
    touched = stale(out_dir, outputs)
    obsolete = previous_files(out_dir) - set(outputs)
    finished = committed(out_dir)
    removals = [rel for rel in sorted(obsolete & set(touched)) if not rel.startswith(MIGRATIONS) or rel not in finished]
    commit(out_dir, {rel: outputs[rel] for rel in touched if rel not in obsolete}, removals)
    return touched


def commit(out_dir: Path, writes: dict[str, str], removals: list[str]) -> None:
    """Put `writes` in place and remove `removals`, so that no interruption loses a migration.

    Every file is first written and synced beside its target under a temporary
    name (a full disk or a permission error then changes nothing). Then the new
    manifest is saved as a journal, the files are renamed into place (each
    rename is atomic), the removals done, the manifest renamed last, and the
    journal removed. A run killed in between leaves the journal: `recorded`
    reads it, the next build finishes the work, and `build --check` reports it
    and any temporary file (`leftovers`).
    """
    for rel in leftovers(out_dir):  # an earlier run's, interrupted: under the lock nobody else writes here
        if rel != JOURNAL:
            (out_dir / rel).unlink(missing_ok=True)
    ordered = sorted(writes, key=lambda rel: rel == MANIFEST)
    staged: list[tuple[str, Path]] = []
    try:
        for rel in ordered:
            staged.append((_stage(out_dir / rel, writes[rel]), out_dir / rel))
    except BaseException:
        for tmp, _target in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    fault("staged")
    try:
        if MANIFEST in writes:
            atomic_write(out_dir / JOURNAL, writes[MANIFEST])
            fault("journal")
        for n, (tmp, target) in enumerate(staged, 1):
            if target.name == MANIFEST and target.parent == out_dir:
                for rel in removals:
                    (out_dir / rel).unlink(missing_ok=True)
                fault("removed")
            os.replace(tmp, target)
            fault(f"replaced-{n}")
        if MANIFEST not in writes:
            for rel in removals:
                (out_dir / rel).unlink(missing_ok=True)
    finally:
        for tmp, _target in staged:
            Path(tmp).unlink(missing_ok=True)  # already renamed: nothing left to remove
    fault("manifest")
    (out_dir / JOURNAL).unlink(missing_ok=True)


def fault(point: str) -> None:
    """A fault-injection point for the crash tests: SCHEMAGEN_FAULT=<point> kills the process here
    with SIGKILL (nothing of it runs after). Inert when the variable is unset."""
    if os.environ.get("SCHEMAGEN_FAULT") == point:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def atomic_write(path: Path, text: str) -> None:
    tmp = _stage(path, text)
    try:
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _stage(path: Path, text: str) -> str:
    """Write `text` to a synced temporary file beside `path`; return its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp
