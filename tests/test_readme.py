"""The README's Python examples run as written, from a folder laid out like the project's.

Each ```python block is executed in its own namespace, with the working
directory a temporary folder holding the project's `scenarios/` and `calibration/`, so
the examples' relative paths and their `runs/` outputs behave as for a reader. A block
the README marks ``<!-- readme-test: skip, REASON -->`` (one needing a cluster) is
skipped with that reason.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOUND = re.findall(
    r"(<!-- readme-test: skip, ([^>]*) -->\n)?```python\n(.*?)```",
    (ROOT / "README.md").read_text(),
    re.S,
)
BLOCKS = [
    pytest.param(code, marks=pytest.mark.skip(reason=f"README says: {why}") if why else ())
    for _, why, code in FOUND
]


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS)
def test_a_readme_python_example_runs(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matplotlib.use("Agg")
    for folder in ("scenarios", "calibration"):
        os.symlink(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md python block", "exec"), {})
