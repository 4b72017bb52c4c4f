"""R runs of a scenario on its calendar, and the one step both drivers take (ODD.md §3).

`Runs` holds what a step works on: the runs' state (`sim.core.dynamics.State`), their random
streams, their place on the calendar and the actions their agents took. `step` advances
them by one step, phase by phase, in the order of ODD.md §3. How the agents decide is the
one thing a driver brings: the ensemble decides for all agents of all runs at once with the
batched policy (`sim.engine.ensemble`), the Mesa model asks its agents
(`sim.engine.model`). The order of the phases is written here only, so the two drivers
cannot drift apart.
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
    partner_sizes,
    rates,
    spin_up,
)
from sim.core.policy import NONE, apply_actions
from sim.core.streams import Streams
from sim.core.variants import variant
from sim.io.scenario import Scenario

#: How the agents decide, given the step's length in days and its uniforms [R, 2, N]:
#: (target, kind), each [R, N] (`sim.core.policy.decide`).
Decide = Callable[[float, np.ndarray], tuple[np.ndarray, np.ndarray]]


def parameter_arrays(
    scenario: Scenario, runs: int, varied: Sequence[Mapping[str, float]] | None = None
) -> dict[str, np.ndarray]:
    """Parameter arrays [R]: the scenario's values, with per-run values where given.

    Raises:
        InputError: a per-run value for a parameter the scenario's variant fixes at 0, so
            that no sweep, fit or adapter can switch a mechanism back on (ODD.md §7.14).
    """
    arrays = {name: np.full(runs, value) for name, value in scenario.parameters.items()}
    free = variant(scenario.model)
    for r, values in enumerate(varied or ()):
        free.check_free([n for n, v in values.items() if v != 0], "parameter")
        for name, value in values.items():
            arrays[name][r] = value
    return arrays


@dataclass(frozen=True)
class Actors:
    """Actor attributes as arrays: capability [N]; per run and actor [R, N]: partner size
    ``c_j^γ`` (`sim.core.dynamics.partner_sizes`), hedging and tolerance."""

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
    size = partner_sizes(scenario.capability, params["share_exponent"])
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
    return State(A, A.copy(), actors.size, params, scenario.capability)


@dataclass(frozen=True)
class Action:
    """An action an agent initiated: run, step index, source, target and kind."""

    run: int
    step: int
    source: int
    target: int
    kind: int


class Runs:
    """R runs of a scenario, at one step of its calendar.

    Args:
        scenario: the scenario.
        seeds: one seed per run.
        varied: optional per-run parameter values over the scenario's (one mapping per run).
        record_actions: keep every agent action (the Mesa path and single runs); batches that
            need only their number (sweeps, calibration) leave it off.

    Attributes:
        params: parameter arrays [R]; actors: the actors' attribute arrays.
        state: the current state; its arrays change in place, step by step.
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

    def days(self, k: int) -> float:
        """Length of step k in days."""
        return float((self.scenario.dates[k] - self.scenario.dates[k - 1]).astype(int))

    def rates_for(self, days: float) -> Rates:
        """The continuous terms' coefficients for a step of `days` (formed once per length)."""
        if days not in self.rates:
            a = self.actors
            self.rates[days] = rates(self.params, a.size, a.hedging, days)
        return self.rates[days]

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


def step(runs: Runs, decide: Decide) -> None:
    """Advance every run by one step, in the order of ODD.md §3.

    1. the scripted events of the step, in (date, id) order;
    2. the step's draws: normals for the noise and, once agents may act, uniforms;
    3. all agents decide at once, on the same state (`decide`);
    4. their actions are applied, in agent order within each run;
    5. the continuous terms: relaxation, balance and hedging, noise.
    """
    k = runs.k + 1
    days = runs.days(k)
    apply_scripted(runs.state, runs.scenario.schedule, k)
    normals, uniforms = runs.streams.draws(k)
    if uniforms is not None:
        target, kind = decide(days, uniforms)
        runs.log(k, target, kind)
        apply_actions(runs.state, target, kind)
    advance(runs.state, runs.rates_for(days), normals, runs.scratch)
    runs.k = k
