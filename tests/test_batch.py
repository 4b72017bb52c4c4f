"""Batch jobs (README, "Sweeps, on one machine or a cluster"): logging options on every
command, one JSON document on standard output with --json, Ctrl-C's exit status and hint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from sim.cli import cli

BASELINE = ROOT / "scenarios" / "baseline.yaml"


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every command of the command line, groups included, with its full name."""
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix}{name} ")
    return found


@pytest.mark.parametrize("flag", ["--verbose", "--quiet", "--log-file"])
def test_every_command_takes_the_logging_options(flag: str) -> None:
    missing = [
        name
        for name, command in [("alignsim", cli), *commands(cli)]
        if not any(flag in p.opts for p in command.params)
    ]
    assert not missing, f"{flag} missing on {missing}"


def test_v_q_and_log_file_go_through_logging(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    """Options before or after the command's name; the log file gets time, level, logger."""
    log = tmp_path / "logs" / "run.log"
    log.parent.mkdir()
    args = ["sweep", str(tiny), "--vary", "decay=0.002,0.01", "--replicates", "2"]
    loud = runner.invoke(cli, ["-v", *args, "--out", str(tmp_path / "a"), "--log-file", str(log)])
    assert loud.exit_code == 0, loud.output
    assert "sweep: 4 of 4 (100%) done in" in loud.stderr
    text = log.read_text()
    assert " INFO alignsim.progress: sweep: 4 of 4 (100%) done in " in text
    assert text[:4].isdigit()  # starts with the time: 2026-...
    quiet = runner.invoke(cli, [*args, "--out", str(tmp_path / "b"), "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert "4 runs in 1 chunks" in quiet.stdout


def parsed(result: click.testing.Result) -> dict:
    """The one JSON document a --json command prints (nothing else on standard output)."""
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_summaries_of_run_and_sweep(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    run = parsed(runner.invoke(cli, ["run", str(tiny), "--out", str(tmp_path / "r"), "--json"]))
    assert run["command"] == "run" and run["folder"] == str(tmp_path / "r")
    assert str(tmp_path / "r" / "alignment.parquet") in run["files"]
    assert set(run["final_alignment"]) == {"CHN", "RUS", "VNM"}
    assert 0 <= run["hedging_index"]["end"] <= 1
    args = ["sweep", str(tiny), "--vary", "decay=0.002,0.01", "--replicates", "3"]
    sweep = parsed(runner.invoke(cli, [*args, "--out", str(tmp_path / "s"), "--json"]))
    assert (sweep["design_points"], sweep["runs"], sweep["ran_now"]) == (2, 6, 6)
    assert str(tmp_path / "s" / "results.parquet") in sweep["files"]


def test_json_summary_of_bench(
    runner: CliRunner, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generated scenarios' timings (200 actors take a minute) are replaced by 0.5 s a
    run; the tiny scenario's own are measured."""
    from sim.experiments import bench

    monkeypatch.setattr(bench, "synthetic_seconds", lambda actors, runs: 0.5)
    args = ["bench", str(tiny), "--runs", "20", "--mesa-runs", "1", "--json"]
    found = parsed(runner.invoke(cli, args))
    assert found["ensemble_batch"]["runs"] == 20 and found["runs_per_second"]["mesa"] > 0
    assert [s["actors"] for s in found["synthetic"]] == [6, 50, 200]
    assert {s["runs_per_second"] for s in found["synthetic"]} == {2.0}


def test_json_summaries_of_compare_and_calibrate(
    runner: CliRunner, tiny: Path, write, tmp_path: Path
) -> None:
    other = write("other.yaml", "extends: tiny.yaml\nname: other\nparameters: {decay: 0.01}\n")
    args = ["compare", str(tiny), str(other), "--replicates", "4", "--out", str(tmp_path / "c")]
    compared = parsed(runner.invoke(cli, [*args, "--json"]))
    assert compared["conditional"] and [d["whatif"] for d in compared["differences"]] == ["other"]
    assert str(tmp_path / "c" / "summary.parquet") in compared["files"]
    args = ["calibrate", str(BASELINE), "--method", "optimize", "--budget", "300"]
    fitted = parsed(runner.invoke(cli, [*args, "--out", str(tmp_path / "fit"), "--json"]))
    assert fitted["method"] == "optimize" and fitted["runs"] <= 300 and fitted["loss"] >= 0
    assert set(fitted["best"]) and str(tmp_path / "fit" / "plateau.parquet") in fitted["files"]


def test_ctrl_c_exits_130_and_the_same_command_with_resume_finishes(tmp_path: Path) -> None:
    """SIGINT after the first of 40 chunks: exit 130, a hint, no traceback; the hint's
    command then finishes the sweep from the chunks kept. (40 chunks, not 8: at about 100
    runs a second, 8 chunks of 8 runs could all finish before the signal arrived, as they
    once did in CI.)"""
    out = tmp_path / "sweep"
    args = [sys.executable, "-m", "sim", "sweep", str(BASELINE), "--vary", "impulse=0.2:1.4:40"]
    args += ["--replicates", "8", "--chunk-runs", "8", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # A shell's background job (CI's, nohup's) starts with SIGINT ignored, and Python
        # then sets no KeyboardInterrupt handler; a terminal's Ctrl-C meets the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    manifest = out / "manifest.jsonl"  # a chunk's line, once its files are in place
    while not (manifest.is_file() and manifest.read_text()) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    assert (
        "interrupted; the chunks finished so far are kept: run the same command with --resume"
        in err.decode()
    )
    assert "Traceback" not in err.decode()
    kept = len(manifest.read_text().splitlines())
    assert 1 <= kept < 40
    resumed = subprocess.run(
        [*args, "--resume", "--json"], env=env, capture_output=True, check=True
    )
    assert json.loads(resumed.stdout)["ran_now"] == 320 - 8 * kept


def test_sweep_folders_and_log_files_follow_the_umask(
    runner: CliRunner, tiny: Path, tmp_path: Path
) -> None:
    """umask 027: the user's group reads every folder and file a sweep writes."""
    out, log = tmp_path / "sweep", tmp_path / "sweep.log"
    previous = os.umask(0o027)
    try:
        args = ["sweep", str(tiny), "--vary", "decay=0.002,0.01", "--replicates", "2", "--csv"]
        result = runner.invoke(cli, [*args, "--out", str(out), "-q", "--log-file", str(log)])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    modes = {p.name: p.stat().st_mode & 0o777 for p in [out, *out.rglob("*"), log]}
    assert modes["chunks"] == modes["sweep"] == 0o750
    assert {m for n, m in modes.items() if n not in ("sweep", "chunks")} == {0o640}, modes
