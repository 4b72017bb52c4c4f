"""Calibration: fit parameters to the documents' targets by differential evolution.

The loss of a parameter vector is the weighted mean hinge violation of the targets
(`sim.experiments.targets`), averaged over replicate runs that share their seeds across all
candidates (common random numbers), so candidates are compared on the same noise. The optimiser is
`scipy.optimize.differential_evolution` (Storn & Price 1997) over the registry's ranges,
with ``vectorized=True``: each generation's whole population runs as one ensemble batch.

Ordinal targets cannot pin every parameter: many vectors fit equally well. The fit
therefore reports the plateau (every evaluated vector within ε of the best loss), an
interval per parameter over it, and the spread of projections across it
(`sim.experiments.calibration`; README, "Calibration: what the documents say").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import differential_evolution

from sim.core.errors import InputError
from sim.core.params import REGISTRY
from sim.core.streams import spawn_seeds
from sim.engine.ensemble import Ensemble
from sim.experiments.targets import Target, needed_steps, violations, weights
from sim.io.scenario import Scenario

#: Population size multiplier of differential evolution (population = POPSIZE × dimensions).
POPSIZE = 6


def evaluate(
    scenario: Scenario,
    targets: Sequence[Target],
    candidates: Sequence[dict[str, float]],
    seeds: Sequence[int],
) -> tuple[np.ndarray, np.ndarray]:
    """Run every candidate with every seed in one batch and score it.

    Returns:
        (loss [S], violation [S, R, T]): weighted mean violation averaged over replicates,
        and each target's violation in each run.
    """
    varied = [c for c in candidates for _ in seeds]
    steps = needed_steps(targets, scenario.dates)
    engine = Ensemble(scenario, list(seeds) * len(candidates), varied, record_actions=False)
    history = engine.run(steps)
    violation, _, _ = violations(targets, history, steps, scenario.dates, scenario.capability)
    violation = violation.reshape(len(candidates), len(seeds), len(targets))
    return (violation * weights(targets)).sum(axis=-1).mean(axis=-1), violation


@dataclass
class Fit:
    """The result of a calibration.

    Attributes:
        names: fitted parameters, in order.
        best: best parameter values.
        loss: best loss.
        satisfaction: per target, the share of replicates that satisfy it at the best fit.
        evaluated: every evaluated vector, [M, D]; losses: their losses, [M].
        runs: model runs spent; generations: generations of differential evolution.
        seeds: the replicates' seeds, common to every candidate.
        seed: the seed they and the optimiser came from; budget: the most runs allowed.
        seconds: wall time of the fit.
    """

    names: tuple[str, ...]
    best: dict[str, float]
    loss: float
    satisfaction: np.ndarray
    evaluated: np.ndarray
    losses: np.ndarray
    runs: int
    generations: int
    seeds: list[int]
    seed: int
    budget: int
    seconds: float = field(compare=False)

    def plateau(self, epsilon: float) -> np.ndarray:
        """Indices of evaluated vectors within `epsilon` of the best loss, best first."""
        inside = np.flatnonzero(self.losses <= self.loss + epsilon)
        return inside[np.argsort(self.losses[inside], kind="stable")]


def generations_for(budget: int, dimensions: int, replicates: int) -> int:
    """Generations of differential evolution a budget of model runs pays for (≥ 0).

    Raises:
        InputError: the budget does not cover the initial population.
    """
    per_generation = POPSIZE * dimensions * replicates
    if budget < per_generation:
        raise InputError(
            f"--budget {budget}: too small; one generation of {POPSIZE * dimensions}"
            f" candidates x {replicates} replicates needs {per_generation} runs"
        )
    return budget // per_generation - 1


def calibrate(
    scenario: Scenario,
    targets: Sequence[Target],
    names: Sequence[str],
    budget: int,
    replicates: int,
    seed: int,
    progress: Callable[[int, float], None] | None = None,
) -> Fit:
    """Fit `names` to the targets by differential evolution within the registry's ranges.

    Args:
        scenario: the scenario (its other parameters stay as they are).
        targets: the targets to fit.
        names: parameters to fit.
        budget: the most model runs to spend.
        replicates: runs per candidate (common random numbers).
        seed: seeds the replicates and the optimiser.
        progress: called after each batch with (runs in the batch, best loss so far).
    """
    bounds = [(REGISTRY[n].low, REGISTRY[n].high) for n in names]
    began = time.perf_counter()
    seeds = spawn_seeds(seed, replicates, np.uint64)  # common to every candidate
    evaluated: list[np.ndarray] = []
    losses: list[np.ndarray] = []

    def objective(x: np.ndarray) -> np.ndarray:
        candidates = [dict(zip(names, map(float, column), strict=True)) for column in x.T]
        loss, _ = evaluate(scenario, targets, candidates, seeds)
        evaluated.append(x.T.copy())
        losses.append(loss)
        if progress:
            progress(len(candidates) * replicates, float(np.concatenate(losses).min()))
        return loss

    generations = generations_for(budget, len(names), replicates)
    result = differential_evolution(
        objective,
        bounds,
        maxiter=generations,
        popsize=POPSIZE,
        tol=0.0,
        polish=False,
        init="latinhypercube",
        updating="deferred",
        vectorized=True,
        rng=seed,
    )
    all_x, all_loss = np.concatenate(evaluated), np.concatenate(losses)
    best = dict(zip(names, map(float, result.x), strict=True))
    _, violation = evaluate(scenario, targets, [best], seeds)
    return Fit(
        names=tuple(names),
        best=best,
        loss=float(result.fun),
        satisfaction=(violation[0] == 0).mean(axis=0),
        evaluated=all_x,
        losses=all_loss,
        runs=len(all_x) * replicates,
        generations=int(result.nit),
        seeds=seeds,
        seed=seed,
        budget=budget,
        seconds=time.perf_counter() - began,
    )
