"""The Mesa model: one run of a scenario, step by step, inspectable.

`AlignmentModel` steps through the scenario's calendar. In each step the scripted events
of the step's interval are applied, then every `StateAgent` decides at once on the same
state (``self.agents.do("decide")``: synchronous, and free of Mesa's stdlib-random
shuffle) and the actions are applied in agent order, then the continuous terms advance.
The state and the stepping routine are the ensemble engine's with one run, so the two
drivers give the same trajectory for the same seed; the Mesa side adds real agents, a
`DataCollector` (for Mesa's tools and the teaching page) and the run's full history.
"""

from __future__ import annotations

from collections.abc import Mapping

import mesa
import numpy as np

from sim.core import metrics
from sim.core.dynamics import sized_shares
from sim.engine.agents import StateAgent
from sim.engine.ensemble import Ensemble
from sim.engine.trajectory import Trajectory
from sim.io.scenario import Scenario


class AlignmentModel(mesa.Model):
    """A Mesa model of alignment and hedging among the actors of a scenario.

    Args:
        scenario: the validated scenario.
        seed: the run's seed (the scenario's seed when None).
        parameters: parameter values over the scenario's, if any.

    Attributes:
        scenario: the scenario.
        engine: the run's state and stepping routine (an `Ensemble` of one run).
        states: the agents, in actor order.
        history, baseline_history: alignment and baseline at every date so far.
        datacollector: Mesa's collector of model and agent reporters.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        parameters: Mapping[str, float] | None = None,
    ) -> None:
        run_seed = scenario.seed if seed is None else int(seed)
        super().__init__(seed=run_seed)
        self.scenario = scenario
        self.run_seed = run_seed
        self.engine = Ensemble(scenario, [run_seed], [parameters] if parameters else None)
        shape = (self.engine.steps + 1, *scenario.alignment.shape)
        self.history = np.full(shape, np.nan)
        self.baseline_history = np.full(shape, np.nan)
        self.states = [StateAgent(self, actor, i) for i, actor in enumerate(scenario.actors)]
        self.days = 0.0
        self.uniforms = np.empty((1, 2, len(scenario.actors)))
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "date": "date_text",
                "focal_hedging_index": "focal_hedging_index",
                "frustration": "frustration",
            },
            agent_reporters={"hedging_index": "hedging_index", "dependence": "dependence"},
        )
        self.record()

    @property
    def date(self) -> np.datetime64:
        """The date of the current state."""
        return self.scenario.dates[self.engine.k]

    @property
    def date_text(self) -> str:
        """The current date as ISO text."""
        return str(self.date)

    @property
    def focal_hedging_index(self) -> float:
        """Hedging index of the scenario's focal actor."""
        return self.current_metrics["hedging_index"][self.scenario.focal_index]

    @property
    def frustration(self) -> float:
        """Share of unbalanced triads now."""
        return float(metrics.frustration(self.engine.alignment[0]))

    def step(self) -> None:
        """Advance one step of the calendar (see the module docstring for the order).

        At the end of the calendar a step does nothing (`running` is already False): Mesa's
        controls may ask for more steps than are left.
        """
        if self.engine.k >= self.engine.steps:
            self.running = False
            return
        self.engine.step(self.agents_decide)
        self.record()
        self.running = self.engine.k < self.engine.steps

    def agents_decide(self, days: float, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every agent decides on the same state; return the decisions as [1, N] arrays."""
        self.days, self.uniforms = days, uniforms
        self.agents.do("decide")
        target = np.array([[agent.intent[0] for agent in self.states]])
        kind = np.array([[agent.intent[1] for agent in self.states]])
        return target, kind

    def record(self) -> None:
        """Store the state of the current date and collect Mesa's reporters."""
        k = self.engine.k
        self.history[k] = self.engine.alignment[0]
        self.baseline_history[k] = self.engine.baseline[0]
        shares = sized_shares(self.engine.alignment[0], self.engine.actors.size[0])
        self.current_metrics = {
            "hedging_index": metrics.hedging_index(shares).tolist(),
            "dependence": metrics.dependence(shares).tolist(),
        }
        self.datacollector.collect(self)

    def trajectory(self) -> Trajectory:
        """The record of the run so far (complete once `running` is False)."""
        params = {k: float(v[0]) for k, v in self.engine.params.items()}
        varied = {k: v for k, v in params.items() if v != self.scenario.parameters[k]}
        return Trajectory(
            scenario=self.scenario.with_parameters(varied, "run") if varied else self.scenario,
            seed=self.run_seed,
            alignment=self.history.copy(),
            baseline=self.baseline_history.copy(),
            actions=tuple(self.engine.actions),
        )


def run_model(
    scenario: Scenario, seed: int | None = None, parameters: Mapping[str, float] | None = None
) -> Trajectory:
    """Run a scenario to its end date through the Mesa model and return its trajectory."""
    model = AlignmentModel(scenario, seed, parameters)
    while model.running:
        model.step()
    return model.trajectory()
