"""Run folders survive a kill: leftovers are tidied, a result exists at every moment, the
umask decides the mode (`sim.io.inplace`, `sim.io.files.atomic_folder`)."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import cli
from sim.io import inplace
from sim.io.files import atomic_folder


def write_result(target: Path, text: str) -> None:
    with atomic_folder(target) as work:
        (work / "result.txt").write_text(text)


def hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def results_exist(target: Path) -> bool:
    """The result, or the old one a kill left aside for the next write to put back."""
    aside = target.parent.glob(f".{target.name}.old-*")
    return (target / "result.txt").is_file() or any((p / "result.txt").is_file() for p in aside)


def watch(
    monkeypatch: pytest.MonkeyPatch, name: str, check: Callable[[], bool], owner: object = os
) -> list[bool]:
    """Check `check` before and after every call of `owner.name`; return the answers."""
    seen, real = [], getattr(owner, name)

    def watched(*args: object) -> object:
        seen.append(check())
        done = real(*args)
        seen.append(check())
        return done

    monkeypatch.setattr(owner, name, watched)
    return seen


@pytest.fixture
def no_exchange(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The file system cannot swap two folders: atomic_folder renames the old one aside."""
    monkeypatch.setattr(inplace, "exchange", lambda a, b: False)
    yield


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A folder holding an old result."""
    write_result(tmp_path / "run", "old")
    return tmp_path / "run"


def at_second_rename(action: Callable[[], None]) -> Callable[[str, str], None]:
    """`os.replace` that does `action` first at its second call."""
    real, calls = os.replace, []

    def replace(*args: str) -> None:
        calls.append(args)
        if len(calls) == 2:
            action()
        real(*args)

    return replace


def injected_failure() -> None:
    raise OSError("injected")


def ended_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.usefixtures("no_exchange")
def test_a_kill_between_the_two_renames_is_recovered(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = os.fork()
    if child == 0:  # killed (os._exit: no cleanup runs) at the second rename
        os.replace = at_second_rename(lambda: os._exit(9))
        write_result(target, "new")
        os._exit(0)
    assert os.waitpid(child, 0)[1] >> 8 == 9
    assert not target.exists() and results_exist(target)
    assert [n.split("-")[0] for n in hidden(target.parent)] == [".run.old", ".run.tmp"]
    seen = watch(monkeypatch, "replace", lambda: results_exist(target))
    write_result(target, "newer")
    assert seen and all(seen)
    assert (target / "result.txt").read_text() == "newer" and hidden(target.parent) == []


@pytest.mark.usefixtures("no_exchange")
def test_a_failed_second_rename_puts_the_old_result_back(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "replace", at_second_rename(injected_failure))
    with pytest.raises(OSError, match="injected"):
        write_result(target, "new")
    assert (target / "result.txt").read_text() == "old" and hidden(target.parent) == []


def test_the_swap_leaves_a_result_at_every_moment(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = watch(monkeypatch, "exchange", lambda: (target / "result.txt").is_file(), inplace)
    monkeypatch.setattr(os, "replace", None)  # no rename may be needed
    write_result(target, "new")
    assert seen == [True, True] and (target / "result.txt").read_text() == "new"
    assert hidden(target.parent) == []


def test_only_leftovers_of_ended_processes_are_removed(tmp_path: Path) -> None:
    host, dead = socket.gethostname(), ended_pid()
    leftovers = [f".run.tmp-{host}-{dead}-0123abcd", f".run.old-{host}-{dead}-4567abcd"]
    kept = [
        f".run.tmp-{host}-1-89abcdef",  # process 1 runs
        f".run.tmp-elsewhere-{dead}-89abcdef",  # cannot be checked from here
        ".run.tmp-unrelated",
    ]
    for name in leftovers + kept:
        (tmp_path / name).mkdir()
    write_result(tmp_path / "run", "new")
    assert hidden(tmp_path) == sorted(kept)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o002, 0o775)], ids=["022", "002"])
def test_run_folders_follow_the_umask(
    runner: CliRunner, tiny: Path, tmp_path: Path, umask: int, mode: int
) -> None:
    previous = os.umask(umask)
    try:
        result = runner.invoke(cli, ["run", str(tiny), "--out", str(tmp_path / "run")])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run").stat().st_mode & 0o777 == mode
    assert (tmp_path / "run" / "manifest.json").stat().st_mode & 0o777 == mode & 0o666
