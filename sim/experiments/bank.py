"""A bank of prior-predictive simulations: the one set of runs every inference reuses.

Parameter vectors are drawn from the prior (uniform over each free parameter's interval, a
scrambled Sobol' sequence from `scipy.stats.qmc`, whose every prefix of 2^k points is
balanced, so a bank can grow batch by batch), each run once with its own seed, and every
target is scored in every run. The bank keeps each target's *gap* (lhs − rhs, oriented so
that a positive gap is the claim's direction), so the same runs serve the observed claims
and any synthetic observation, which simulation-based calibration and the model-choice
check need (ODD.md §7.16). When the evidence includes the UN votes, each run's
log-likelihood of the 2018–2019 counts under the measurement model (ODD.md §7.15) is kept
too.

The runs go in batches of `BATCH_RUNS`, so memory stays bounded; a run depends only on its
seed and parameters, and both are fixed by the seed before any run, so a bank of a given
size does not depend on how it is batched (a bank grown to an effective sample size stops
at a whole number of batches).
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from sim.core.errors import InputError
from sim.core.params import CALIBRATED, REGISTRY
from sim.core.streams import spawn_seeds, substream
from sim.engine.ensemble import Ensemble
from sim.experiments.abc import Claims, claims_of
from sim.experiments.targets import Target, needed_steps, violations
from sim.experiments.votes import VoteEvidence
from sim.io.scenario import Scenario

#: Runs advanced in one ensemble batch (a power of 2, for the Sobol' design's balance).
BATCH_RUNS = 4096
#: Child streams of an inference's seed, apart from its run seeds (`substream`): the prior
#: design's scrambling, the reference bank, the members and reports of SBC and recovery,
#: and the draws a model comparison keeps of each variant's posterior.
DESIGN_STREAM, REFERENCE_STREAM, CHECK_STREAM, MODELS_STREAM = 1, 2, 3, 4


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

    def design(self, seed: int) -> Callable[[int], np.ndarray]:
        """A draw of the next `count` vectors [count, D] of one scrambled Sobol' sequence
        over the intervals (each call continues the sequence)."""
        if not self.names:
            return lambda count: np.zeros((count, 0))
        scramble = np.random.default_rng(substream(seed, DESIGN_STREAM))
        sobol = qmc.Sobol(d=len(self.names), scramble=True, rng=scramble)

        def draw(count: int) -> np.ndarray:
            with warnings.catch_warnings():  # a last, partial batch is not a power of 2
                warnings.filterwarnings("ignore", "The balance properties", UserWarning)
                return np.asarray(qmc.scale(sobol.random(count), self.low, self.high))

        return draw

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
        margin: each target's margin, [T].
        votes: per run, the log-likelihood of the vote counts (None without them), [M].
        seeds: each run's seed, [M]; seconds: wall time of the runs.
    """

    prior: Prior
    theta: np.ndarray
    gap: np.ndarray
    margin: np.ndarray
    votes: np.ndarray | None
    seeds: np.ndarray
    seconds: float

    @property
    def size(self) -> int:
        """The number of runs."""
        return len(self.theta)

    def violation(self) -> np.ndarray:
        """Each target's hinge violation in each run, [M, T] (0 where the claim holds)."""
        violation: np.ndarray = np.maximum(0.0, self.margin - self.gap)
        return violation


def simulate_bank(
    scenario: Scenario,
    targets: Sequence[Target],
    prior: Prior,
    draws: int,
    seed: int,
    votes: VoteEvidence | None = None,
    progress: Callable[[int], None] | None = None,
    enough: Callable[[np.ndarray, np.ndarray | None], bool] | None = None,
) -> Bank:
    """Run up to `draws` prior vectors once each and score every target (module docstring).

    Args:
        scenario: the scenario, with its variant (`Scenario.with_model`).
        targets: the targets scored.
        prior: the free parameters' prior; each must be free in the scenario's variant.
        draws: the most runs; seed: seeds the design and the runs.
        votes: the vote counts and measurement model, when the evidence includes them.
        progress: called after each batch with its number of runs.
        enough: called after each batch with its gaps and vote log-likelihoods (None
            without votes); the bank stops growing when it returns True.

    Raises:
        InputError: fewer than 2 draws.
    """
    if draws < 2:
        raise InputError(f"--draws {draws}: an inference needs at least 2 prior draws")
    began = time.perf_counter()
    design = prior.design(seed)
    seeds = np.array(spawn_seeds(seed, draws, np.uint64), dtype=np.uint64)
    steps = needed_steps(targets, scenario.dates)
    vote_steps = [] if votes is None else votes.steps(scenario.dates)
    kept = sorted(set(steps) | set(vote_steps))
    thetas, gaps, logliks = [], [], []
    for i in range(0, draws, BATCH_RUNS):
        count = min(BATCH_RUNS, draws - i)
        theta = design(count)
        varied = [dict(zip(prior.names, map(float, v), strict=True)) for v in theta]
        run_seeds = [int(s) for s in seeds[i : i + count]]
        engine = Ensemble(scenario, run_seeds, varied, record_actions=False)
        history = engine.run(kept)
        thetas.append(theta)
        gaps.append(
            oriented_gaps(targets, history[:, [kept.index(k) for k in steps]], steps, scenario)
        )
        if votes is not None:
            at_votes = [kept.index(k) for k in vote_steps]
            logliks.append(votes.loglik(history[:, at_votes], scenario.dates[vote_steps]))
        if progress:
            progress(count)
        if enough is not None and enough(gaps[-1], logliks[-1] if votes is not None else None):
            break
    size = sum(len(t) for t in thetas)
    return Bank(
        prior=prior,
        theta=np.concatenate(thetas),
        gap=np.concatenate(gaps),
        margin=np.array([t.spec.margin for t in targets]),
        votes=None if votes is None else np.concatenate(logliks),
        seeds=seeds[:size],
        seconds=time.perf_counter() - began,
    )


def fitted_scenario(scenario: Scenario, votes: VoteEvidence | None) -> Scenario:
    """The scenario a fit runs: with the votes' starting alignments when they are evidence."""
    if votes is None:
        return scenario
    return dataclasses.replace(scenario, alignment=votes.start(scenario.alignment))


def reference_claims(scenario: Scenario, targets: Sequence[Target], seed: int) -> Claims:
    """The documents' measurement model, its scales from one reference bank: `BATCH_RUNS`
    runs of the full model over the registry's ranges (`sim.experiments.abc.claims_of`)."""
    full = scenario.with_model("full")
    own = int(substream(seed, REFERENCE_STREAM).generate_state(1, np.uint64)[0] >> np.uint64(1))
    bank = simulate_bank(full, targets, Prior.about_defaults(CALIBRATED), BATCH_RUNS, own)
    weight = np.array([t.spec.weight for t in targets], dtype=float)
    return claims_of(bank.gap, bank.margin, weight)


def oriented_gaps(
    targets: Sequence[Target],
    history: np.ndarray,
    steps: Sequence[int],
    scenario: Scenario,
) -> np.ndarray:
    """lhs − rhs of every target in every run, positive in the claim's direction, [R, T]."""
    _, lhs, rhs = violations(targets, history, steps, scenario.dates, scenario.capability)
    sign = np.array([1.0 if t.spec.comparison == ">" else -1.0 for t in targets])
    gap: np.ndarray = (lhs - rhs) * sign
    return gap
