"""Leave-one-out influence of events and documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from sim.cli import cli
from sim.experiments.compare import Metric
from sim.experiments.influence import influence, without
from sim.io.scenario import load_scenario


def test_the_event_behind_an_outcome_ranks_first(tiny: Path) -> None:
    scenario = load_scenario(tiny)
    table = influence(scenario, "event", Metric("alignment_RUS", "PRK"), 10, 1, dt.date(2024, 7, 1))
    assert table["left_out"].iloc[0] == "e1"  # the June 2024 Russian treaty
    assert table["difference_mean"].iloc[0] < 0 and table["t_high"].iloc[0] < 0
    assert set(table["left_out"]) == {"e1", "e2"}


def test_leaving_out_keeps_the_agents_start(tiny: Path) -> None:
    scenario = load_scenario(tiny)
    last = scenario.events[-1].id
    assert without(scenario, last, [last]).agents_start_step == scenario.agents_start_step


def test_influence_by_document(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    tiny.write_text(
        tiny.read_text().replace("institutional: true}", "institutional: true, doc: a.txt}")
    )
    out = tmp_path / "rank.csv"
    result = runner.invoke(
        cli,
        [
            "influence",
            str(tiny),
            "--by",
            "document",
            "--metric",
            "alignment_RUS",
            "--replicates",
            "5",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "a.txt (1 event)" in result.output and "(no document) (1 event)" in result.output
    assert out.read_text().startswith("left_out,events,date,difference_mean")
