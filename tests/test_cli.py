"""The command line's normal paths: run, plot, events, validate, schema, params."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import cli


def test_run_writes_tables_manifest_plots_and_summary(
    runner: CliRunner, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    result = runner.invoke(
        cli,
        [
            "run",
            str(tiny),
            "--out",
            str(out),
            "--seed",
            "9",
            "--set",
            "decay=0.01",
            "--format",
            "png,svg",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "PRK alignment at 2024-12-31: CHN" in result.output
    assert "PRK hedging index:" in result.output and str(out) in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 9
    assert manifest["parameters"]["decay"] == 0.01
    assert manifest["parameter_sources"]["decay"] == "--set"
    assert manifest["scenario"]["files"] == {
        "tiny.yaml": hashlib.sha256(tiny.read_bytes()).hexdigest()
    }
    assert set(manifest["outputs"]) == {p.name for p in out.iterdir()} - {"manifest.json"}
    assert len(list(out.glob("*.svg"))) == 4
    events = pd.read_parquet(out / "events.parquet")
    scripted = events[events["origin"] == "scripted"]
    assert scripted["id"].tolist() == ["e1", "e2", "e2"]  # the multilateral e2 twice
    assert scripted["target"].tolist() == ["PRK", "VNM", "CHN"]


def test_default_output_folder_is_owned_and_replaced(
    runner: CliRunner, tiny: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        result = runner.invoke(cli, ["run", str(tiny)])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "outputs" / "tiny" / "manifest.json").is_file()
    assert [p.name for p in (tmp_path / "outputs").iterdir()] == ["tiny"]


def test_plot_redraws_from_saved_tables(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert runner.invoke(cli, ["run", str(tiny), "--out", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["plot", str(out), "--actor", "CHN", "--date", "2024-06-30"])
    assert result.exit_code == 0, result.output
    assert (out / "alignment_CHN.png").is_file() and (out / "network_2024-07-01.png").is_file()
    bad = runner.invoke(cli, ["plot", str(out), "--actor", "XXX"])
    assert bad.exit_code == 2 and "not an actor of this run" in bad.stderr
    empty = runner.invoke(cli, ["plot", str(tmp_path)])
    assert empty.exit_code == 2 and "not an alignsim output folder" in empty.stderr


def test_events_lists_the_schedule(runner: CliRunner, tiny: Path) -> None:
    result = runner.invoke(cli, ["events", str(tiny)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "e1" in lines[1] and "sign_agreement" in lines[1] and "057" in lines[1]
    assert "2 events (3 bilateral rows)" in lines[-1]


def test_validate_schema_params_and_types(runner: CliRunner, tiny: Path) -> None:
    result = runner.invoke(cli, ["validate", str(tiny)])
    assert result.exit_code == 0 and result.output.startswith("ok: tiny: 4 actors")
    schema = json.loads(runner.invoke(cli, ["schema"]).output)
    assert "actors" in schema["properties"] and schema["additionalProperties"] is False
    params = runner.invoke(cli, ["params"]).output
    assert "hedging_rate" in params and "per day" in params
    types = runner.invoke(cli, ["event-types", "--all"]).output.splitlines()
    assert len(types) == 28 + 5 + 311


def test_progress_off_a_terminal_is_log_lines_and_quiet_is_silent(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch job's log gets progress lines through `logging` (time, count, rate, time
    left) and a last line; -q leaves them out."""
    from sim.cli import logs
    from sim.io import progress

    monkeypatch.setattr(progress, "PROGRESS_EVERY", 0.0)
    logs.configure(0, False, None)
    with progress.progress(10, "prior runs") as advance:
        advance(4)
        advance(6)
    lines = capsys.readouterr().err.splitlines()
    clock = r"alignsim: \d\d:\d\d:\d\d prior runs: "
    assert re.match(clock + r"4 of 10 \(40%\) in \d+s, [\d.,]+ runs/s, about \d+s left$", lines[0])
    assert re.match(clock + r"10 of 10 \(100%\) done in \d+s, [\d.,]+ runs/s$", lines[-1])
    logs.configure(0, True, None)
    with progress.progress(10, "prior runs") as advance:
        advance(10)
    assert capsys.readouterr().err == ""
