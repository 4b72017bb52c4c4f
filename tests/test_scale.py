"""Runs of many actors: tables streamed in row groups of whole dates, figures that show a
stated subset, `--record-every`, and `--csv` refused beyond its limit (README, "Speed").

Their time and memory are measured by `alignsim bench --actors`, not here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import ROOT, assert_refused, run

from sim.engine import results
from sim.experiments.bench import synthetic
from sim.experiments.run import Run, simulate
from sim.figures.runs import SHOWN_PARTNERS, SHOWN_TIES, RunView, run_figures
from sim.io.scenario import load_scenario

BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def mid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved run of 60 generated actors over two years (375,240 alignment rows)."""
    scenario = dataclasses.replace(synthetic(60), end=dt.date(2019, 12, 31))
    return simulate(scenario).save(tmp_path_factory.mktemp("mid") / "run")


def test_a_mid_size_run_streams_its_alignment_table_in_row_groups_of_whole_dates(
    mid: Path,
) -> None:
    found = pq.ParquetFile(mid / "alignment.parquet")
    assert found.metadata.num_row_groups > 1
    for i in range(found.metadata.num_row_groups):
        dates = found.read_row_group(i, columns=["date"]).column("date").to_pylist()
        rows_per_date = 60 * 59
        assert len(dates) % rows_per_date == 0 and len(dates) <= results.BLOCK_ROWS
    assert found.metadata.num_rows == 106 * 60 * 59  # 106 weekly dates


def test_a_streamed_table_equals_the_table_written_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "BLOCK_ROWS", 1000)
    run = simulate(load_scenario(BASELINE))
    folder = run.save(tmp_path / "run", csv=True)
    assert pq.ParquetFile(folder / "alignment.parquet").metadata.num_row_groups > 1
    assert run.trajectory is not None
    whole = results.alignment_table(run.trajectory)
    streamed = pq.read_table(folder / "alignment.parquet").to_pandas()
    pd.testing.assert_frame_equal(streamed, whole)
    from_csv = pd.read_csv(folder / "alignment.csv")
    assert len(from_csv) == len(whole) and list(from_csv.columns) == list(whole.columns)
    assert Run.load(folder).tables["metrics"].equals(run.tables["metrics"])


def test_figures_of_many_actors_draw_the_stated_subset_and_say_so(mid: Path) -> None:
    view = RunView.load(mid)
    figures = run_figures(view)
    alignment = figures["alignment_S0"].axes[0]
    assert len(alignment.get_lines()) == SHOWN_PARTNERS + 1  # the partners and the zero line
    assert "the other 51 and their events are left out" in alignment.get_title()
    hedging = figures["hedging"].axes[0]
    assert len(hedging.get_lines()) == SHOWN_PARTNERS + 2  # the focal, partners, event rug
    assert "left out" in hedging.get_title()
    network = figures[f"network_{view.last_date}"].axes[0]
    assert f"only the {SHOWN_TIES} strongest of 3,540 ties" in network.get_title()
    assert len(network.patches) == SHOWN_TIES  # one arrow a tie
    heatmap = figures[f"heatmap_{view.last_date}"].axes[0]
    assert "ordered by bloc" in heatmap.get_title() and "left out" in heatmap.get_title()
    blocs = view.metrics[view.metrics["date"] == view.last_date]["bloc"]
    assert f"bloc 0, {(blocs == 0).sum()} actors" in heatmap.get_xlabel()


def test_record_every_keeps_the_dates_of_the_tables_consistent(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    code, lines = run(runner, "run", str(BASELINE), "--record-every", "4", "--out", str(out))
    assert code == 0, lines
    alignment = pq.read_table(out / "alignment.parquet", columns=["date"]).to_pandas()
    metrics = pq.read_table(out / "metrics.parquet").to_pandas()
    events = pq.read_table(out / "events.parquet").to_pandas()
    dates = load_scenario(BASELINE).dates
    expected = [results.to_date(d) for d in dates[np.r_[0:522:4, 522]]]
    assert sorted(alignment["date"].unique()) == expected
    assert sorted(metrics["date"].unique()) == expected
    full = simulate(load_scenario(BASELINE)).tables["events"]
    assert len(events) == len(full) and events["date"].equals(full["date"])
    later = [min(d for d in expected if d >= day) for day in full["applied_on"]]
    assert list(events["applied_on"]) == later  # the first recorded state that shows it


def test_csv_beyond_its_limit_is_refused_in_one_line(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIGNSIM_MAX_CSV_ROWS", "10000")
    args = ["run", str(BASELINE), "--csv"]
    assert_refused(runner, args, "a CSV alignment table of 15,690 rows exceeds", tmp_path / "r")
