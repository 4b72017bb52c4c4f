"""Sweeps: identical bytes across executors and chunk sizes, kill-and-resume, Dask worker loss."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT

from sim.cli import cli
from sim.core.errors import InputError
from sim.experiments.design import design_points, parse_vary
from sim.experiments.sweep import scalar_outcomes
from sim.experiments.sweepfolder import Dispatch, SweepSpec, execute
from sim.io.scenario import load_scenario

BASELINE = ROOT / "scenarios" / "baseline.yaml"
VARY = ["--vary", "spillover=0:0.5:3", "--vary", "decay=0.002,0.01"]


def sweep(runner: CliRunner, out: Path, *extra: str) -> None:
    result = runner.invoke(
        cli,
        ["sweep", str(BASELINE), *VARY, "--replicates", "8", "--out", str(out), "--quiet", *extra],
    )
    assert result.exit_code == 0, result.output + result.stderr


def same_bytes(a: Path, b: Path) -> None:
    for name in ("results.parquet", "envelopes.parquet"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_executors_and_chunk_sizes_give_identical_files(runner: CliRunner, tmp_path: Path) -> None:
    sweep(runner, tmp_path / "serial")
    sweep(runner, tmp_path / "pool", "--workers", "2", "--chunk-runs", "16")
    sweep(runner, tmp_path / "single", "--chunk-runs", "1")
    for other in ("pool", "single"):
        same_bytes(tmp_path / "serial", tmp_path / other)
    results = pd.read_parquet(tmp_path / "serial" / "results.parquet")
    assert len(results) == 48 and results["point"].nunique() == 6
    assert set(results["spillover"]) == {0.0, 0.25, 0.5}
    envelopes = pd.read_parquet(tmp_path / "serial" / "envelopes.parquet")
    assert (envelopes["q05"] <= envelopes["q50"]).all()
    assert (envelopes["q50"] <= envelopes["q95"]).all()
    assert len(list((tmp_path / "single" / "chunks").glob("*.results.parquet"))) == 6


def test_dask_local_cluster_gives_identical_files(runner: CliRunner, tmp_path: Path) -> None:
    sweep(runner, tmp_path / "serial")
    sweep(runner, tmp_path / "dask", "--dask-local", "2", "--chunk-runs", "16")
    same_bytes(tmp_path / "serial", tmp_path / "dask")


def test_killed_sweep_resumes_to_identical_files(runner: CliRunner, tmp_path: Path) -> None:
    """A sweep killed mid-way, resumed by one process while a second is refused: the lock
    left by the killed one is taken over, the second names the holder and writes nothing."""
    sweep_args = [
        "sweep",
        str(BASELINE),
        "--vary",
        "spillover=0:0.5:60",
        "--replicates",
        "20",
        "--chunk-runs",
        "20",
    ]
    args = [sys.executable, "-m", "sim", *sweep_args, "--quiet"]
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    subprocess.run([*args, "--out", str(reference)], check=True, cwd=ROOT)
    process = subprocess.Popen([*args, "--out", str(killed)], cwd=ROOT)
    manifest = killed / "manifest.jsonl"
    wait_for(lambda: manifest.exists() and manifest.read_text().count("\n") >= 3)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = manifest.read_text().count("\n")
    assert 3 <= finished < 60, "the kill must land mid-sweep"
    assert not (killed / "results.parquet").exists()
    refused = runner.invoke(cli, [*sweep_args, "--out", str(killed)])
    assert refused.exit_code == 2 and "use --resume" in refused.stderr
    first = subprocess.Popen(
        [*args, "--out", str(killed), "--resume"], cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    wait_for(lambda: f'"pid": {first.pid}' in (killed / "sweep.lock").read_text())
    first.send_signal(signal.SIGSTOP)  # holding the lock, mid-sweep
    before = snapshot(killed)
    second = runner.invoke(cli, [*sweep_args, "--out", str(killed), "--resume"])
    holder = f"in use by process {first.pid} on host {socket.gethostname()}"
    assert second.exit_code == 2 and one_line(second.stderr, holder), second.stderr
    assert snapshot(killed) == before
    first.send_signal(signal.SIGCONT)
    _, errors = first.communicate(timeout=120)
    assert first.returncode == 0, errors
    assert f"taking over the lock left by process {process.pid}" in errors
    same_bytes(reference, killed)
    lines = manifest.read_text().splitlines()
    assert len(lines) == 60 and len({line for line in lines}) == 60


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.02)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under a folder with its size and modification time (ns)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    }


def one_line(stderr: str, fragment: str) -> bool:
    lines = stderr.strip().splitlines()
    return len(lines) == 1 and fragment in lines[0] and "Traceback" not in stderr


def test_truncated_and_swapped_chunks_are_rerun(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "s"
    sweep(runner, out, "--chunk-runs", "8")
    clean = {n: (out / n).read_bytes() for n in ("results.parquet", "envelopes.parquet")}
    manifest = (out / "manifest.jsonl").read_text().splitlines()
    chunks = [json.loads(line)["chunk"] for line in manifest]
    cut = out / "chunks" / f"{chunks[0]}.results.parquet"
    cut.write_bytes(cut.read_bytes()[:100])
    a, b = (out / "chunks" / f"{c}.envelopes.parquet" for c in chunks[1:3])
    a_bytes = a.read_bytes()
    a.write_bytes(b.read_bytes())  # two valid chunks, each in the other's place
    b.write_bytes(a_bytes)
    (out / "results.parquet").unlink()
    result = runner.invoke(
        cli,
        [
            "sweep",
            str(BASELINE),
            *VARY,
            "--replicates",
            "8",
            "--out",
            str(out),
            "--quiet",
            "--chunk-runs",
            "8",
            "--resume",
        ],
    )
    assert result.exit_code == 0, result.stderr
    reports = result.stderr.strip().splitlines()
    assert len(reports) == 3 and "Traceback" not in result.stderr
    for chunk, line in zip(chunks[:3], reports, strict=True):
        assert f"chunk {chunk}:" in line and "running it again" in line
    assert "ran 24 now" in result.stdout
    for name, content in clean.items():
        assert (out / name).read_bytes() == content, name
    assert len((out / "manifest.jsonl").read_text().splitlines()) == 6


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("finished") / "s"
    sweep(CliRunner(), out)
    return out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--envelope-step", "week"], '--envelope-step is "week" here but "month" in sweep.json'),
        (["--trajectories"], "--trajectories is true here but false in sweep.json"),
        (["--seed", "5"], "--seed is 5 here but"),
        (["--replicates", "4"], "--replicates is 4 here but 8 in sweep.json"),
        (["--chunk-runs", "16"], "--chunk-runs is 16 here but 500 in sweep.json"),
        (
            ["--model", "no-balance"],
            '--model is "no-balance" here but "null+spillover+agents" in sweep.json',
        ),
        (
            ["--vary", "spillover=0:0.5:3", "--vary", "decay=0.002,0.02"],
            "--vary is spillover=0.0,0.25,0.5 decay=0.002,0.02 here but spillover=0.0,0.25,0.5 "
            "decay=0.002,0.01 in sweep.json",
        ),
    ],
)
def test_resume_refuses_other_options(
    runner: CliRunner, finished: Path, args: list[str], fragment: str
) -> None:
    before = snapshot(finished)
    vary = [] if "--vary" in args else VARY
    replicates = [] if "--replicates" in args else ["--replicates", "8"]
    result = runner.invoke(
        cli, ["sweep", str(BASELINE), *vary, *replicates, *args, "--out", str(finished), "--resume"]
    )
    assert result.exit_code == 2 and one_line(result.stderr, fragment), result.stderr
    assert snapshot(finished) == before


def test_lost_dask_worker_is_retried_and_results_are_identical(tmp_path: Path) -> None:
    from dask.distributed import Client, LocalCluster

    scenario = load_scenario(BASELINE)
    spec = SweepSpec((parse_vary("spillover=0:0.5:12"),), "grid", None, 20, 0, 20, "month", False)
    execute(scenario, spec, Dispatch(), tmp_path / "reference", False, False, True)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as client,
    ):
        out = tmp_path / "lossy"
        worker = threading.Thread(
            target=execute,
            args=(
                scenario,
                spec,
                Dispatch(scheduler=cluster.scheduler_address),
                out,
                False,
                False,
                True,
            ),
        )
        worker.start()
        deadline, busy = time.monotonic() + 60, {}
        while time.monotonic() < deadline:
            busy = {w: keys for w, keys in client.processing().items() if keys}
            if busy and (out / "manifest.jsonl").exists():
                break
            time.sleep(0.02)
        else:
            pytest.fail("the sweep's chunks never ran on the cluster")
        victim = next(iter(busy))  # a worker running a chunk now: the chunk must be rerun
        done_at_kill = len((out / "manifest.jsonl").read_text().splitlines())
        os.kill(client.run(os.getpid, workers=[victim])[victim], signal.SIGKILL)
        worker.join(timeout=120)
        assert not worker.is_alive()
    chunks = len((out / "manifest.jsonl").read_text().splitlines())
    assert done_at_kill < chunks, "the kill must land before the last chunk is done"
    same_bytes(tmp_path / "reference", out)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--vary", "decai=0:1:3"], "unknown parameter 'decai'"),
        (["--vary", "decay=0:5:3"], "parameter decay = 5 is out of range"),
        (["--vary", "decay"], "expected NAME=LO:HI:N"),
        (["--vary", "decay=0.01:0.001:3"], "LO must be below HI"),
        (["--vary", "decay=0:0.01:x"], "N must be a whole number"),
        (["--vary", "decay=0:0.01"], "a grid needs LO:HI:N"),
        (["--vary", "decay=0:0.01", "--sampler", "lhs"], "give the number of points"),
        (["--vary", "decay=0:0.01", "--sampler", "sobol", "--samples", "10"], "power of two"),
        (["--vary", "decay=0:0.01:2", "--vary", "decay=0:0.01:3"], "varied twice"),
        (["--vary", "decay=0:0.01:2", "--workers", "2", "--dask-local", "2"], "exclude each other"),
    ],
)
def test_bad_sweep_specifications(
    runner: CliRunner, tmp_path: Path, args: list[str], fragment: str
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli, ["sweep", str(BASELINE), *args, "--out", str(out)])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and fragment in lines[0], result.stderr
    assert not out.exists()


def test_samplers_fill_the_ranges() -> None:
    varies = [parse_vary("decay=0:0.02"), parse_vary("balance=0.001:0.01")]
    for sampler, samples in (("lhs", 10), ("sobol", 16)):
        points = design_points(varies, sampler, samples, seed=3)
        assert len(points) == samples
        assert all(0 <= p["decay"] <= 0.02 and 0.001 <= p["balance"] <= 0.01 for p in points)
    assert design_points(varies, "lhs", 10, 3) == design_points(varies, "lhs", 10, 3)
    with pytest.raises(InputError):
        design_points(varies, "grid", None, 3)


def test_trajectories_are_kept_on_request(runner: CliRunner, tmp_path: Path) -> None:
    sweep(runner, tmp_path / "t", "--trajectories")
    paths = pd.concat(pd.read_parquet(p) for p in (tmp_path / "t" / "trajectories").iterdir())
    assert len(paths) == 48 * 523 * 30 and paths["value"].abs().max() <= 1


def test_sweep_plot_draws_heatmap_envelopes_and_scatter(runner: CliRunner, tmp_path: Path) -> None:
    sweep(runner, tmp_path / "s")
    result = runner.invoke(cli, ["plot", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "s" / "plots").iterdir())
    assert names == [
        "envelopes_hedging_index.png",
        "figures.json",
        "heatmap_final_hedging_index.png",
        "scatter_final_hedging_index.png",
    ]
    chosen = runner.invoke(cli, ["plot", str(tmp_path / "s"), "--points", "4,1"])
    assert chosen.exit_code == 0, chosen.output
    record = json.loads((tmp_path / "s" / "plots" / "figures.json").read_text())
    assert next(e["file"] for e in record["figures"]) == "envelopes_hedging_index.png"
    for points, error in (("9", "not a design point; this sweep has points 0 to 5"),
                          ("a,b", "expected design point numbers")):  # fmt: skip
        refused = runner.invoke(cli, ["plot", str(tmp_path / "s"), "--points", points])
        assert refused.exit_code == 2 and error in refused.stderr
    bad = runner.invoke(cli, ["plot", str(tmp_path / "s"), "--outcome", "mood"])
    assert bad.exit_code == 2 and "not a numeric outcome" in bad.stderr
    text = runner.invoke(cli, ["plot", str(tmp_path / "s"), "--outcome", "final_top_partner"])
    assert text.exit_code == 2 and "Traceback" not in text.stderr
    allowed = text.stderr.strip().split("choose from ")[1].split(", ")
    assert allowed == list(scalar_outcomes(load_scenario(BASELINE)))  # sensitivity's list
    missing = runner.invoke(cli, ["plot", str(tmp_path)])
    assert missing.exit_code == 2 and "not an alignsim output folder" in missing.stderr
