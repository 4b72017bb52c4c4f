"""Sensitivity: SALib's designs and indices against the Ishigami function's analytic values,
and the model path end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner
from conftest import ROOT
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from sim.cli import cli
from sim.experiments.sensitivity import indices, problem_for

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def ishigami(design: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x1, x2, x3 = design.T
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)


def test_sobol_indices_of_ishigami() -> None:
    """Analytic values (Ishigami & Homma 1990; a = 7, b = 0.1)."""
    table = indices("sobol", ISHIGAMI, 4096, seed=1, evaluate=ishigami)
    np.testing.assert_allclose(table["S1"], [0.3139, 0.4424, 0.0], atol=0.05)
    np.testing.assert_allclose(table["ST"], [0.5576, 0.4424, 0.2437], atol=0.05)


def test_morris_ranks_ishigami_inputs() -> None:
    table = indices("morris", ISHIGAMI, 200, seed=1, evaluate=ishigami)
    assert table["mu_star"].iloc[1] > table["mu_star"].iloc[0] > 0  # x2 strongest
    assert table["sigma"].iloc[2] > 0  # x3 acts only through its interaction with x1


def test_sensitivity_command_runs_the_model_through_a_sweep(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "sens"
    result = runner.invoke(
        cli,
        [
            "sensitivity",
            str(ROOT / "scenarios" / "balance.yaml"),
            "--params",
            "balance,decay",
            "--samples",
            "8",
            "--replicates",
            "2",
            "--outcome",
            "final_alignment_E",
            "--seed",
            "0",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "indices.csv")
    assert list(table["parameter"]) == ["balance", "decay"]
    assert (out / "indices.png").is_file() and (out / "sweep" / "results.parquet").is_file()
    results = pd.read_parquet(out / "sweep" / "results.parquet")
    assert len(results) == 8 * 4 * 2
    # the table is SALib's analysis of the sweep's own runs (mean over replicates per point)
    problem = problem_for(["balance", "decay"])
    points = results.groupby("point")[["balance", "decay", "final_alignment_E"]].mean()
    np.testing.assert_allclose(
        points[["balance", "decay"]].to_numpy(),
        sobol_sample.sample(problem, 8, calc_second_order=False, seed=0),
    )
    expected = sobol_analyze.analyze(
        problem, points["final_alignment_E"].to_numpy(), calc_second_order=False, seed=0
    )
    np.testing.assert_allclose(table["S1"], expected["S1"])
    np.testing.assert_allclose(table["ST"], expected["ST"])
    drawn = (out / "indices.png").read_bytes()
    (out / "indices.png").unlink()
    assert runner.invoke(cli, ["plot", str(out)]).exit_code == 0
    assert (out / "indices.png").read_bytes() == drawn  # redrawn from indices and manifest
    reported = runner.invoke(cli, ["report", str(out)])
    assert (
        reported.exit_code == 0
        and "Sobol sensitivity of final_alignment_E" in (out / "report.html").read_text()
    )
    bad = runner.invoke(
        cli,
        [
            "sensitivity",
            str(ROOT / "scenarios" / "balance.yaml"),
            "--samples",
            "10",
            "--params",
            "decay",
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert bad.exit_code == 2 and "power of two" in bad.stderr
    assert not (tmp_path / "x").exists()
