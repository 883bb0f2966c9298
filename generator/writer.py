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
import tempfile
from pathlib import Path

MANIFEST = "manifest.json"


def digest(text: str) -> str:
    return digest_bytes(text.encode("utf-8"))


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def with_manifest(outputs: dict[str, str]) -> dict[str, str]:
    files = {path: digest(text) for path, text in sorted(outputs.items())}
    manifest = {"generator": "schemagen", "files": files}
    return {**outputs, MANIFEST: json.dumps(manifest, indent=2, sort_keys=True) + "\n"}


def previous_files(out_dir: Path) -> set[str]:
    return set(recorded(out_dir))


def recorded(out_dir: Path) -> dict[str, str]:
    """The files the last run wrote, with their checksums (empty without a readable manifest).

    For migrations the checksum is binding: a written migration never changes
    (schemagen.chain refuses one whose bytes no longer match).
    """
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
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


def write(out_dir: Path, outputs: dict[str, str]) -> list[str]:
    """Write what changed and remove what is no longer generated; return the paths touched.

    Two phases, so that a full disk or a permission error loses nothing: every
    changed file is first written and synced beside its target under a temporary
    name; only when all of them are on disk are they renamed into place (each
    rename is atomic), the manifest last, so an interrupted build shows up as
    stale to `--check`.
    """
    touched = stale(out_dir, outputs)
    obsolete = previous_files(out_dir) - set(outputs)
    writes = sorted((rel for rel in touched if rel not in obsolete), key=lambda rel: rel == MANIFEST)
    staged: list[tuple[str, Path]] = []
    try:
        for rel in writes:
            staged.append((_stage(out_dir / rel, outputs[rel]), out_dir / rel))
    except BaseException:
        for tmp, _target in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    try:
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _target in staged:
            Path(tmp).unlink(missing_ok=True)  # already renamed: nothing left to remove
    for rel in sorted(obsolete & set(touched)):
        (out_dir / rel).unlink(missing_ok=True)
    return touched


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
