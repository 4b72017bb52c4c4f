"""Shared fixtures: paths, a scenario writer, the command-line runner, headless Chromium."""

from __future__ import annotations

import socket
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium "
    "(apt-get install chromium); browser test skipped",
)
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))
SEEDS = ROOT.parent / "shared" / "seeds"

#: The columns of an event table, as its header line.
HEADER = "id,date,source,target,type,magnitude,institutional,doc,quote,note\n"

TINY = """\
name: tiny
start: 2024-01-01
end: 2024-12-31
step: week
seed: 3
focal: PRK
actors:
  - {id: PRK, capability: 0.05, hedging: 0.8}
  - {id: CHN, capability: 0.5, hedging: 0.2}
  - {id: RUS, capability: 0.3, hedging: 0.2}
  - {id: VNM, capability: 0.15, hedging: 0.9}
alignment:
  PRK: {CHN: 0.5, RUS: 0.4, VNM: 0.1}
  CHN: {RUS: 0.6}
events:
  - {id: e1, date: 2024-06-19, source: RUS, target: PRK, type: sign_agreement, institutional: true}
  - {id: e2, date: 2024-10-09, source: PRK, target: VNM;CHN, type: seat_of_honour}
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a text file under tmp_path (dedented) and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def tiny(write: Callable[[str, str], Path]) -> Path:
    """A small valid scenario of four actors and two events."""
    return write("tiny.yaml", TINY)


@pytest.fixture
def runner() -> CliRunner:
    """Click's runner for the real command line."""
    return CliRunner()


def run(runner: CliRunner, *args: str) -> tuple[int, list[str]]:
    """Invoke the command line; its exit status and the non-blank lines of its stderr."""
    from sim.cli import cli

    result = runner.invoke(cli, list(args))
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return result.exit_code, lines


def assert_refused(runner: CliRunner, args: list[str], fragment: str, out: Path) -> None:
    """`args` with `--out out` end with status 2 and one error line holding `fragment`,
    and write nothing."""
    code, lines = run(runner, *args, "--out", str(out))
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("alignsim: error: ") and "Traceback" not in lines[0]
    assert fragment in lines[0], lines[0]
    assert not out.exists(), "a refused run must write nothing"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch_chromium(playwright: Any) -> Any:
    """Debian's headless Chromium through Playwright, kept off the network."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
