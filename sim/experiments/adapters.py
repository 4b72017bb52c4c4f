"""Adapters through which EMA Workbench and SALib's `ProblemSpec` drive alignsim directly.

- `ema_model`: an EMA Workbench ``Model`` (or ``ReplicatorModel``) for exploratory
  modelling: ``perform_experiments``, scenario discovery (PRIM, CART), feature scoring,
  optimisation. Its uncertainties are `RealParameter`s over the parameter registry's
  ranges; its outcomes are a sweep's end-of-horizon values and, on request, the focal
  actor's hedging index, dependence or alignments at every date of the calendar.
- `problem_spec` and `evaluate_design`: SALib's method chain
  ``problem_spec(...).sample_sobol(N).evaluate(evaluate_design, ...).analyze_sobol()``;
  the whole design runs as ensemble batches, each row the mean over its replicates.

Both run the ensemble engine (`sim.engine.ensemble`) and report exactly what a sweep records
(`sim.experiments.sweep.outcome_table`); time series are `sim.experiments.compare.Metric`'s.
Seeds (every result is reproducible from one seed, the scenario's unless given): a plain
EMA ``Model`` runs every experiment with its constant ``seed``, as ``alignsim run --seed``
does; a ``ReplicatorModel``'s replication i and replicate i of every SALib row run with
``spawn_seeds(seed, R)[i]`` (`sim.core.streams`). Every experiment, or row, thus sees the
same random numbers: differences between them come from the parameters alone (common
random numbers).

EMA Workbench is an optional dependency (``pip install ema_workbench``, in the ``dev``
extra), imported when `ema_model` is first called.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from SALib import ProblemSpec

from sim.core.errors import InputError, excerpt
from sim.core.params import CALIBRATED, REGISTRY, check_all
from sim.core.streams import spawn_seeds
from sim.engine.ensemble import Ensemble
from sim.experiments.compare import Metric
from sim.experiments.sensitivity import problem_for
from sim.experiments.sweep import Chunk, run_chunk, scalar_outcomes
from sim.io.scenario import Scenario, scenario_of

if TYPE_CHECKING:
    from ema_workbench import Model, ReplicatorModel

Spec = Scenario | str | os.PathLike[str]

#: Most runs (rows times replicates) `evaluate_design` puts in one ensemble batch.
CHUNK_RUNS = 1000


def known(asked: str | Iterable[str], allowed: Sequence[str], what: str) -> tuple[str, ...]:
    """The names asked (one name or several), each checked against the allowed ones.

    Raises:
        InputError: a name not allowed, on one line with the allowed names.

    Examples:
        >>> known("decay", tuple(REGISTRY), "parameter")
        ('decay',)
    """
    names = (asked,) if isinstance(asked, str) else tuple(asked)
    for name in names:
        if name not in allowed:
            raise InputError(f"unknown {what} {excerpt(name)}; allowed: {', '.join(allowed)}")
    return names


def positive(count: int, what: str) -> int:
    """The count, if it is at least 1.

    Raises:
        InputError: a count below 1.

    Examples:
        >>> positive(3, "replicates")
        3
    """
    if count < 1:
        raise InputError(f"{what} = {count}: must be at least 1")
    return count


def series_outcomes(scenario: Scenario) -> tuple[str, ...]:
    """The focal actor's quantities at every date of the calendar (`compare.Metric`'s names).

    Examples:
        >>> series_outcomes(scenario_of("scenarios/two-patrons.yaml"))[:3]
        ('hedging_index', 'dependence', 'alignment_EST')
    """
    others = (f"alignment_{a}" for a in scenario.actor_ids if a != scenario.focal)
    return ("hedging_index", "dependence", *others)


def run_outcomes(
    scenario: Scenario, values: Sequence[Mapping[str, float]], seeds: Sequence[Sequence[int]]
) -> dict[str, np.ndarray]:
    """Run points (parameter values, each with its replicate seeds) as one ensemble batch.

    Returns:
        Each scalar outcome (`scalar_outcomes`) as an array [points, replicates], computed
        by the sweep's own chunk runner (`sim.experiments.sweep.run_chunk`).

    Examples:
        >>> two = scenario_of("scenarios/two-patrons.yaml")
        >>> run_outcomes(two, [{"decay": 0.001}, {"decay": 0.01}], [[1, 2, 3]] * 2)[
        ...     "final_hedging_index"
        ... ].shape
        (2, 3)
    """
    seeded = tuple(tuple(int(s) for s in point) for point in seeds)
    chunk = Chunk("adapter", tuple(range(len(values))), tuple(map(dict, values)), seeded)
    table = run_chunk(scenario, chunk, "year", trajectories=False).results
    shape = (len(values), -1)
    return {o: table.column(o).to_numpy().reshape(shape) for o in scalar_outcomes(scenario)}


def run_series(
    scenario: Scenario, values: Mapping[str, float], seeds: Sequence[int], names: Sequence[str]
) -> dict[str, np.ndarray]:
    """The named focal series (`series_outcomes`) of runs of one point, each [runs, K + 1].

    Examples:
        >>> two = scenario_of("scenarios/two-patrons.yaml")
        >>> run_series(two, {}, [1, 2], ["hedging_index"])["hedging_index"].shape
        (2, 262)
    """
    engine = Ensemble(scenario, [int(s) for s in seeds], [values] * len(seeds), False)
    history = engine.run()
    return {n: Metric(n, scenario.focal).values(scenario, history) for n in names}


@dataclass(frozen=True)
class ExperimentFunction:
    """The function an `ema_model` calls: one run for an experiment, its named outcomes.

    Called with the run's ``seed`` and any registry parameters (the model's uncertainties,
    levers and constants); parameters it is not given keep the scenario's values. It holds
    only the scenario and the series to compute, so it pickles (EMA's multiprocessing
    evaluator sends it to worker processes).

    Examples:
        >>> f = ExperimentFunction(scenario_of("scenarios/two-patrons.yaml"))
        >>> out = f(seed=42, decay=0.01)
        >>> sorted(out)[:3]
        ['agent_actions', 'bloc_count', 'final_alignment_EST']
        >>> 0 <= out["final_hedging_index"] <= 1
        True
    """

    scenario: Scenario
    series: tuple[str, ...] = ()

    def __call__(self, seed: int, **parameters: float) -> dict[str, Any]:
        values = check_all(parameters, "EMA experiment")
        scalars = run_outcomes(self.scenario, [values], [[seed]])
        paths = run_series(self.scenario, values, [seed], self.series) if self.series else {}
        return {name: v[0, 0].item() for name, v in scalars.items()} | {
            name: v[0] for name, v in paths.items()
        }


def load_ema() -> Any:
    """EMA Workbench, imported on first use, without its notice that ipyparallel (an
    evaluator these adapters do not need) is missing.

    Examples:
        >>> load_ema().Model.__name__
        'Model'
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ipyparallel not installed", UserWarning)
        import ema_workbench

    return ema_workbench


def ema_outcomes(names: Sequence[str], series: Sequence[str], replicated: bool) -> list[Any]:
    """EMA outcome objects of the names: a `TimeSeriesOutcome` for each series, else a
    `ScalarOutcome`; over replications, each the mean of the replications' values.

    Examples:
        >>> [type(o).__name__ for o in ema_outcomes(["final_dependence"], [], False)]
        ['ScalarOutcome']
    """
    ema = load_ema()
    scalar = np.mean if replicated else None
    path = functools.partial(np.mean, axis=0) if replicated else None
    return [
        ema.TimeSeriesOutcome(n, function=path)
        if n in series
        else ema.ScalarOutcome(n, function=scalar)
        for n in names
    ]


def ema_model(
    spec: Spec,
    *,
    uncertainties: str | Iterable[str] = CALIBRATED,
    outcomes: str | Iterable[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    name: str = "alignsim",
) -> Model | ReplicatorModel:
    """An EMA Workbench model of a scenario, run by the ensemble engine.

    Args:
        spec: a scenario file's path or a loaded scenario.
        uncertainties: parameters to explore (`RealParameter`s over the registry's ranges);
            every other parameter is a `Constant` at the scenario's value.
        outcomes: names from `scalar_outcomes` and `series_outcomes` (default: every scalar
            outcome); replace ``model.outcomes`` to summarise otherwise (the variable names
            stay these).
        replications: None for a ``Model`` (one run per experiment, with the constant
            ``seed``); a number for a ``ReplicatorModel``, whose outcomes are the means
            over replications seeded ``spawn_seeds(seed, replications)``.
        seed: the run seed, or the seed the replications' seeds spawn from (default: the
            scenario's).
        name: the model's name (letters and digits only, as EMA requires).

    Raises:
        InputError: an unknown parameter or outcome name, or replications below 1.

    Examples:
        >>> from ema_workbench import perform_experiments
        >>> model = ema_model("scenarios/two-patrons.yaml", uncertainties=["decay", "jealousy"])
        >>> experiments, outcomes = perform_experiments(model, scenarios=4)
        >>> experiments[["decay", "jealousy"]].shape, outcomes["final_hedging_index"].shape
        ((4, 2), (4,))
    """
    ema = load_ema()
    scenario = scenario_of(spec)
    names = known(uncertainties, tuple(REGISTRY), "parameter")
    allowed = scalar_outcomes(scenario) + series_outcomes(scenario)
    asked = known(scalar_outcomes(scenario) if outcomes is None else outcomes, allowed, "outcome")
    series = tuple(o for o in asked if o in series_outcomes(scenario))
    base = scenario.seed if seed is None else seed
    kind = ema.Model if replications is None else ema.ReplicatorModel
    model = kind(name, function=ExperimentFunction(scenario, series))
    model.uncertainties = [ema.RealParameter(n, REGISTRY[n].low, REGISTRY[n].high) for n in names]
    model.outcomes = ema_outcomes(asked, series, replications is not None)
    fixed = [ema.Constant(n, v) for n, v in scenario.parameters.items() if n not in names]
    if replications is None:
        model.constants = [*fixed, ema.Constant("seed", base)]
    else:
        model.constants = fixed
        spawned = spawn_seeds(base, positive(replications, "replications"))
        model.replications = [{"seed": s} for s in spawned]
    return model


def problem_spec(
    names: str | Iterable[str] = CALIBRATED, outputs: Sequence[str] | None = None
) -> ProblemSpec:
    """A SALib `ProblemSpec` over the registry's ranges of the named parameters.

    Args:
        names: the parameters (default: those `alignsim calibrate` fits).
        outputs: names of the outcomes `evaluate_design` will return, to key the analysis
            by them (SALib calls them ``Y`` or ``Y1``, ``Y2``, ... otherwise).

    Raises:
        InputError: an unknown parameter name.

    Examples:
        >>> sp = problem_spec(["decay", "balance"], outputs=["final_hedging_index"])
        >>> sp.sample_sobol(8, calc_second_order=False, seed=1).samples.shape
        (32, 2)
        >>> spec = "scenarios/two-patrons.yaml"
        >>> sp.evaluate(evaluate_design, spec, names=sp["names"], seed=1).results.shape
        (32,)
        >>> sp.analyze_sobol(calc_second_order=False, seed=1).analysis["ST"].shape
        (2,)
    """
    problem: dict[str, Any] = problem_for(known(names, tuple(REGISTRY), "parameter"))
    return ProblemSpec(problem if outputs is None else {**problem, "outputs": list(outputs)})


def evaluate_design(
    X: np.ndarray,
    spec: Spec,
    *,
    names: str | Iterable[str] = CALIBRATED,
    outcome: str | Sequence[str] = "final_hedging_index",
    replicates: int = 1,
    seed: int | None = None,
    chunk_runs: int = CHUNK_RUNS,
) -> np.ndarray:
    """Evaluate a design, as SALib's ``ProblemSpec.evaluate(evaluate_design, ...)`` asks.

    Args:
        X: the design [n, D], column j the value of ``names[j]``.
        spec: a scenario file's path or a loaded scenario.
        names: the design's parameters, in its columns' order (``sp["names"]``).
        outcome: one name from `scalar_outcomes`, or several.
        replicates: runs per row; row i's outcome is their mean. Replicate r of every row
            is seeded ``spawn_seeds(seed, replicates)[r]`` (common random numbers).
        seed: the seed the replicates' seeds spawn from (default: the scenario's).
        chunk_runs: most runs per ensemble batch (the values do not depend on it).

    Returns:
        [n] for one outcome, [n, k] for k outcomes.

    Raises:
        InputError: an unknown parameter or outcome, a design whose columns do not match
            the names, a value outside a parameter's range, or replicates below 1.

    Examples:
        >>> X = np.array([[0.001, 0.002], [0.01, 0.0]])
        >>> evaluate_design(X, "scenarios/two-patrons.yaml", names=["decay", "balance"]).shape
        (2,)
    """
    scenario = scenario_of(spec)
    columns = known(names, tuple(REGISTRY), "parameter")
    asked = known(outcome, scalar_outcomes(scenario), "outcome")
    design = checked_design(X, columns)
    seeds = spawn_seeds(scenario.seed if seed is None else seed, positive(replicates, "replicates"))
    rows = max(1, chunk_runs // replicates)
    blocks = (design[i : i + rows] for i in range(0, len(design), rows))
    result = np.concatenate([row_means(scenario, block, seeds, asked) for block in blocks])
    return result[:, 0] if isinstance(outcome, str) else result


def checked_design(X: np.ndarray, names: Sequence[str]) -> list[dict[str, float]]:
    """The design's rows as parameter values, after checking its shape and ranges.

    Raises:
        InputError: no rows, columns that do not match the names, or a value out of range.

    Examples:
        >>> checked_design(np.array([[0.01]]), ["decay"])
        [{'decay': 0.01}]
    """
    design = np.asarray(X, dtype=float)
    if design.ndim != 2 or design.shape[1] != len(names) or not len(design):
        raise InputError(
            f"design of shape {design.shape}: expected rows of one value per parameter "
            f"({', '.join(names)})"
        )
    for bound in (design.min(axis=0), design.max(axis=0)):
        check_all(dict(zip(names, bound, strict=True)), "design")
    return [dict(zip(names, map(float, row), strict=True)) for row in design]


def row_means(
    scenario: Scenario,
    rows: Sequence[Mapping[str, float]],
    seeds: Sequence[int],
    outcomes: Sequence[str],
) -> np.ndarray:
    """The named outcomes [rows, k] of one batch of rows, each the mean over the seeds' runs.

    Examples:
        >>> two = scenario_of("scenarios/two-patrons.yaml")
        >>> row_means(two, [{"decay": 0.01}], [1, 2], ["final_dependence"]).shape
        (1, 1)
    """
    values = run_outcomes(scenario, rows, [seeds] * len(rows))
    return np.column_stack([values[o].mean(axis=1) for o in outcomes])
