"""The classroom scenarios do what their teaching notes and the README's lesson say."""

from __future__ import annotations

import dataclasses
import re
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


def test_tutorial_step_3_slower_relaxation_keeps_the_ties_the_events_built(tmp_path: Path) -> None:
    """README tutorial step 3: `--set decay=0.002` leaves North Korea at the stated ties
    toward Russia, Laos and the United States at the end (step 2's in brackets), its hedging
    index lower, and the summary says what was overridden; `--model full --set
    balance=0.015` pulls every tie to 0.97 or beyond."""
    from click.testing import CliRunner

    from sim.cli import cli

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    step = text[text.index("**3. Change a parameter.**") : text.index("**4. Ask a what-if.**")]
    numbers = [float(x.replace("−", "-")) for x in re.findall(r"[+−]\d\.\d\d", step)]
    slow_rus, slow_lao, slow_usa, rus, lao, usa = numbers[:6]
    index_slow, index_base = (
        float(x) for x in re.findall(r"ends at (\d\.\d\d) instead of (\d\.\d\d)", step)[0]
    )
    baseline = str(ROOT / "scenarios" / "baseline.yaml")
    runner = CliRunner()
    end = {}
    for name, args in (("base", []), ("slow", ["--set", "decay=0.002"])):
        out = tmp_path / name
        shown = runner.invoke(cli, ["run", baseline, *args, "--out", str(out)])
        assert shown.exit_code == 0, shown.output
        end[name] = shown.output.splitlines()
    assert end["slow"][0].endswith("model null+spillover+agents; overridden: --set decay=0.002")
    for name, expected in (
        ("base", (rus, lao, usa, index_base)),
        ("slow", (slow_rus, slow_lao, slow_usa, index_slow)),
    ):
        stances, index = end[name][1], end[name][2]
        for partner, value in zip(("RUS", "LAO", "USA"), expected[:3], strict=True):
            assert f"{partner} {value:+.2f}" in stances, (name, stances)
        final = float(index.split("-> ")[1].split()[0])
        assert abs(final - expected[3]) <= 0.005 + 1e-9, (name, index)
    full = runner.invoke(
        cli,
        [
            "run",
            baseline,
            "--model",
            "full",
            "--set",
            "balance=0.015",
            "--out",
            str(tmp_path / "full"),
        ],
    )
    ties = [float(v) for v in re.findall(r"[+-]\d\.\d\d", full.output.splitlines()[1])]
    assert min(abs(t) for t in ties) >= 0.97


def readme_lesson() -> str:
    """The README's 15-minute lesson, the text the claims below are read from."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("A 15-minute lesson:") : text.index("For slides:")]


def small_state_index(parameters: dict[str, float]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Small State's hedging index and dependence at every date of `two-patrons.yaml`."""
    scenario = load_scenario(CLASSROOM / "two-patrons.yaml", parameters)
    A = run_model(scenario).alignment
    me = scenario.actor_ids.index("SML")
    index = metrics.hedging_index(A, scenario.capability)[:, me]
    return index, metrics.dependence(metrics.shares_of(A))[:, me], [str(d) for d in scenario.dates]


def test_lesson_step_2_hedging_figures_read_as_the_readme_says() -> None:
    """Step 2: the hedger's index stays in the stated range from 2021 on and dips across
    each of East's aid packages; the bandwagoner's is 0 and its dependence climbs to 1."""
    low, high = (
        float(x)
        for x in re.search(
            r"stays between ([0-9.]+) and ([0-9.]+) from 2021", readme_lesson()
        ).groups()
    )
    index, _, dates = small_state_index({})
    later = np.array(dates) >= "2021-01-01"
    assert round(index[later].min(), 2) == low and round(index[later].max(), 2) == high
    for aid in ("2021-02-01", "2021-06-01", "2021-10-01"):
        k = int(np.searchsorted(dates, aid))
        assert index[k + 1] < index[k - 1], aid
    bandwagon, dependence, _ = small_state_index({"hedging_rate": 0.0, "tolerance": 1.0})
    assert (bandwagon[later] == 0).all() and dependence[-1] == 1.0


def test_lesson_step_4_without_propensity_the_agent_courts_west_more_often() -> None:
    """Step 4: with Small State's hedging propensity at 0, at the scenario's seed, it courts
    West the stated number of times, against the stated number with its own propensity."""
    found = re.search(
        r"\((\d+) times against (\d+) with the scenario's seed, (\d+)\)", readme_lesson()
    )
    without, with_own, seed = (int(x) for x in found.groups())
    scenario = load_scenario(CLASSROOM / "two-patrons.yaml")
    assert scenario.seed == seed
    counts = []
    for propensity in (0.0, None):
        actors = tuple(
            dataclasses.replace(a, hedging=propensity)
            if a.id == "SML" and propensity is not None
            else a
            for a in scenario.actors
        )
        run = run_model(dataclasses.replace(scenario, actors=actors))
        ids = scenario.actor_ids
        counts.append(
            sum(
                1
                for a in run.actions
                if ids[a.source] == "SML" and a.kind == COURT and ids[a.target] == "WST"
            )
        )
    assert counts == [without, with_own]


def test_lesson_step_3_every_scripted_event_carries_its_document_and_quote() -> None:
    from sim.experiments.run import simulate

    events = simulate(load_scenario(CLASSROOM / "north-korea-2024-2025.yaml")).tables["events"]
    scripted = events[events["origin"] == "scripted"]
    assert len(scripted) > 10
    assert scripted["doc"].str.endswith(".txt").all() and (scripted["quote"].str.len() > 10).all()
