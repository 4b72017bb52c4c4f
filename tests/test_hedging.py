"""Hedging measured as the literature means it, memory that keeps sustained courtship, and
agents whose every rule fires (ODD.md §7.5, §7.7, §7.11, §7.12)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from sim.core import metrics
from sim.core.dynamics import State, partner_sizes
from sim.core.params import defaults
from sim.core.policy import COUNTERBALANCE, COURT, REINFORCE, choose
from sim.engine.model import run_model
from sim.io.scenario import load_scenario

#: PRK, CHN, RUS, VNM, LAO, USA as in `baseline.yaml`.
CAPABILITY = np.array([0.03, 0.34, 0.18, 0.06, 0.01, 0.38])


def row(
    chn: float, rus: float, vnm: float = 0.2, lao: float = 0.3, usa: float = -0.8
) -> np.ndarray:
    """North Korea's alignment row toward its five partners."""
    return np.array([0.0, chn, rus, vnm, lao, usa])


@pytest.mark.parametrize(
    ("ties", "expected"),
    [
        (row(0.5, 0.5), 1.0),  # both patrons equally close: a hedger
        (row(0.8, 0.4), 0.5),  # leaning toward China
        (row(0.5, 0.9), 0.5 / 0.9),  # leaning toward Russia (China the larger power)
        (row(0.6, -0.4), 0.2 / 0.6),  # Russia hostile: Vietnam, stronger than PRK, is second
        (row(0.6, -0.4, vnm=-0.1), 0.0),  # one patron only: a bandwagoner
        (row(-0.6, -0.4, vnm=-0.1), np.nan),  # no stronger partner: no patron to balance
        (row(0.64, 0.41, usa=0.04), 0.41 / 0.64),  # a barely warm USA gives little support
    ],
)
def test_patron_balance_of_hand_made_portfolios(ties: np.ndarray, expected: float) -> None:
    np.testing.assert_allclose(metrics.patron_balance(ties, CAPABILITY, 0), expected)


def test_small_partners_move_dependence_not_the_patron_balance() -> None:
    """Laos (weaker than PRK) is never a patron: warming to it leaves the balance between
    China and Russia as it was, and lowers dependence on the closest partner."""
    before, after = row(0.5, 0.9, lao=0.1), row(0.5, 0.9, lao=0.8)
    assert metrics.patron_balance(after, CAPABILITY, 0) == metrics.patron_balance(
        before, CAPABILITY, 0
    )
    shares = metrics.shares_of(np.stack([before, after]))
    np.testing.assert_allclose(metrics.dependence(shares), [0.9 / 1.7, 0.9 / 2.4])


def test_the_most_capable_actor_and_an_isolated_one_have_no_hedging_index() -> None:
    A = np.array([[0.0, -0.5, -0.2], [-0.5, 0.0, 0.4], [-0.2, 0.4, 0.0]])
    index = metrics.hedging_index(A, np.array([0.1, 0.5, 0.4]))
    assert np.isnan(index[0]) and np.isnan(index[1])  # 0: no positive tie; 1: the largest
    assert index[2] == 0.0  # one patron (1), positively tied
    assert np.isnan(metrics.dependence(metrics.shares_of(A))[0])


def lesson(**values: float) -> tuple[np.ndarray, list[tuple[str, int, str]], list[str]]:
    """Small State's hedging index at every date of `two-patrons.yaml`, its actions as
    (date, kind, target), and the dates."""
    scenario = load_scenario(ROOT / "scenarios" / "two-patrons.yaml", values)
    run = run_model(scenario)
    ids, me = scenario.actor_ids, scenario.actor_ids.index("SML")
    index = metrics.hedging_index(run.alignment, scenario.capability)[:, me]
    actions = [
        (str(scenario.dates[a.step]), a.kind, ids[a.target]) for a in run.actions if a.source == me
    ]
    return index, actions, [str(d) for d in scenario.dates]


def test_the_lessons_hedger_and_bandwagoner_differ_by_a_clear_margin() -> None:
    """README lesson step 2: after a first year, the hedger's index stays above 0.4 and the
    bandwagoner's (`--set hedging_rate=0 --set tolerance=1`) below 0.1."""
    hedger, _, dates = lesson()
    bandwagoner, _, _ = lesson(hedging_rate=0.0, tolerance=1.0)
    later = np.array(dates) >= "2021-01-01"
    assert hedger[later].min() > 0.4
    assert bandwagoner[later].max() < 0.1


def test_easts_aid_lowers_the_hedgers_balance_and_courting_restores_it() -> None:
    """The index moves with the events: each of East's aid packages tilts Small State
    toward East (the balance falls across it); it courts West within months."""
    index, actions, dates = lesson()
    at = {d: i for i, d in enumerate(dates)}
    assert index[at["2021-02-10"]] < index[at["2021-01-27"]] - 0.05
    courted = [day for day, kind, target in actions if kind == COURT and target == "WST"]
    assert any("2021-02-01" < day < "2021-10-01" for day in courted)


def test_the_baseline_hedging_index_moves_with_north_koreas_patrons() -> None:
    """With the documented events the index falls across the 2024 Russia treaty and rises
    across the September 2025 Beijing trip, each by more than 0.1."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", {"activity": 0.0})
    run = run_model(scenario)
    index = metrics.hedging_index(run.alignment, scenario.capability)[:, scenario.focal_index]
    at = {str(d): i for i, d in enumerate(scenario.dates)}
    assert index[at["2024-07-01"]] < index[at["2024-05-27"]] - 0.1
    assert index[at["2025-09-15"]] > index[at["2025-08-18"]] + 0.1


def courtship(write: Callable[[str, str], Path], visits: int) -> float:
    """How far `visits` monthly state visits of A to B move B's baseline toward A, by a
    year after the last (memory at its default; no noise, no agents)."""
    dates = [f"{2020 + k // 12}-{1 + k % 12:02d}-05" for k in range(visits)]
    events = "\n".join(
        f"  - {{id: v{k}, date: {day}, source: A, target: B, type: host_visit}}"
        for k, day in enumerate(dates)
    )
    path = write(
        f"courtship-{visits}.yaml",
        "name: courtship\nstart: 2020-01-01\nend: 2022-12-31\nstep: week\n"
        "parameters: {noise: 0, spinup: 0, activity: 0, balance: 0, hedging_rate: 0}\n"
        "actors: [{id: A, capability: 0.5}, {id: B, capability: 0.5}]\n"
        f"events:\n{events}\n",
    )
    trajectory = run_model(load_scenario(path))
    return float(trajectory.baseline[-1, 1, 0] - trajectory.baseline[0, 1, 0])


def test_sustained_courtship_accumulates_in_memory_and_a_single_visit_fades(
    write: Callable[[str, str], Path],
) -> None:
    single, sustained = courtship(write, 1), courtship(write, 24)
    assert sustained > 0.1
    assert 0 < single < sustained / 10


def state_of(A: np.ndarray, capability: np.ndarray) -> State:
    """One run's state at the registry's defaults."""
    p = {k: np.array([v]) for k, v in defaults().items()}
    size = partner_sizes(capability, p["share_exponent"])
    return State(A[None].copy(), A[None].copy(), size, p, capability)


def decision(A: np.ndarray, capability: np.ndarray, tolerance: float) -> tuple[int, int]:
    """Actor 0's choice (target, kind) at the best candidate (a zero draw, low temperature)."""
    state = state_of(A, capability)
    state.params["temperature"][:] = 0.01
    target, kind = choose(state, np.array([0]), np.array([0]), np.array([tolerance]), np.zeros(1))
    return int(target[0]), int(kind[0])


def test_an_agent_courts_the_rival_patron_once_dependence_passes_its_tolerance() -> None:
    A = np.array(
        [[0.0, 0.8, 0.1, 0.05], [0.8, 0.0, -0.6, 0.1], [0.1, -0.6, 0.0, 0.2], [0.05, 0.1, 0.2, 0.0]]
    )
    capability = np.array([0.04, 0.46, 0.46, 0.04])
    dependence = 0.8 / 0.95
    assert decision(A, capability, tolerance=dependence - 0.01) == (2, COURT)
    assert decision(A, capability, tolerance=dependence + 0.01) == (1, REINFORCE)


def test_a_threatened_agent_counterbalances_with_its_threats_enemy() -> None:
    A = np.array(
        [[0.0, 0.1, 0.1, -0.7], [0.1, 0.0, 0.1, -0.6], [0.1, 0.1, 0.0, 0.3], [-0.7, -0.6, 0.3, 0.0]]
    )
    assert decision(A, np.array([0.1, 0.3, 0.3, 0.3]), tolerance=1.0) == (1, COUNTERBALANCE)


def test_an_actor_without_partners_engages_the_one_it_is_least_hostile_to() -> None:
    """The United States of the baseline after 2020, in small: no positive tie, no enemy of
    its threat; it still acts."""
    A = np.array(
        [
            [0.0, -0.8, -0.3, -0.5],
            [-0.8, 0.0, 0.5, 0.4],
            [-0.3, 0.5, 0.0, 0.5],
            [-0.5, 0.4, 0.5, 0.0],
        ]
    )
    assert decision(A, np.array([0.4, 0.1, 0.3, 0.2]), tolerance=0.5) == (2, REINFORCE)


def test_every_baseline_actor_acts_after_the_documents_and_every_rule_fires() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", {"activity": 12.0})
    run = run_model(scenario)
    assert {scenario.actor_ids[a.source] for a in run.actions} == set(scenario.actor_ids)
    assert {a.kind for a in run.actions} == {COURT, COUNTERBALANCE, REINFORCE}
