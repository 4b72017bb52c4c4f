"""The two drivers agree, runs are independent of their batch, and golden traces hold."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sim.engine.ensemble import Ensemble
from sim.engine.model import AlignmentModel, run_model
from sim.io.scenario import load_scenario

GOLDEN = Path(__file__).parent / "golden"


def test_mesa_and_ensemble_give_the_same_trajectory(tiny: Path) -> None:
    """One kernel, two drivers: the Mesa path equals the ensemble run for run (1e-12)."""
    scenario = load_scenario(tiny, {"activity": 20.0})
    mesa_runs = [run_model(scenario, seed) for seed in (11, 12)]
    batch = Ensemble(scenario, [11, 12]).run()
    for r, trajectory in enumerate(mesa_runs):
        np.testing.assert_allclose(trajectory.alignment, batch[r], rtol=0, atol=1e-12)
    assert mesa_runs[0].actions, "agents took no action: the comparison would miss the policy"


def test_batch_composition_does_not_change_a_run(tiny: Path) -> None:
    """A run's result depends only on its seed and parameters, not on its batch."""
    scenario = load_scenario(tiny, {"activity": 20.0})
    alone = Ensemble(scenario, [5], [{"decay": 0.01}]).run()[0]
    mixed = Ensemble(scenario, [1, 5, 9], [{"decay": 0.0}, {"decay": 0.01}, {"decay": 0.02}]).run()[
        1
    ]
    np.testing.assert_array_equal(alone, mixed)


def test_same_seed_same_run_different_seed_different_run(tiny: Path) -> None:
    scenario = load_scenario(tiny)
    a, b, c = (run_model(scenario, s).alignment for s in (1, 1, 2))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_mesa_agents_hold_live_views_of_their_rows(tiny: Path) -> None:
    model = AlignmentModel(load_scenario(tiny))
    start = [agent.alignment.copy() for agent in model.states]
    for _ in range(5):
        model.step()
    for agent, before in zip(model.states, start, strict=True):
        assert not np.array_equal(agent.alignment, before), "the row did not move"
        np.testing.assert_array_equal(agent.alignment, model.engine.alignment[0, agent.index])
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 6 and frame["date"].iloc[-1] == str(model.scenario.dates[5])


def test_golden_two_actor_trace_by_hand(write: Callable[[str, str], Path]) -> None:
    """Two actors, one treaty, decay only: every value follows from ODD.md §7 by hand."""
    path = write(
        "two.yaml",
        """\
        name: two
        start: 2024-01-01
        end: 2024-01-29
        step: week
        agents_from: 2024-01-29
        parameters: {noise: 0, spinup: 0, activity: 0, impulse: 0.4, reciprocity: 0.5,
                     decay: 0.01, baseline_shift: 0.5}
        actors: [{id: A, capability: 0.5}, {id: B, capability: 0.5}]
        events:
          - {id: pact, date: 2024-01-08, source: A, target: B, type: sign_agreement,
             institutional: true}
        """,
    )
    trajectory = run_model(load_scenario(path))
    u = 0.4 * 0.8  # impulse * Goldstein(057) / 10
    ab, ba = 1 - math.exp(-u), 1 - math.exp(-0.5 * u)
    base_ab, base_ba = 0.5 * ab, 0.5 * ba
    expected_ab = [0.0, 0.0]
    value = ab
    for _ in range(3):  # steps 2, 3, 4 relax toward the moved baseline for 7 days each
        value = base_ab + (value - base_ab) * math.exp(-0.07)
        expected_ab.append(value)
    np.testing.assert_allclose(trajectory.alignment[:, 0, 1], expected_ab, atol=1e-15)
    assert trajectory.alignment[2, 1, 0] == pytest.approx(
        base_ba + (ba - base_ba) * math.exp(-0.07), abs=1e-15
    )


def test_golden_trace_of_a_small_stochastic_scenario(tiny: Path) -> None:
    """A stored trace (tests/golden/tiny.json) guards against unnoticed changes of behaviour.

    Regenerate it only for a deliberate change of the model, and say so in the commit.
    """
    trajectory = run_model(load_scenario(tiny, {"activity": 12.0}), seed=3)
    golden = json.loads((GOLDEN / "tiny.json").read_text())
    steps = golden["steps"]
    np.testing.assert_allclose(
        trajectory.alignment[steps], np.array(golden["alignment"]), atol=1e-12
    )
    assert [[a.step, a.source, a.target, a.kind] for a in trajectory.actions] == golden["actions"]


@pytest.mark.parametrize("n", [3, 40])
def test_scenarios_of_3_and_40_actors_run(write: Callable[[str, str], Path], n: int) -> None:
    rng = np.random.default_rng(n)
    actors = "\n".join(f"  - {{id: S{i}, capability: {1 / n:.6f}, hedging: 0.5}}" for i in range(n))
    rows = "\n".join(
        f"  S{i}: {{{', '.join(f'S{j}: {rng.uniform(-0.5, 0.5):.3f}' for j in range(i + 1, n))}}}"
        for i in range(n - 1)
    )
    path = write(
        f"n{n}.yaml",
        f"name: n{n}\nstart: 2020-01-01\nend: 2021-12-31\nstep: month\n"
        f"agents_from: start\nactors:\n{actors}\nalignment:\n{rows}\n"
        f"events:\n  - {{id: x, date: 2020-05-05, source: S0, "
        f"target: S1;S2, type: '057'}}\n",
    )
    trajectory = run_model(load_scenario(path))
    assert trajectory.alignment.shape == (25, n, n)
    assert np.isfinite(trajectory.alignment).all() and np.abs(trajectory.alignment).max() <= 1
    assert trajectory.actions


def test_a_step_past_the_end_of_the_calendar_does_nothing(tiny: Path) -> None:
    model = AlignmentModel(load_scenario(tiny))
    while model.running:
        model.step()
    end = model.engine.alignment.copy()
    model.step()  # Mesa's controls may ask for more steps than are left
    assert not model.running and model.engine.k == model.engine.steps
    np.testing.assert_array_equal(model.engine.alignment, end)
