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
    return out.stdout


def test_the_command_line_repeats_no_block() -> None:
    assert "R0801" not in repeated_blocks(CLI)


def test_the_check_finds_a_repeated_block(tmp_path: Path) -> None:
    """Two modules sharing a six-line option block are reported."""
    block = "".join(f"    value_{i} = options.get('{i}', {i})\n" for i in range(8))
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text(f"def {name}(options):\n{block}    return 0\n")
    assert "R0801" in repeated_blocks(tmp_path)


def commands() -> list[tuple[str, click.Command]]:
    return [(name, command) for name, command in cli.commands.items() if not command.hidden]


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
