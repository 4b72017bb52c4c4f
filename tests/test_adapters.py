"""EMA Workbench and SALib's ProblemSpec driving alignsim: each experiment or design row
equals a direct ensemble run with its parameters and seed, and every result repeats."""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from sim.core import metrics
from sim.core.errors import InputError
from sim.core.params import REGISTRY
from sim.core.streams import spawn_seeds
from sim.engine.ensemble import Ensemble
from sim.experiments.adapters import ema_model, evaluate_design, problem_spec
from sim.io.scenario import load_scenario

with warnings.catch_warnings():  # "ipyparallel not installed": an evaluator we do not use
    warnings.simplefilter("ignore", UserWarning)
    from ema_workbench import SequentialEvaluator, perform_experiments

TWO_PATRONS = ROOT / "scenarios" / "two-patrons.yaml"
SCENARIO = load_scenario(TWO_PATRONS)
NAMES = ["decay", "jealousy", "hedging_rate"]


@pytest.fixture
def global_seed() -> Iterator[Callable[[int], None]]:
    """Seeds NumPy's global generator, which EMA's samplers draw from; restored after."""
    state = np.random.get_state()  # noqa: NPY002 (EMA samples with the legacy global state)
    yield np.random.seed
    np.random.set_state(state)  # noqa: NPY002


def direct(values: Mapping[str, float], seeds: Sequence[int]) -> dict[str, np.ndarray]:
    """Focal measures at every date of runs made here with the engine, one per seed,
    through `sim.core.metrics` on the whole state (not the adapters' path)."""
    history = Ensemble(SCENARIO, list(seeds), [values] * len(seeds)).run()
    focal, est = SCENARIO.focal_index, SCENARIO.actor_ids.index("EST")
    shares = metrics.shares_of(history)[:, :, focal]
    return {
        "hedging_index": metrics.hedging_index(history, SCENARIO.capability)[:, :, focal],
        "dependence": metrics.dependence(shares),
        "alignment_EST": history[:, :, focal, est],
    }


def experiment(model: object, scenarios: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """EMA's experiments table and outcomes, sampled by Latin hypercube, run in this process."""
    return perform_experiments(model, scenarios=scenarios, evaluator=SequentialEvaluator(model))


def test_ema_experiments_are_direct_runs_at_the_models_seed(global_seed) -> None:
    outcomes = ["final_hedging_index", "final_dependence", "final_alignment_EST"]
    model = ema_model(TWO_PATRONS, uncertainties=NAMES, outcomes=[*outcomes, "hedging_index"])
    global_seed(7)
    experiments, results = experiment(model, 8)
    for name in NAMES:
        assert experiments[name].between(REGISTRY[name].low, REGISTRY[name].high).all()
    assert experiments[NAMES].nunique().min() == 8
    assert {name: results[name].shape for name in outcomes} == dict.fromkeys(outcomes, (8,))
    assert results["hedging_index"].shape == (8, len(SCENARIO.dates))
    for row in (0, 5):
        runs = direct(experiments.loc[row, NAMES].astype(float).to_dict(), [SCENARIO.seed])
        expected = {
            "final_hedging_index": runs["hedging_index"][0, -1],
            "final_dependence": runs["dependence"][0, -1],
            "final_alignment_EST": runs["alignment_EST"][0, -1],
        }
        for name, value in expected.items():
            assert results[name][row] == pytest.approx(value, abs=1e-12), name
        np.testing.assert_allclose(
            results["hedging_index"][row], runs["hedging_index"][0], rtol=0, atol=1e-12
        )


def test_ema_experiments_repeat_and_follow_the_seed_constant(global_seed) -> None:
    model = ema_model(TWO_PATRONS, uncertainties=NAMES, outcomes="final_hedging_index")
    runs = []
    for seed in (7, 7):
        global_seed(seed)
        runs.append(experiment(model, 4))
    (first, first_out), (again, again_out) = runs
    assert first[NAMES].equals(again[NAMES])
    np.testing.assert_array_equal(
        first_out["final_hedging_index"], again_out["final_hedging_index"]
    )
    reseeded = ema_model(
        TWO_PATRONS, uncertainties=NAMES, outcomes="final_hedging_index", seed=SCENARIO.seed + 1
    )
    global_seed(7)
    other, other_out = experiment(reseeded, 4)
    assert other[NAMES].equals(first[NAMES])
    assert not np.allclose(other_out["final_hedging_index"], first_out["final_hedging_index"])


def test_ema_replications_are_means_over_spawned_seeds(global_seed) -> None:
    model = ema_model(
        TWO_PATRONS,
        uncertainties=NAMES[:2],
        outcomes=["final_alignment_EST", "dependence"],
        replications=3,
        seed=11,
    )
    global_seed(3)
    experiments, results = experiment(model, 4)
    assert results["final_alignment_EST"].shape == (4,)
    assert results["dependence"].shape == (4, len(SCENARIO.dates))
    runs = direct(experiments.loc[2, NAMES[:2]].astype(float).to_dict(), spawn_seeds(11, 3))
    assert results["final_alignment_EST"][2] == pytest.approx(
        runs["alignment_EST"][:, -1].mean(), abs=1e-12
    )
    np.testing.assert_allclose(
        results["dependence"][2], runs["dependence"].mean(axis=0), rtol=0, atol=1e-12
    )


def test_ema_model_function_pickles_for_worker_processes() -> None:
    model = ema_model(TWO_PATRONS, uncertainties=NAMES, outcomes=["final_dependence"])
    copy = pickle.loads(pickle.dumps(model))
    values = {"seed": 5, "decay": 0.01, "jealousy": 0.3}
    assert copy.function(**values) == model.function(**values)


def test_salib_problem_spec_chain_runs_rows_as_direct_means(global_seed) -> None:
    outputs = ["final_hedging_index", "final_dependence"]
    sp = problem_spec(NAMES[:2], outputs=outputs)
    assert sp["names"] == NAMES[:2]
    assert sp["bounds"] == [[REGISTRY[n].low, REGISTRY[n].high] for n in NAMES[:2]]
    chain = dict(spec=TWO_PATRONS, names=sp["names"], outcome=outputs, replicates=2, seed=5)
    sp.sample_sobol(8, calc_second_order=False, seed=3).evaluate(evaluate_design, **chain)
    sp.analyze_sobol(calc_second_order=False, seed=3)
    assert sp.results.shape == (32, 2)
    assert set(sp.analysis) == set(outputs)
    assert all(sp.analysis[o]["ST"].shape == (2,) for o in outputs)
    for row in (0, 17):
        runs = direct(dict(zip(NAMES[:2], sp.samples[row], strict=True)), spawn_seeds(5, 2))
        expected = [runs["hedging_index"][:, -1].mean(), runs["dependence"][:, -1].mean()]
        np.testing.assert_allclose(sp.results[row], expected, rtol=0, atol=1e-12)
    again = problem_spec(NAMES[:2], outputs=outputs).sample_sobol(
        8, calc_second_order=False, seed=3
    )
    chunked = evaluate_design(again.samples, **chain, chunk_runs=6)
    np.testing.assert_array_equal(chunked, sp.results)
    again.evaluate(evaluate_design, **chain).analyze_sobol(calc_second_order=False, seed=3)
    for o in outputs:
        np.testing.assert_array_equal(again.analysis[o]["ST"], sp.analysis[o]["ST"])


def test_one_outcome_gives_one_column_and_the_scenarios_seed_by_default() -> None:
    X = np.array([[0.001, 0.1], [0.015, 0.5]])
    values = evaluate_design(X, SCENARIO, names=NAMES[:2], outcome="final_dependence")
    assert values.shape == (2,)
    runs = direct(dict(zip(NAMES[:2], X[1], strict=True)), spawn_seeds(SCENARIO.seed, 1))
    assert values[1] == pytest.approx(runs["dependence"][0, -1], abs=1e-12)


@pytest.mark.parametrize(
    ("make", "named", "listed"),
    [
        (lambda: ema_model(TWO_PATRONS, uncertainties=["decay", "decai"]), "decai", "decay"),
        (lambda: ema_model(TWO_PATRONS, outcomes=["final_hedging"]), "final_hedging", "dependence"),
        (lambda: problem_spec(["balance", "seed"]), "seed", "balance"),
        (
            lambda: evaluate_design(np.zeros((1, 1)), TWO_PATRONS, names=["decay"], outcome="x"),
            "x",
            "final_dependence",
        ),
        (  # a series is an EMA outcome, not one SALib can analyse
            lambda: evaluate_design(
                np.zeros((1, 1)), TWO_PATRONS, names=["decay"], outcome="hedging_index"
            ),
            "hedging_index",
            "final_hedging_index",
        ),
    ],
)
def test_unknown_names_are_one_line_listing_the_allowed(make, named: str, listed: str) -> None:
    with pytest.raises(InputError) as caught:
        make()
    message = str(caught.value)
    assert f"{named!r}" in message and "\n" not in message
    allowed = message.split("; allowed: ")[1].split(", ")
    assert listed in allowed and named not in allowed


def test_a_design_out_of_range_of_the_wrong_width_or_without_runs_is_refused() -> None:
    with pytest.raises(InputError, match=r"decay = 0\.5 is out of range; allowed 0 to 0\.02"):
        evaluate_design(np.array([[0.5]]), TWO_PATRONS, names=["decay"])
    with pytest.raises(InputError, match=r"one value per parameter \(decay, balance\)"):
        evaluate_design(np.zeros((3, 1)), TWO_PATRONS, names=["decay", "balance"])
    with pytest.raises(InputError, match="replicates = 0: must be at least 1"):
        evaluate_design(np.zeros((3, 1)), TWO_PATRONS, names=["decay"], replicates=0)
    with pytest.raises(InputError, match="replications = 0: must be at least 1"):
        ema_model(TWO_PATRONS, replications=0)
