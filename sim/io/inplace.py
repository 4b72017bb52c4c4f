"""Putting a finished output in place: names unique per process, leftovers of killed
processes, and a replacement with no moment in which neither the old nor the new exists.

A folder or file is written under a hidden sibling name that carries its maker (host,
process id and a random suffix, `sim.io.owners`), then moved in. An existing folder is
swapped with the new one in one step where the kernel can (``renameat2`` with
``RENAME_EXCHANGE``, Linux 3.15 and later on most local file systems); elsewhere it is
renamed aside to ``.NAME.old-TAG`` and the new one renamed in, and if a kill lands between
the two renames the next write of that name puts the old one back first. Leftovers whose
maker no longer runs on this host are removed by the next write of the same name.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import glob
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from sim.io.owners import Owner

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def sibling(target: Path, kind: str, tag: str) -> Path:
    """The hidden name ``.STEM.KIND-TAG.SUFFIX`` beside `target` (the suffix kept for
    writers that read it)."""
    return target.with_name(f".{target.stem}.{kind}-{tag}{target.suffix}")


def temporary(target: Path, kind: str = "tmp") -> Path:
    """A new hidden name beside `target`, unique to this process and this call."""
    return sibling(target, kind, Owner.me().tag())


def leftovers(target: Path, kind: str) -> Iterator[Path]:
    """Hidden names of `kind` beside `target` whose maker no longer runs on this host."""
    prefix, suffix = f".{target.stem}.{kind}-", target.suffix
    for path in target.parent.glob(f"{glob.escape(prefix)}*{glob.escape(suffix)}"):
        tag = path.name[len(prefix) : len(path.name) - len(suffix)]
        owner = Owner.of_tag(tag)
        if owner is not None and owner.ended:
            yield path


def recover(target: Path) -> None:
    """Put back an old version a kill left aside, then remove leftovers of ended processes."""
    if not target.exists():
        for old in sorted(leftovers(target, "old"), key=lambda p: p.stat().st_mtime)[-1:]:
            os.replace(old, target)
    for path in [*leftovers(target, "tmp"), *leftovers(target, "old")]:
        remove(path)


def remove(path: Path) -> None:
    """Delete a file or a folder tree."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def move_in(work: Path, target: Path) -> None:
    """Replace `target` (if any) by `work`, in one step where the kernel can."""
    if target.exists() and exchange(work, target):
        remove(work)  # it now holds the old version
        return
    old = temporary(target, "old") if target.exists() else None
    if old is not None:
        os.replace(target, old)
    try:
        os.replace(work, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        remove(old)


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False where the C library or file system cannot."""
    renameat2 = getattr(libc(), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@functools.cache
def libc() -> ctypes.CDLL:
    """The C library of this process."""
    return ctypes.CDLL(None, use_errno=True)
