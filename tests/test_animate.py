"""Animations for slides: the expected number of frames, and clear errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from sim.cli import cli


def test_gif_has_one_frame_per_every_nth_date(
    runner: CliRunner, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tiny.gif"
    result = runner.invoke(cli, ["animate", str(tiny), "--out", str(out), "--every", "10"])
    assert result.exit_code == 0, result.output
    dates = 53 + 1  # weekly states from 2024-01-01 to 2024-12-31
    expected = len(range(0, dates, 10)) + (1 if (dates - 1) % 10 else 0)
    assert Image.open(out).n_frames == expected
    assert f"({expected} frames)" in result.output


def test_bad_animation_requests(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    bad = runner.invoke(cli, ["animate", str(tiny), "--out", str(tmp_path / "a.avi")])
    assert bad.exit_code == 2 and "allowed .gif or .mp4" in bad.stderr
    existing = tmp_path / "b.gif"
    existing.write_text("keep")
    refused = runner.invoke(cli, ["animate", str(tiny), "--out", str(existing)])
    assert refused.exit_code == 2 and "use --force" in refused.stderr
    assert existing.read_text() == "keep"
