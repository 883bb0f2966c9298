"""One schemagen at a time on an output directory.

Two builds at once on a changing spec would each read the chain, then each
write a next migration: two `0002_*` files, or one build removing the
migration the other had just written. `build` therefore holds an exclusive
lock while it reads and writes the output directory; `build --check` and
`discard` hold one too (shared for --check), so they never see a build half
done. A second run waits (at most SCHEMAGEN_LOCK_TIMEOUT seconds, default 60)
and says whom it waits for.

The lock is `flock` on a file beside the output directory,
`.<out>.schemagen.lock` (the directory itself may not exist yet, and a
failed first build must not create it). The file exists while a command runs:
the last holder removes it. The kernel drops the lock of a process that dies,
so a file left by a killed run blocks nobody. On Windows, `msvcrt.locking`
stands in (exclusive only, and the file stays).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

DEFAULT_TIMEOUT = 60.0
POLL = 0.1


class Busy(Exception):
    """The output directory stayed locked by another schemagen for the whole wait."""


def lock_path(out_dir: Path) -> Path:
    out = out_dir.resolve()
    return out.parent / f".{out.name}.schemagen.lock"


def timeout() -> float:
    try:
        return max(0.0, float(os.environ.get("SCHEMAGEN_LOCK_TIMEOUT", DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


@contextlib.contextmanager
def held(out_dir: Path, *, exclusive: bool, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of `out_dir` for the block. `waiting(holder)` is called once if another run holds it.

    A shared lock (reading only) that cannot create its file, in a read-only
    checkout, goes without: no build can be writing there either.
    """
    path = lock_path(out_dir)
    deadline = time.monotonic() + timeout()
    told = False
    while True:
        try:
            if exclusive:
                path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exclusive or exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT):
                raise
            yield
            return
        try:
            if _try_lock(fd, exclusive) and _same_file(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        holder = _holder(fd)
        os.close(fd)
        if time.monotonic() >= deadline:
            raise Busy(holder)
        if not told and waiting is not None:
            waiting(holder)
            told = True
        time.sleep(POLL)
    try:
        if exclusive:  # who holds it, for the message of a run that waits
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            os.lseek(fd, 0, os.SEEK_SET)
        yield
    finally:
        _release(fd, path)


def _same_file(fd: int, path: Path) -> bool:
    """Whether `path` still names the file locked through `fd` (the last holder may have removed it meanwhile)."""
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _holder(fd: int) -> str:
    try:
        pid = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:  # pragma: no cover - Windows cannot read a locked region
        return "another schemagen"
    return f"schemagen (pid {pid})" if pid.isdigit() else "another schemagen"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _release(fd: int, path: Path) -> None:
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)

else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(fd: int, path: Path) -> None:
        """Unlock; the last holder removes the file (a waiter that opened it sees, by its inode, that it must open again)."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # another holder (shared) still has it: it removes the file
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        finally:
            os.close(fd)
