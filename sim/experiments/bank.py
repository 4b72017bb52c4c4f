"""A bank of prior-predictive simulations: the one set of runs every inference reuses.

Parameter vectors are drawn from the prior (uniform over each free parameter's interval, a
Latin hypercube from `scipy.stats.qmc`), each run once with its own seed, and every target
is scored in every run. The bank keeps each target's *gap* (lhs − rhs, oriented so that a
positive gap is the claim's direction) rather than its violation, so the same runs serve the
observed claims and any synthetic observation (a member's own claim directions), which
simulation-based calibration and the model-choice check need (ODD.md §7.16). When the
evidence includes the UN votes, each run's log-likelihood of the 2018–2019 counts under the
measurement model (ODD.md §7.15) is kept too.

The runs go in batches of at most `BATCH_RUNS`, so memory stays bounded; a run depends only
on its seed and parameters, so the bank does not depend on the batch size.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from sim.core.errors import InputError
from sim.core.params import REGISTRY
from sim.core.streams import spawn_seeds
from sim.engine.ensemble import Ensemble
from sim.experiments.targets import Target, needed_steps, violations
from sim.experiments.votes import VoteEvidence
from sim.io.scenario import Scenario

#: Most runs advanced in one ensemble batch.
BATCH_RUNS = 4000


@dataclass(frozen=True)
class Prior:
    """Independent uniform priors on the free parameters.

    Attributes:
        names: the parameters, in order.
        low, high: each one's interval, [D].
        width: the intervals' width relative to the registry's ranges about the defaults
            (1 = the registry's ranges).
    """

    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    width: float = 1.0

    @classmethod
    def about_defaults(cls, names: Sequence[str], width: float = 1.0) -> Prior:
        """The registry's ranges, or (`width` ≠ 1) each side of the default scaled by
        `width` and clipped to the parameter's limits (`sim.core.params.Parameter.limits`).
        """
        low, high = [], []
        for name in names:
            p = REGISTRY[name]
            low.append(max(p.limits[0], p.default - width * (p.default - p.low)))
            high.append(min(p.limits[1], p.default + width * (p.high - p.default)))
        return cls(tuple(names), np.array(low), np.array(high), width)

    def draw(self, count: int, seed: int) -> np.ndarray:
        """`count` vectors [count, D], a Latin hypercube over the intervals."""
        if not self.names:
            return np.zeros((count, 0))
        unit = qmc.LatinHypercube(d=len(self.names), rng=np.random.default_rng(seed)).random(count)
        return np.asarray(qmc.scale(unit, self.low, self.high))

    @property
    def span(self) -> np.ndarray:
        """Each interval's width, [D]."""
        return np.asarray(self.high - self.low)


@dataclass(frozen=True)
class Bank:
    """Prior-predictive runs, one per parameter vector.

    Attributes:
        prior: the prior drawn from.
        theta: the vectors, [M, D].
        gap: per run and target, lhs − rhs oriented to the claim (> 0 in its direction), [M, T].
        margin: each target's margin, [T]; weight: its weight, normalised, [T].
        votes: per run, the log-likelihood of the vote counts (None without them), [M].
        seeds: each run's seed, [M]; seconds: wall time of the runs.
    """

    prior: Prior
    theta: np.ndarray
    gap: np.ndarray
    margin: np.ndarray
    weight: np.ndarray
    votes: np.ndarray | None
    seeds: np.ndarray
    seconds: float

    @property
    def size(self) -> int:
        """The number of runs."""
        return len(self.theta)

    def violation(self, direction: np.ndarray | None = None) -> np.ndarray:
        """Each target's hinge violation in each run, [M, T], for the observed claims or
        for `direction` (+1 the claim's direction, −1 the opposite, per target)."""
        gap = self.gap if direction is None else self.gap * direction
        violation: np.ndarray = np.maximum(0.0, self.margin - gap)
        return violation

    def distance(
        self, direction: np.ndarray | None = None, mask: np.ndarray | None = None
    ) -> np.ndarray:
        """The weighted mean violation of each run, [M], over the targets in `mask` (all by
        default), with their weights renormalised."""
        weight = self.weight if mask is None else np.where(mask, self.weight, 0.0)
        if weight.sum() <= 0:
            return np.zeros(self.size)
        distance: np.ndarray = self.violation(direction) @ (weight / weight.sum())
        return distance

    def directions(self, member: int) -> np.ndarray:
        """A member's own claim directions, [T]: a synthetic observation."""
        return np.where(self.gap[member] >= 0, 1.0, -1.0)


def simulate_bank(
    scenario: Scenario,
    targets: Sequence[Target],
    prior: Prior,
    draws: int,
    seed: int,
    votes: VoteEvidence | None = None,
    progress: Callable[[int], None] | None = None,
) -> Bank:
    """Run `draws` prior vectors once each and score every target (module docstring).

    Args:
        scenario: the scenario, with its variant (`Scenario.with_model`).
        targets: the targets scored.
        prior: the free parameters' prior; each must be free in the scenario's variant.
        seed: seeds the prior design and the runs.
        votes: the vote counts and measurement model, when the evidence includes them.
        progress: called after each batch with its number of runs.

    Raises:
        InputError: fewer than 2 draws.
    """
    if draws < 2:
        raise InputError(f"--draws {draws}: an inference needs at least 2 prior draws")
    began = time.perf_counter()
    theta = prior.draw(draws, seed)
    seeds = np.array(spawn_seeds(seed, draws, np.uint64), dtype=np.uint64)
    steps = needed_steps(targets, scenario.dates)
    vote_steps = [] if votes is None else votes.steps(scenario.dates)
    kept = sorted(set(steps) | set(vote_steps))
    gaps, logliks = [], []
    for i in range(0, draws, BATCH_RUNS):
        rows = slice(i, min(i + BATCH_RUNS, draws))
        varied = [dict(zip(prior.names, map(float, v), strict=True)) for v in theta[rows]]
        engine = Ensemble(scenario, [int(s) for s in seeds[rows]], varied, record_actions=False)
        history = engine.run(kept)
        at = [kept.index(k) for k in steps]
        gaps.append(oriented_gaps(targets, history[:, at], steps, scenario, engine))
        if votes is not None:
            at_votes = [kept.index(k) for k in vote_steps]
            logliks.append(votes.loglik(history[:, at_votes], scenario.dates[vote_steps]))
        if progress:
            progress(rows.stop - rows.start)
    weight = np.array([t.spec.weight for t in targets], dtype=float)
    return Bank(
        prior=prior,
        theta=theta,
        gap=np.concatenate(gaps),
        margin=np.array([t.spec.margin for t in targets]),
        weight=weight / weight.sum(),
        votes=None if votes is None else np.concatenate(logliks),
        seeds=seeds,
        seconds=time.perf_counter() - began,
    )


def oriented_gaps(
    targets: Sequence[Target],
    history: np.ndarray,
    steps: Sequence[int],
    scenario: Scenario,
    engine: Ensemble,
) -> np.ndarray:
    """lhs − rhs of every target in every run, positive in the claim's direction, [R, T]."""
    gamma = engine.params["share_exponent"]
    _, lhs, rhs = violations(targets, history, steps, scenario.dates, scenario.capability, gamma)
    sign = np.array([1.0 if t.spec.comparison == ">" else -1.0 for t in targets])
    gap: np.ndarray = (lhs - rhs) * sign
    return gap
