"""An exclusive lock on a folder, held by one process at a time, naming its holder.

The lock is a POSIX record lock (``fcntl.lockf``) on a small file in the folder, which
records the holder's host and process id. The kernel releases it when the holder ends,
however it ends, and, unlike ``flock``, worker processes forked by the holder do not keep it.
A lock file that still names a holder is the mark of one killed while holding it: the next
process takes it over and says so, if that process ran on this host (the kernel's lock is
the proof it has ended); on a shared file system that does not carry locks between hosts a
holder elsewhere cannot be checked, so its lock file is refused until someone removes it.
The lock is per process: two threads of one process are not kept apart.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from sim.core.errors import InputError
from sim.io.owners import Owner

log = logging.getLogger("alignsim")


@contextlib.contextmanager
def hold(path: Path, what: str) -> Iterator[None]:
    """Hold the lock file `path` (created if missing) for the block.

    Args:
        what: the option or folder the lock guards, for messages (``--out runs/sweep``).

    Raises:
        InputError: another process holds it, or a process on another host was killed
            holding it (nothing is written in either case).
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        take(fd, path, what)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # an empty lock file: released, not left by a kill
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def hold_all(paths: list[Path], what: str) -> Iterator[None]:
    """Hold every lock file of `paths` for the block (refusing, as `hold` does, if any is
    held), so that no process holding one of them works meanwhile."""
    with contextlib.ExitStack() as stack:
        for path in paths:
            stack.enter_context(hold(path, what))
        yield


def take(fd: int, path: Path, what: str) -> None:
    """Lock `fd`, or refuse naming the holder; record this process as the holder."""
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = recorded(fd)
        raise InputError(
            f"{what}: in use by {holder or 'another process'} (lock {path}); wait for it "
            f"to finish, or use another folder"
        ) from None
    me, stale = Owner.me(), recorded(fd)
    if stale is not None and stale.host != me.host:
        raise InputError(
            f"{what}: {path} names {stale}, which this machine cannot check; if that "
            f"process has ended, delete {path.name} and try again"
        )
    if stale is not None:
        log.warning(f"{path}: taking over the lock left by {stale}, which no longer runs")
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"host": me.host, "pid": me.pid}).encode() + b"\n", 0)
    os.fsync(fd)


def recorded(fd: int) -> Owner | None:
    """The holder the lock file records, if any (read through `fd`: closing any other
    descriptor of the file would release this process's lock)."""
    text = os.pread(fd, 4096, 0)
    try:
        content = json.loads(text)
        return Owner(str(content["host"]), int(content["pid"]))
    except (ValueError, KeyError, TypeError):
        return None
