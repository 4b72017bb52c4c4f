"""The command line's shape: no repeated blocks (pylint's duplicate-code check), every
option documented, every command with an example."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from sim.cli import cli

CLI = Path(__file__).resolve().parents[1] / "sim" / "cli"


def repeated_blocks(folder: Path) -> str:
    """pylint's report of blocks of six or more lines repeated across the folder's files."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            "--disable=all",
            "--enable=duplicate-code",
            "--min-similarity-lines=6",
            "--score=n",
            str(folder),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode & (1 | 32) == 0, out.stderr  # pylint itself failed (fatal, usage)
    return out.stdout


def repeated_windows(files: list[Path], size: int = 6) -> list[str]:
    """Runs of `size` code lines (blank lines, comments, imports and lone brackets skipped)
    that appear twice, within one file or across files: pylint compares files only."""
    seen: dict[tuple[str, ...], str] = {}
    repeats = []
    for path in files:
        lines = [
            (n, line.strip())
            for n, line in enumerate(path.read_text().splitlines(), start=1)
            if line.strip()
            and not line.strip().startswith(("#", "import ", "from "))
            and line.strip() not in ")]},"
        ]
        for i in range(len(lines) - size + 1):
            window = tuple(text for _, text in lines[i : i + size])
            place = f"{path.name}:{lines[i][0]}"
            if window in seen and not seen[window].startswith(f"{path.name}:"):
                repeats.append(f"{place} repeats {seen[window]}")
            elif window in seen:
                first = int(seen[window].split(":")[1])
                if lines[i][0] - first >= size:  # not an overlap of the same run
                    repeats.append(f"{place} repeats {seen[window]}")
            seen.setdefault(window, place)
    return repeats


def test_the_command_line_repeats_no_block() -> None:
    assert "R0801" not in repeated_blocks(CLI)
    assert repeated_windows(sorted(CLI.glob("*.py"))) == []


def test_the_checks_find_a_repeated_block(tmp_path: Path) -> None:
    """A six-line block shared by two modules, or written twice in one, is reported."""
    block = "".join(f"    value_{i} = options.get('{i}', {i})\n" for i in range(8))
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text(f"def {name}(options):\n{block}    return 0\n")
    assert "R0801" in repeated_blocks(tmp_path)
    twice = tmp_path / "c.py"
    twice.write_text(f"def c(options):\n{block}    return 0\n\n\ndef d(options):\n{block}")
    assert len(repeated_windows([twice])) >= 1


def commands() -> list[tuple[str, click.Command]]:
    """Every visible command by the words that call it, subcommands of groups included."""
    found = []
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
        elif not command.hidden:
            found.append((name, command))
    return found


@pytest.mark.parametrize(("name", "command"), commands())
def test_every_option_has_help_and_every_command_an_example(
    name: str, command: click.Command
) -> None:
    undocumented = [p.name for p in command.params if isinstance(p, click.Option) and not p.help]
    assert undocumented == [], name
    assert "alignsim " + name in (command.help or ""), f"{name}: no example in its help"


def test_seed_means_one_thing_everywhere() -> None:
    seeds = [
        (p.type, p.default) for _, command in commands() for p in command.params if p.name == "seed"
    ]
    assert len(seeds) >= 6 and len({repr(s) for s in seeds}) == 1
