"""Paths a user gives: checked to be a regular file within the size limit before it is
opened, and failures of the operating system described in one line naming the path.

A FIFO would block the read, ``/dev/zero`` would never end, and a directory or a symlink
loop is not "not found": each is refused by what it is, from `os.stat`, before any byte is
read (README, "Bad input").
"""

from __future__ import annotations

import errno
import math
import os
import stat
from pathlib import Path
from typing import NoReturn

from sim.core.errors import InputError
from sim.io.limits import FILE_MB, YAML_MB, Limit

#: What a file that is neither regular nor a directory is, by `stat` mode test.
KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

#: How each failure of the operating system reads, after the path.
PROBLEMS = {
    errno.ENOENT: "not found",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOSPC: "no space left on the device; free some space or write elsewhere",
    errno.EDQUOT: "disk quota exceeded; free some space or write elsewhere",
    errno.EROFS: "the file system is read-only; write elsewhere",
    errno.ELOOP: "symlink loop",
    errno.EISDIR: "is a directory, not a file",
    errno.ENAMETOOLONG: "name too long",
}


def size_limit(path: Path) -> Limit:
    """The size limit of a file: YAML files have their own, lower one."""
    return YAML_MB if path.suffix.lower() in (".yaml", ".yml") else FILE_MB


def check_file(path: Path, what: str = "file", place: str | None = None) -> int:
    """Check that `path` is a regular file within its size limit; return its size.

    Args:
        what: what the file is, for messages ("event table").
        place: where the path was given (``tiny.yaml line 4, field extends``), when not
            on the command line.

    Raises:
        InputError: missing, a directory, a symlink loop, not a regular file (FIFO,
            device, socket), unreadable, or larger than the limit.
    """
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            refuse(path, what, "not found", place)
        if exc.errno == errno.ELOOP:
            refuse(path, what, "is a symlink loop", place)
        refuse(path, what, f"cannot be read: {problem(exc)}", place)
    if stat.S_ISDIR(info.st_mode):
        refuse(path, what, "is a directory, not a file", place)
    kind = next((name for test, name in KINDS if test(info.st_mode)), None)
    if kind is not None:
        refuse(path, what, f"is {kind}, not a regular file", place)
    size_limit(path).check(math.ceil(info.st_size / 1e6), str(path))
    return info.st_size


def refuse(path: Path, what: str, state: str, place: str | None) -> NoReturn:
    """Raise the InputError of `check_file`: ``path: what state``, or with the place
    first and the path last."""
    if place is None:
        raise InputError(f"{path}: {what} {state}")
    raise InputError(f"{place}: {what} {state}: {path}")


def read_bytes(path: Path, what: str = "file") -> bytes:
    """A user's file's bytes, after `check_file`, never more than its size limit (a file
    that grows while it is read is refused too)."""
    check_file(path, what)
    limit = size_limit(path)
    most = limit.value() * 1_000_000
    with path.open("rb") as handle:
        data = handle.read(most + 1)
    limit.check(math.ceil(len(data) / 1e6), str(path))
    return data


def problem(exc: OSError) -> str:
    """What went wrong, in a few words: "not found", "permission denied", ..."""
    if exc.errno == errno.ENOTDIR:
        return "a file is in the way where a folder should be"
    return PROBLEMS.get(exc.errno or 0, exc.strerror or str(exc))


def blocking_file(path: Path) -> Path | None:
    """The nearest of `path` and its parents that exists and is not a folder, if any."""
    for parent in (path, *path.parents):
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def describe_os_error(exc: OSError) -> str:
    """One line for a failure of the operating system, naming the path it concerns: the
    folder in which a file could not be created, the file in the way of a folder."""
    name = exc.filename if exc.filename is not None else exc.filename2
    if name is None:
        return f"{problem(exc)} ({' '.join(str(exc).split())})"
    path = Path(os.fsdecode(name))
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = blocking_file(path)
        if blocker == path:
            return f"{path}: is a file, where a folder should be; move it away"
        if blocker is not None:
            return f"{path}: {blocker} is a file, where a folder should be; move it away"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) and not os.path.lexists(path):
        return f"{path.parent}: {problem(exc)} (creating {path.name} in it)"
    return f"{path}: {problem(exc)}"
