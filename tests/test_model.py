"""The two drivers agree, runs are independent of their batch, and golden traces hold."""

from __future__ import annotations

import inspect
import json
import math
import multiprocessing
from collections.abc import Callable
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.core import metrics
from sim.core.errors import InputError
from sim.engine.agents import StateAgent
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


def test_agents_report_the_current_state_at_every_date(tiny: Path) -> None:
    """The collector holds one row per date, and the agents' reporters follow the state."""
    model = AlignmentModel(tiny, rng=4, activity=20.0)
    for _ in range(45):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame["date"]) == [str(d) for d in model.dates[:46]]
    capability = np.array([a.capability for a in model.actors])
    agents = model.datacollector.get_agent_vars_dataframe()
    hedging = metrics.hedging_index(model.history, capability)
    dependence = metrics.dependence(metrics.shares_of(model.history))
    for name, expected in (("hedging_index", hedging), ("dependence", dependence)):
        reported = agents[name].unstack().to_numpy()
        np.testing.assert_allclose(reported, expected, rtol=1e-12, equal_nan=True)
    moved = dependence[-1] != dependence[0]
    assert moved.all(), "an agent's portfolio did not move"
    reported = agents["hedging_index"].unstack()
    assert frame["focal_hedging_index"].iloc[-1] == reported.iloc[-1].iloc[0]  # PRK, the focal


def test_the_model_takes_a_scenario_file_a_seed_and_keyword_parameters(tiny: Path) -> None:
    """``AlignmentModel(path, rng=..., **parameters)`` is the run of the loaded scenario with
    those parameters and that seed; no seed is the scenario's."""
    model = AlignmentModel(tiny, rng=5, decay=0.02, activity=20.0)
    while model.running:
        model.step()
    expected = run_model(load_scenario(tiny, {"decay": 0.02, "activity": 20.0}), seed=5)
    np.testing.assert_array_equal(model.trajectory().alignment, expected.alignment)
    assert model.trajectory().actions == expected.actions
    assert (model.run_seed, model.parameters["decay"]) == (5, 0.02)
    assert AlignmentModel(load_scenario(tiny)).run_seed == 3  # tiny's own seed


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"decy": 0.1}, "unknown parameter 'decy'"),
        ({"decay": "fast"}, "decay = 'fast' is not a number"),
        ({"decay": 5.0}, "decay = 5 is out of range"),
        ({"decay": float("nan")}, "must be a finite number"),
        ({"rng": -1}, "rng = -1 is not a seed"),
        ({"rng": 1.5}, "rng = 1.5 is not a seed"),
        ({"rng": True}, "rng = True is not a seed"),
    ],
)
def test_a_bad_parameter_or_seed_is_refused_in_one_line(
    tiny: Path, given: dict[str, object], said: str
) -> None:
    with pytest.raises(InputError) as refused:
        AlignmentModel(tiny, **given)  # type: ignore[arg-type]
    message = str(refused.value)
    assert message.startswith("AlignmentModel: ") and said in message and "\n" not in message


def test_no_attribute_of_the_model_or_its_agents_is_one_of_mesas(tiny: Path) -> None:
    """Mesa's Model and Agent own their names (Mesa 3.5 sets `scenario`, `time`, ...): ours
    replace only `step` and, for Mesa 3.3's leaking id counters, `Agent._ids`."""
    model = AlignmentModel(tiny)
    mesa_model = mesa.Model(rng=0)
    intended = {"step", "_ids"}
    for ours, theirs, cls in (
        (model, mesa_model, AlignmentModel),
        (next(iter(model.agents)), mesa.Agent(mesa_model), StateAgent),
    ):
        bare = type("Bare", (type(theirs),), {})  # what Mesa sets on any subclass itself
        mesa_names = set(dir(type(theirs))) | set(vars(theirs))
        defined = {n for n in set(vars(cls)) - set(vars(bare)) if not n.startswith("__")}
        own_names = defined | set(vars(ours)) - set(vars(theirs))
        clash = (own_names - intended) & mesa_names
        assert not clash, f"{cls.__name__} redefines Mesa's {sorted(clash)}"


@pytest.fixture
def start_method():
    """Mesa 3.5's `batch_run` sets multiprocessing's start method for the whole process."""
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def reporters_after(path: Path, steps: int, **keywords: object) -> dict[str, object]:
    """A direct run's model reporters and agents' hedging indices after `steps` steps."""
    model = AlignmentModel(path, **keywords)  # type: ignore[arg-type]
    for _ in range(steps):
        model.step()
    agents = {a.unique_id: a.hedging_index for a in model.agents}
    return {"date": model.date_text, "frustration": model.frustration, "agents": agents}


def test_mesa_batch_run_sweeps_the_model_by_its_keywords(tiny: Path, start_method) -> None:
    """`mesa.batch_run` builds the model from keywords and seeds it: Mesa 3.4 and later pass
    `rng=` themselves, Mesa 3.3 passes it as one of the model's parameters."""
    seeds = [1, 2]
    parameters: dict[str, object] = {"spec": [str(tiny)], "impulse": [0.3, 0.6]}
    by_mesa = "rng" in inspect.signature(mesa.batch_run).parameters
    rows = mesa.batch_run(
        AlignmentModel,
        parameters=parameters if by_mesa else {**parameters, "rng": seeds},
        number_processes=1,
        max_steps=30,
        display_progress=False,
        **({"rng": seeds} if by_mesa else {}),
    )
    frame = pd.DataFrame(rows)
    assert len(frame) == 4 * 4  # 2 impulses x 2 seeds, one row per agent
    for (impulse, seed), run in frame.groupby(["impulse", "rng"]):
        direct = reporters_after(tiny, int(run["Step"].iloc[0]), rng=seed, impulse=impulse)
        assert run["date"].iloc[0] == direct["date"]
        assert run["frustration"].iloc[0] == direct["frustration"]
        reported = dict(zip(run["AgentID"], run["hedging_index"], strict=True))
        np.testing.assert_equal(reported, direct["agents"])  # NaN for an actor with no patron
    focal = frame[frame["AgentID"] == 1].set_index(["impulse", "rng"])["hedging_index"]
    assert focal[0.3, 1] != focal[0.6, 1] and focal[0.3, 1] != focal[0.3, 2]


def test_golden_two_actor_trace_by_hand(write: Callable[[str, str], Path]) -> None:
    """Two actors, one treaty, decay and memory only: every value follows from ODD.md §7 by
    hand (golden values re-derived when memory joined the model: the baseline now follows
    the alignment at rate `memory`, §7.5)."""
    path = write(
        "two.yaml",
        """\
        name: two
        start: 2024-01-01
        end: 2024-01-29
        step: week
        agents_from: 2024-01-29
        parameters: {noise: 0, spinup: 0, activity: 0, impulse: 0.4, reciprocity: 0.5,
                     decay: 0.01, memory: 0.002, baseline_shift: 0.5}
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

    def week(value: float, base: float) -> tuple[float, float]:
        """7 days of relaxation (decay 0.01) and memory (0.002): the gap shrinks as
        e^{-0.012 t}; the alignment closes 10/12 of the change, the baseline 2/12."""
        closed = (value - base) * (1 - math.exp(-0.012 * 7))
        return value - closed * 10 / 12, base + closed * 2 / 12

    expected_ab, expected_base = [0.0, 0.0], [0.0, 0.0]
    value, base = ab, base_ab
    for _ in range(3):  # steps 2, 3, 4 relax toward the moving baseline for 7 days each
        value, base = week(value, base)
        expected_ab.append(value)
        expected_base.append(base)
    np.testing.assert_allclose(trajectory.alignment[:, 0, 1], expected_ab, atol=1e-15)
    np.testing.assert_allclose(trajectory.baseline[:, 0, 1], expected_base, atol=1e-15)
    assert trajectory.alignment[2, 1, 0] == pytest.approx(week(ba, base_ba)[0], abs=1e-15)


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
    end = model.alignment.copy()
    model.step()  # Mesa's controls may ask for more steps than are left
    assert not model.running and model.date_index == len(model.dates) - 1
    np.testing.assert_array_equal(model.alignment, end)
