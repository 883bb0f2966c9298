"""One process at a time for work that tests share on disk (`npm ci` into the repository's node_modules/,
a CLI installed once into the temp directory): the suite runs in parallel workers (pytest-xdist), and other
runs of it may share the machine."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def exclusive(what: Path) -> Iterator[None]:
    """Hold an exclusive lock named after `what` (a lock file in the temp directory, so that a read-only checkout
    works) until the block ends; another process asking for it waits."""
    digest = hashlib.sha256(str(what.resolve()).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"schemagen-tests-{digest}.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
