"""Contract tests applied to every scenario file in scenarios/ (as Axelrod does for strategies).

Each file loads, runs through the command line, gives byte-identical data files for the
same seed, and keeps the model's invariants: |A| ≤ 1 everywhere and partner shares that sum
to 1 for every actor with a positive tie.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIOS

from sim.cli import cli
from sim.core import metrics
from sim.engine.model import run_model
from sim.io.scenario import load_scenario

IDS = [str(p.relative_to(ROOT / "scenarios")) for p in SCENARIOS]


def test_the_required_scenarios_exist() -> None:
    assert {"baseline.yaml", "two-patrons.yaml", "balance.yaml"} <= set(IDS)


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_scenario_runs_reproducibly_through_the_cli(path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", str(path)]).exit_code == 0
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        result = runner.invoke(cli, ["run", str(path), "--out", str(out), "--csv"])
        assert result.exit_code == 0, result.output
    data = sorted(p.name for p in outs[0].iterdir() if p.suffix in (".parquet", ".csv"))
    assert data == [
        "alignment.csv",
        "alignment.parquet",
        "events.csv",
        "events.parquet",
        "metrics.csv",
        "metrics.parquet",
    ]
    for name in data:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    assert len(list(outs[0].glob("*.png"))) == 4
    alignment = pd.read_parquet(outs[0] / "alignment.parquet")
    assert alignment["value"].abs().max() <= 1.0
    hedging = pd.read_parquet(outs[0] / "metrics.parquet")["hedging_index"].dropna()
    assert hedging.between(0, 1).all()


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_invariants_hold_at_every_date(path: Path) -> None:
    scenario = load_scenario(path)
    trajectory = run_model(scenario)
    A = trajectory.alignment
    assert np.isfinite(A).all() and np.abs(A).max() <= 1.0
    assert (A[:, np.eye(len(scenario.actors), dtype=bool)] == 0).all()
    shares = metrics.shares_of(A)
    totals = shares.sum(axis=-1)
    has_partner = (A > 0).any(axis=-1)
    np.testing.assert_allclose(totals[has_partner], 1.0, atol=1e-12)
    assert (totals[~has_partner] == 0).all()
