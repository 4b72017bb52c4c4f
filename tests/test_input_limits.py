"""Inputs with limits (README, "Bad input"): each refused through the real command line with
status 2, one line naming the file, field or line, no traceback, nothing written. The worst
cases run in a subprocess under a memory cap and a timeout, so a regression fails rather
than exhausting the machine."""

from __future__ import annotations

import errno
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import HEADER, TINY, assert_refused, run

Write = Callable[[str, str], Path]
ALIGNSIM = Path(sys.executable).with_name("alignsim")
SETPRIV = shutil.which("setpriv")
MEMORY_CAP = 1_500_000_000


def capped() -> None:
    """Run in the child: at most `MEMORY_CAP` bytes of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def refused_in_subprocess(
    args: list[str], fragment: str, out: Path | None = None, as_user: Path | None = None
) -> None:
    """`alignsim ARGS` under the memory cap ends within 60 s: status 2, one line, and no
    `out` (a timeout or MemoryError fails the test instead of the machine). With `as_user`
    (a home folder), it runs as the unprivileged user 65534."""
    drop = [str(SETPRIV), "--reuid=65534", "--regid=65534", "--clear-groups"]
    home = {} if as_user is None else {"HOME": str(as_user), "MPLCONFIGDIR": str(as_user)}
    done = subprocess.run(
        [*(drop if as_user else []), str(ALIGNSIM), *args],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=capped,
        check=False,
        env={**os.environ, **home},
    )
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("alignsim: error: "), lines[:5]
    assert fragment in lines[0], lines[0]
    assert out is None or not out.exists()


def bomb(levels: int = 9) -> str:
    """A "billion laughs" YAML value: each level lists the one below ten times."""
    text = "laugh0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, levels + 1):
        text += f"laugh{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n"
    return text


def test_an_alias_bomb_is_refused_within_the_memory_cap(write: Write, tmp_path: Path) -> None:
    path = write("bomb.yaml", bomb() + TINY + "description: *l9\n")
    fragment = "with its aliases expanded the document has more than 1,000,000 values"
    refused_in_subprocess(["validate", str(path)], fragment)


def test_a_huge_calendar_is_refused_from_its_dates_alone(write: Write, tmp_path: Path) -> None:
    text = TINY.replace("start: 2024-01-01", "start: 0001-01-01").replace("step: week", "step: day")
    path = write("long.yaml", text.replace("end: 2024-12-31", "end: 9999-12-31"))
    refused_in_subprocess(
        ["validate", str(path)],
        "long.yaml line 3, field end (0001-01-01 to 9999-12-31 by day): a calendar of "
        "3,652,058 steps exceeds the limit of 50,000 steps; set ALIGNSIM_MAX_STEPS",
    )


def test_a_huge_sweep_grid_is_refused_before_it_is_built(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    refused_in_subprocess(
        [
            "sweep",
            str(tiny),
            "--vary",
            "decay=0:0.01:100000",
            "--vary",
            "impulse=0.1:1:100000",
            "--out",
            str(out),
        ],
        "a design of 100,000,000,000 runs exceeds the limit of 1,000,000 runs",
        out,
    )


def test_dev_zero_is_refused_as_a_device() -> None:
    refused_in_subprocess(
        ["validate", "/dev/zero"],
        "/dev/zero: file is a character device, not a regular file",
    )


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """In a subprocess: were the FIFO opened, the read would wait for a writer forever."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    refused_in_subprocess(["validate", str(fifo)], "pipe.yaml: file is a FIFO (named pipe)")


def test_the_limits_are_overridden_by_environment_variables(
    runner: CliRunner, tiny: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ALIGNSIM_MAX_STEPS", "20")
    code, lines = run(runner, "validate", str(tiny))
    assert code == 2 and "a calendar of 53 steps exceeds the limit of 20 steps" in lines[0]
    monkeypatch.setenv("ALIGNSIM_MAX_STEPS", "many")
    code, lines = run(runner, "validate", str(tiny))
    assert code == 2 and lines == [
        "alignsim: error: ALIGNSIM_MAX_STEPS='many': expected a whole number ≥ 1"
    ]
    monkeypatch.setenv("ALIGNSIM_MAX_STEPS", "60")
    monkeypatch.setenv("ALIGNSIM_MAX_YAML_MB", "1")
    tiny.write_text(tiny.read_text() + f"description: {'x' * 1_100_000}\n")
    assert_refused(
        runner, ["run", str(tiny)], "a YAML file of 2 MB exceeds the limit of 1 MB", tmp_path / "o"
    )
    monkeypatch.setenv("ALIGNSIM_MAX_YAML_MB", "3")
    code, lines = run(runner, "validate", str(tiny))
    assert code == 0, lines


YAML_CASES = [
    (
        "duplicate key",
        ("seed: 3", "seed: 3\nseed: 4"),
        "tiny.yaml line 6: duplicate key 'seed' (first at line 5)",
    ),
    (
        "many aliases",
        ("seed: 3", "seed: &s 3\ndescription: [" + ", ".join(["*s"] * 101) + "]"),
        "more than 100 YAML aliases",
    ),
    (
        "recursive alias",
        ("seed: 3", "seed: 3\ndescription: &r [1, *r]"),
        "an alias ('*r') inside the value it names",
    ),
    (
        "deep nesting",
        ("seed: 3", "seed: 3\ndescription: " + "[" * 5000 + "]" * 5000),
        "line 6: nested more than 64 levels deep",
    ),
    (
        "huge seed",
        ("seed: 3", "seed: " + "9" * 5000),
        "tiny.yaml line 5: a number of 5000 digits; at most 40 are allowed",
    ),
    (
        "long value echoed",
        ("seed: 3", "seed: 3\nsymmetric: " + "y" * 100_000),
        "got 'yyyyyyyyyyyyy",
    ),
    (
        "repeated target",
        ("target: VNM;CHN", "target: VNM;CHN;VNM"),
        "line 17, field target: target 'VNM' is listed twice",
    ),
]


@pytest.mark.parametrize(("name", "change", "fragment"), YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_yaml_beyond_its_limits_is_refused(
    runner: CliRunner, tiny: Path, tmp_path: Path, name: str, change: tuple[str, str], fragment: str
) -> None:
    tiny.write_text(tiny.read_text().replace(*change))
    code, lines = run(runner, "run", str(tiny), "--out", str(tmp_path / "o"))
    assert code == 2 and len(lines) == 1 and fragment in lines[0], lines
    assert len(lines[0]) < 400, "a message quotes at most an excerpt of the input"
    assert not (tmp_path / "o").exists()


def test_a_few_aliases_as_yaml_safe_dump_writes_them_still_load(
    runner: CliRunner, tiny: Path
) -> None:
    text = tiny.read_text().replace("hedging: 0.8}", "hedging: 0.8, tags: &t [client]}")
    tiny.write_text(text.replace("hedging: 0.9}", "hedging: 0.9, tags: *t}"))
    code, lines = run(runner, "validate", str(tiny))
    assert code == 0, lines


def test_an_extends_chain_beyond_the_depth_is_refused(
    runner: CliRunner, write: Write, tmp_path: Path
) -> None:
    write("base.yaml", TINY)
    for i in range(40):
        write(f"o{i}.yaml", f"extends: {'base' if i == 0 else f'o{i - 1}'}.yaml\n")
    assert_refused(
        runner,
        ["run", str(tmp_path / "o39.yaml")],
        "o8.yaml line 1, field extends: an extends chain of more than 32 files",
        tmp_path / "o",
    )


@pytest.mark.parametrize("kind", ["directory", "symlink loop"])
def test_a_base_that_is_not_a_file_is_named_for_what_it_is(
    runner: CliRunner, write: Write, tmp_path: Path, kind: str
) -> None:
    overlay = write("o.yaml", "extends: base.yaml\n")
    if kind == "directory":
        (tmp_path / "base.yaml").mkdir()
        fragment = "o.yaml line 1, field extends: base scenario is a directory, not a file"
    else:
        (tmp_path / "base.yaml").symlink_to(tmp_path / "loop.yaml")
        (tmp_path / "loop.yaml").symlink_to(tmp_path / "base.yaml")
        fragment = "o.yaml line 1, field extends: base scenario is a symlink loop"
    assert_refused(runner, ["run", str(overlay)], fragment, tmp_path / "o")


def test_a_scenario_symlink_loop_is_not_not_found(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert_refused(
        runner, ["run", str(tmp_path / "a.yaml")], "a.yaml: file is a symlink loop", tmp_path / "o"
    )


OPTION_CASES = [
    (["--seed", "1", "--seed", "2"], "--seed: given twice; give it once"),
    (["--force", "--force"], "--force: given twice"),
    (["--set", "decay=0.01", "--set", "decay=0.02"], "--set 'decay': given twice"),
    (["--seed", "9" * 5000], "is not a whole number of at most 40 digits"),
    (["--set", "decay=" + "9" * 5000], "not a number of at most 40 characters"),
]


@pytest.mark.parametrize(("args", "fragment"), OPTION_CASES, ids=[c[1][:20] for c in OPTION_CASES])
def test_repeated_and_oversized_options_are_refused(
    runner: CliRunner, tiny: Path, tmp_path: Path, args: list[str], fragment: str
) -> None:
    code, lines = run(runner, "run", str(tiny), *args, "--out", str(tmp_path / "o"))
    assert code == 2 and len(lines) == 1 and fragment in lines[0], lines
    assert len(lines[0]) < 200 and not (tmp_path / "o").exists()


def test_a_file_where_the_output_folder_should_be(
    runner: CliRunner, tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("outputs").write_text("not a folder")
    code, lines = run(runner, "run", str(tiny))
    assert code == 2 and lines == [
        "alignsim: error: outputs: is a file, where a folder should be; move it away"
    ]
    code, lines = run(runner, "run", str(tiny), "--out", "outputs/run")
    assert code == 2 and "outputs: is a file, where a folder should be" in lines[0]


def test_a_full_disk_is_one_line_and_leaves_nothing(
    runner: CliRunner, tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    def full(writer: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "alignment.parquet")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)  # tables are written in blocks
    out = tmp_path / "o"
    code, lines = run(runner, "run", str(tiny), "--out", str(out))
    assert code == 2 and len(lines) == 1, lines
    assert "no space left on the device; free some space or write elsewhere" in lines[0]
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


@pytest.mark.skipif(
    SETPRIV is None, reason="setpriv (util-linux) is missing: cannot drop root to test permissions"
)
def test_permission_denied_is_one_line_naming_the_folder() -> None:
    """As the unprivileged user 65534 (CI runs as root, who may write anywhere)."""
    shared = Path(tempfile.mkdtemp(prefix="alignsim-perm-"))
    try:
        shared.chmod(0o755)
        (shared / "locked").mkdir(mode=0o555)
        (shared / "secret.yaml").write_text(TINY + "  - {file: secret.csv}\n")
        (shared / "secret.yaml").chmod(0o644)
        (shared / "secret.csv").write_text(HEADER)
        (shared / "secret.csv").chmod(0)
        (shared / "empty.tsv").write_text("")
        (shared / "home").mkdir()
        (shared / "home").chmod(0o777)
        target = str(shared / "locked" / "x.csv")
        refused_in_subprocess(
            ["import-events", "--from", "gdelt", str(shared / "empty.tsv"), "--out", target],
            f"{shared / 'locked'}: permission denied (creating",
            as_user=shared / "home",
        )
        refused_in_subprocess(
            ["validate", str(shared / "secret.yaml")],
            "secret.csv: cannot read the event table (permission denied)",
            as_user=shared / "home",
        )
        assert list((shared / "locked").iterdir()) == []
    finally:
        (shared / "locked").chmod(stat.S_IRWXU)
        shutil.rmtree(shared)
