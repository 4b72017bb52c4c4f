"""The ensemble engine: R runs of one scenario advanced at once, as arrays.

The same kernels as the Mesa model (`sim.core.dynamics`, `sim.core.policy`) with a leading run axis:
one call advances every run. Each run has its own parameters and seed, and its result
depends only on (scenario, parameters, seed), never on which runs share its batch. The
Mesa model (`sim.engine.model`) builds its state with the functions here, so both drivers start
from the same spun-up state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sim.core.dynamics import (
    Params,
    Rates,
    Scratch,
    State,
    advance,
    apply_scripted,
    portfolio_sizes,
    rates,
    spin_up,
)
from sim.core.policy import NONE, apply_actions, decide
from sim.core.streams import Streams
from sim.io.scenario import Scenario

Deciders = Callable[[float, np.ndarray], tuple[np.ndarray, np.ndarray]]


def parameter_arrays(
    scenario: Scenario, runs: int, varied: Sequence[Mapping[str, float]] | None = None
) -> dict[str, np.ndarray]:
    """Parameter arrays [R]: the scenario's values, with per-run values where given."""
    arrays = {name: np.full(runs, value) for name, value in scenario.parameters.items()}
    for r, values in enumerate(varied or ()):
        for name, value in values.items():
            arrays[name][r] = value
    return arrays


@dataclass(frozen=True)
class Actors:
    """Actor attributes as arrays: capability [N]; per run and actor [R, N]: portfolio size
    ``c_j^γ`` (`sim.core.dynamics.portfolio_sizes`), hedging and tolerance."""

    capability: np.ndarray
    size: np.ndarray
    hedging: np.ndarray
    tolerance: np.ndarray


def actor_arrays(scenario: Scenario, params: Params) -> Actors:
    """Actor attribute arrays for a batch with the given parameters."""
    runs = len(params["tolerance"])
    own = scenario.tolerance(np.nan)
    tolerance = np.where(np.isnan(own)[None, :], params["tolerance"][:, None], own[None, :])
    hedging = np.broadcast_to(scenario.hedging, (runs, len(scenario.actors))).copy()
    size = portfolio_sizes(scenario.capability, params["share_exponent"])
    return Actors(scenario.capability, size, hedging, tolerance)


def initial_state(scenario: Scenario, params: Params, actors: Actors) -> State:
    """The runs' state at the start date, after the spin-up (the baseline is a copy of it).

    The spin-up is deterministic, so runs that share their parameters (replicates) share it:
    it is computed once per distinct parameter vector and copied.
    """
    names = sorted(params)
    keys = np.column_stack([params[n] for n in names] + [actors.hedging])
    distinct, first, which = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    start = np.broadcast_to(scenario.alignment, (len(distinct), *scenario.alignment.shape))
    settled = spin_up(
        start.copy(),
        actors.size[first],
        actors.hedging[first],
        {n: params[n][first] for n in names},
    )
    A = settled[which.ravel()]
    return State(A, A.copy(), actors.size, params)


@dataclass(frozen=True)
class Action:
    """An action an agent initiated: run, step index, source, target and kind."""

    run: int
    step: int
    source: int
    target: int
    kind: int


class Ensemble:
    """R runs of a scenario, advanced together step by step.

    Args:
        scenario: the scenario.
        seeds: one seed per run.
        varied: optional per-run parameter values over the scenario's (one mapping per run).
        record_actions: keep every agent action (the Mesa path and single runs); batches that
            need only their number (sweeps, calibration) leave it off.

    Attributes:
        state: the current state; its arrays change in place, step by step.
        alignment, baseline: its arrays [R, N, N].
        k: index of the last completed step (0 before the first).
        actions: agent-initiated actions so far (when recorded).
        action_count: number of agent actions per run so far.
    """

    def __init__(
        self,
        scenario: Scenario,
        seeds: Sequence[int],
        varied: Sequence[Mapping[str, float]] | None = None,
        record_actions: bool = True,
    ) -> None:
        self.scenario = scenario
        self.params = parameter_arrays(scenario, len(seeds), varied)
        self.actors = actor_arrays(scenario, self.params)
        self.state = initial_state(scenario, self.params, self.actors)
        self.streams = Streams(
            seeds, len(scenario.actors), len(scenario.dates) - 1, scenario.agents_start_step
        )
        self.every_agent = np.arange(len(scenario.actors))
        self.rates: dict[float, Rates] = {}
        self.scratch = Scratch.like(self.state.alignment)
        self.k = 0
        self.record_actions = record_actions
        self.actions: list[Action] = []
        self.action_count = np.zeros(len(seeds), dtype=np.int64)

    @property
    def alignment(self) -> np.ndarray:
        """Current alignment [R, N, N]."""
        return self.state.alignment

    @property
    def baseline(self) -> np.ndarray:
        """Current baseline [R, N, N]."""
        return self.state.baseline

    @property
    def steps(self) -> int:
        """Number of steps K of the run."""
        return len(self.scenario.dates) - 1

    def rates_for(self, days: float) -> Rates:
        """The continuous terms' coefficients for a step of `days` (formed once per length)."""
        if days not in self.rates:
            a = self.actors
            self.rates[days] = rates(self.params, a.size, a.hedging, days)
        return self.rates[days]

    def decide_all(self, days: float, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every agent of every run decides at once, on the same state (`policy.decide`)."""
        return decide(self.state, self.every_agent, self.actors.tolerance, days, uniforms)

    def step(self, deciders: Deciders | None = None) -> None:
        """Advance every run by one step: scripted events, agents' actions, continuous terms.

        ODD.md §3, the order of one step: scripted events in (date, id) order; then all
        agents decide at once on the same state and their actions are applied; then the
        continuous terms.

        Args:
            deciders: how the agents decide, given the step's length and uniforms [R, 2, N];
                the batched policy by default (the Mesa model passes its agents instead).
        """
        k = self.k + 1
        days = float((self.scenario.dates[k] - self.scenario.dates[k - 1]).astype(int))
        apply_scripted(self.state, self.scenario.schedule, k)
        normals, uniforms = self.streams.draws(k)
        if uniforms is not None:
            target, kind = (deciders or self.decide_all)(days, uniforms)
            self.log(k, target, kind)
            apply_actions(self.state, target, kind)
        advance(self.state, self.rates_for(days), normals, self.scratch)
        self.k = k

    def log(self, k: int, target: np.ndarray, kind: np.ndarray) -> None:
        """Record the actions taken in step k (only counted unless `record_actions`)."""
        acted = kind != NONE
        self.action_count += acted.sum(axis=1)
        if not self.record_actions:
            return
        for run, source in zip(*np.nonzero(acted), strict=True):
            self.actions.append(
                Action(int(run), k, int(source), int(target[run, source]), int(kind[run, source]))
            )

    def run(self, keep: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Run to the last kept step; return the alignment at the kept steps.

        Args:
            keep: step indices to keep (0 = the start); every step when None.

        Returns:
            Alignment history [R, len(keep), N, N] (all K + 1 steps when `keep` is None).
        """
        kept = np.arange(self.steps + 1) if keep is None else np.asarray(keep, dtype=int)
        slot = {int(k): i for i, k in enumerate(kept)}
        history = np.empty((len(self.alignment), len(kept), *self.alignment.shape[1:]))
        if 0 in slot:
            history[:, slot[0]] = self.alignment
        while self.k < max(slot):
            self.step()
            if self.k in slot:
                history[:, slot[self.k]] = self.alignment
        return history
