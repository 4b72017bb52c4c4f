"""The classroom scenarios do what their teaching notes and the README's lesson say."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import ROOT

from sim.core import metrics
from sim.core.policy import COURT, REINFORCE
from sim.engine.model import run_model
from sim.io.scenario import load_scenario

CLASSROOM = ROOT / "scenarios"


def small_state_actions(parameters: dict[str, float]) -> list[tuple[str, int, str]]:
    """(date, kind, target) of every action Small State takes in `two-patrons.yaml`."""
    scenario = load_scenario(CLASSROOM / "two-patrons.yaml", parameters)
    run = run_model(scenario)
    ids = scenario.actor_ids
    return [
        (str(scenario.dates[a.step]), a.kind, ids[a.target])
        for a in run.actions
        if ids[a.source] == "SML"
    ]


def test_two_patrons_hedger_courts_west_after_easts_aid() -> None:
    courted = [(day, target) for day, kind, target in small_state_actions({}) if kind == COURT]
    assert any(day > "2021-02-01" and target == "WST" for day, target in courted)


def test_two_patrons_bandwagon_settings_only_reinforce_east() -> None:
    """README lesson step 2: `--set hedging_rate=0 --set tolerance=1`."""
    actions = small_state_actions({"hedging_rate": 0.0, "tolerance": 1.0})
    assert actions, "the small state took no action: the lesson would show nothing"
    assert {(kind, target) for _, kind, target in actions} == {(REINFORCE, "EST")}


def test_seat_of_honour_one_honour_passes_rival_not_patron(tmp_path: Path) -> None:
    """The exercise: uncomment the honour; Newcomer moves past Rival but not past Patron."""
    text = (CLASSROOM / "seat-of-honour.yaml").read_text()
    exercise = tmp_path / "seat-of-honour.yaml"
    exercise.write_text(text.replace("  # - {id: honour", "  - {id: honour"))
    ranks = {}
    for name, path in (("before", CLASSROOM / "seat-of-honour.yaml"), ("after", exercise)):
        scenario = load_scenario(path)
        final = run_model(scenario).alignment[-1]
        host = scenario.actor_ids.index("HST")
        order = metrics.protocol_rank(final)[host]
        ranks[name] = {a: int(order[i]) for i, a in enumerate(scenario.actor_ids)}
    assert ranks["before"]["NEW"] > ranks["before"]["RIV"] > ranks["before"]["PAT"]
    assert ranks["after"]["PAT"] < ranks["after"]["NEW"] < ranks["after"]["RIV"]


def test_balance_camps_are_the_leading_eigenvectors_signs() -> None:
    scenario = load_scenario(CLASSROOM / "balance.yaml")
    final = run_model(scenario).alignment[-1]
    np.testing.assert_array_equal(
        metrics.blocs(final[None])[0], metrics.blocs(scenario.alignment[None])[0]
    )


def test_tutorial_step_3_stronger_balance_splits_north_koreas_ties(tmp_path: Path) -> None:
    """README tutorial step 3: `--set balance=0.015` lifts North Korea's ties to China,
    Vietnam and Laos to about +0.8 and sinks its tie to the United States below −0.8, and
    the summary says what was overridden."""
    from click.testing import CliRunner

    from sim.cli import cli
    from sim.experiments.run import simulate

    base = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    stronger = load_scenario(ROOT / "scenarios" / "baseline.yaml", {"balance": 0.015})
    end = {}
    for name, scenario in (("base", base), ("stronger", stronger)):
        table = simulate(scenario).tables["alignment"]
        last = table[(table["source"] == "PRK") & (table["date"] == table["date"].max())]
        end[name] = dict(zip(last["target"], last["value"], strict=True))
    for partner in ("CHN", "VNM", "LAO"):
        assert (
            end["stronger"][partner] > 0.75
            and end["stronger"][partner] > end["base"][partner] + 0.15
        )
    assert end["stronger"]["USA"] < -0.8 < end["base"]["USA"]
    baseline = str(ROOT / "scenarios" / "baseline.yaml")
    out = str(tmp_path / "r")
    shown = CliRunner().invoke(cli, ["run", baseline, "--set", "balance=0.015", "--out", out])
    assert "overridden: --set balance=0.015" in shown.output.splitlines()[0]
