"""The Mesa model: one run of a scenario, step by step, inspectable.

`AlignmentModel` steps through the scenario's calendar with the step both drivers take
(`sim.engine.phases.step`, ODD.md §3): the scripted events of the step's interval, then
every `StateAgent` decides at once on the same state (``self.agents.do("decide", ...)``:
synchronous, and free of Mesa's stdlib-random shuffle), then the actions are applied in
agent order, then the continuous terms. The ensemble runs the same step with the batched
policy in place of the agents, so the two drivers give the same trajectory for the same
seed; the Mesa side adds real agents, a `DataCollector` (for Mesa's tools, such as
`mesa.batch_run`, and the teaching page) and the run's full history.

Built as Mesa users build a model: ``AlignmentModel("scenarios/baseline.yaml", rng=7,
decay=0.02)``; its keyword parameters are the registry's (`alignsim params`).
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping

import mesa
import numpy as np

from sim.core import metrics
from sim.core.errors import InputError, excerpt
from sim.engine import phases
from sim.engine.agents import StateAgent
from sim.engine.trajectory import Trajectory
from sim.io.scenario import Actor, Scenario, scenario_of

#: Where the model's errors say they come from.
ORIGIN = "AlignmentModel"


def seed_of(rng: object, scenario: Scenario) -> int:
    """The run's seed: `rng` as a whole number ≥ 0, or the scenario's seed when None.

    Raises:
        InputError: anything else (a generator or a float cannot seed the run's streams).
    """
    if rng is None:
        return scenario.seed
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and int(rng) >= 0:
        return int(rng)
    raise InputError(
        f"{ORIGIN}: rng = {excerpt(rng)} is not a seed; use a whole number ≥ 0 or None"
    )


def read_only(array: np.ndarray) -> np.ndarray:
    """A view of `array` that cannot be written through."""
    view = array.view()
    view.flags.writeable = False
    return view


class AlignmentModel(mesa.Model):
    """A Mesa model of alignment and hedging among the actors of a scenario.

    Args:
        spec: a scenario file's path, or a loaded scenario.
        rng: the run's seed, a whole number ≥ 0 (the scenario's seed when None); Mesa's own
            generators are seeded with it too.
        parameters: parameter values over the scenario's, by the registry's names
            (`alignsim params`), checked as ``--set`` checks them.

    Raises:
        InputError: an invalid scenario, seed, parameter name or value, in one line.

    Attributes:
        datacollector: Mesa's collector of model reporters (date, focal_hedging_index,
            frustration) and agent reporters (hedging_index, dependence).

    The other public attributes are read-only properties: `spec`, `run_seed`, `actors`,
    `parameters`, `dates`, `date_index`, `date`, `alignment`, `history`, `actions`.
    """

    def __init__(
        self,
        spec: Scenario | str | os.PathLike[str],
        *,
        rng: int | None = None,
        **parameters: float,
    ) -> None:
        scenario = scenario_of(spec, parameters, ORIGIN)
        run_seed = seed_of(rng, scenario)
        super().__init__(rng=run_seed)
        self._spec = scenario
        self._run_seed = run_seed
        self._runs = phases.Runs(self._spec, [run_seed])
        self._patrons = metrics.patron_weights(self._spec.capability)
        shape = (len(self._spec.dates), *self._spec.alignment.shape)
        self._history = np.full(shape, np.nan)
        self._baseline_history = np.full(shape, np.nan)
        self._focal = self._add_agents()[self._spec.focal_index]
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "date": "date_text",
                "focal_hedging_index": "focal_hedging_index",
                "frustration": "frustration",
            },
            agent_reporters={"hedging_index": "hedging_index", "dependence": "dependence"},
        )
        self._record()

    def _add_agents(self) -> list[StateAgent]:
        """One agent per actor, in actor order, holding the run's state and its tolerance."""
        state, tolerance = self._runs.state, self._runs.actors.tolerance[0]
        return [
            StateAgent(self, actor, i, state, float(tolerance[i]))
            for i, actor in enumerate(self._spec.actors)
        ]

    @property
    def spec(self) -> Scenario:
        """The scenario run, with the model's parameters."""
        return self._spec

    @property
    def run_seed(self) -> int:
        """The run's seed."""
        return self._run_seed

    @property
    def actors(self) -> tuple[Actor, ...]:
        """The actors, in the order of the alignment matrix's rows."""
        return self.spec.actors

    @property
    def parameters(self) -> dict[str, float]:
        """The run's parameter values, by name."""
        return dict(self.spec.parameters)

    @property
    def dates(self) -> np.ndarray:
        """The calendar: the date of every state from the start (index 0) to the end."""
        return self.spec.dates

    @property
    def date_index(self) -> int:
        """Index of the current state's date in `dates` (0 at the start)."""
        return self._runs.k

    @property
    def date(self) -> np.datetime64:
        """The date of the current state."""
        return self.dates[self.date_index]

    @property
    def date_text(self) -> str:
        """The current date as ISO text."""
        return str(self.date)

    @property
    def alignment(self) -> np.ndarray:
        """The alignment matrix now, [N, N] (row actor toward column actor; read-only)."""
        return read_only(self._runs.state.alignment[0])

    @property
    def history(self) -> np.ndarray:
        """The alignment at every date so far, [date_index + 1, N, N] (read-only)."""
        return read_only(self._history[: self.date_index + 1])

    @property
    def actions(self) -> tuple[phases.Action, ...]:
        """The agents' actions so far, in the order they were applied."""
        return tuple(self._runs.actions)

    @property
    def focal_hedging_index(self) -> float:
        """Hedging index of the scenario's focal actor."""
        return self._focal.hedging_index

    @property
    def frustration(self) -> float:
        """Share of unbalanced triads now."""
        return float(metrics.frustration(self._runs.state.alignment[0]))

    def step(self) -> None:
        """Advance one step of the calendar (`sim.engine.phases.step`), then record it.

        At the end of the calendar a step does nothing (`running` is already False): Mesa's
        controls may ask for more steps than are left.
        """
        if self.date_index >= len(self.dates) - 1:
            self.running = False
            return
        phases.step(self._runs, self._agents_decide)
        self._record()
        self.running = self.date_index < len(self.dates) - 1

    def _agents_decide(self, days: float, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every agent decides on the same state, with its own draws; their intents as
        (target, kind), each [1, N]."""
        self.agents.do("decide", days, uniforms[0])
        intents = dict(self.agents.get(["index", "intent"]))
        target, kind = np.array([intents[i] for i in range(len(intents))]).T
        return target[None], kind[None]

    def _record(self) -> None:
        """Store the state of the current date, update the agents' portfolio measures and
        collect Mesa's reporters."""
        k, state = self.date_index, self._runs.state
        self._history[k] = state.alignment[0]
        self._baseline_history[k] = state.baseline[0]
        A = state.alignment[0]
        hedging = metrics.balance_of(A, self._patrons)
        dependence = metrics.dependence(metrics.shares_of(A))
        for agent in self.agents:
            agent.hedging_index = float(hedging[agent.index])
            agent.dependence = float(dependence[agent.index])
        self.datacollector.collect(self)

    def trajectory(self) -> Trajectory:
        """The record of the run so far (complete once `running` is False)."""
        return Trajectory(
            scenario=self.spec,
            seed=self.run_seed,
            alignment=self._history.copy(),
            baseline=self._baseline_history.copy(),
            actions=self.actions,
        )


def run_model(
    scenario: Scenario, seed: int | None = None, parameters: Mapping[str, float] | None = None
) -> Trajectory:
    """Run a scenario to its end date through the Mesa model and return its trajectory."""
    model = AlignmentModel(scenario, rng=seed, **(parameters or {}))
    while model.running:
        model.step()
    return model.trajectory()
