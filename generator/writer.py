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
    """Write what changed and remove what is no longer generated; return the paths touched."""
    touched = stale(out_dir, outputs)
    obsolete = previous_files(out_dir) - set(outputs)
    for rel in touched:
        path = out_dir / rel
        if rel in obsolete:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, outputs[rel])
    return touched


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
