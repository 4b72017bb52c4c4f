"""Mesa agents: one `StateAgent` per actor, deciding for itself with the shared policy.

Each agent holds what it decides with: the run's state (`sim.core.dynamics.State`, whose
arrays the model's kernels change in place, so it is always current), its index and its
tolerance; the step hands it its two draws. When its dependence on one patron passes its
tolerance it courts alternatives; otherwise it counterbalances a threat or reinforces its
top partner (`sim.core.policy`, where the rule's sources are cited). An agent calls
`policy.decide_agent`, which computes what the ensemble's batched `policy.decide` gives
that agent, so one agent decides exactly as the batched policy decides for it.
"""

from __future__ import annotations

import itertools
import weakref
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core.dynamics import State
from sim.core.policy import NONE, decide_agent
from sim.io.scenario import Actor

if TYPE_CHECKING:
    from sim.engine.model import AlignmentModel


class CountersByModel(weakref.WeakKeyDictionary[object, "itertools.count[int]"]):
    """Each model's agent-id counter, held only while the model lives.

    Mesa 3.3 keeps `Agent._ids` as a plain `defaultdict` keyed by model, so every model
    ever built stays in memory (a teaching page that is opened and closed leaks one model
    each time); this mapping lets a finished model go. Mesa 3.4 and later count on the
    model itself and no longer read `Agent._ids`.
    """

    def __getitem__(self, model: object) -> itertools.count[int]:
        if model not in self:
            self[model] = itertools.count(1)
        counter: itertools.count[int] = super().__getitem__(model)
        return counter


class StateAgent(mesa.Agent):
    """A state with a hedging policy.

    Args:
        model: the model the agent belongs to.
        actor: the actor's attributes.
        index: the actor's row and column in the alignment matrix.
        state: the run's state (one run), which the agent reads and never changes.
        tolerance: the dependence above which the agent courts alternatives.

    Attributes:
        actor, index, state, tolerance: as given.
        intent: (target index, action kind) decided this step; (−1, NONE) when idle.
        hedging_index, dependence: the agent's hedging index and largest partner share at
            the current date (`sim.core.metrics`), set by the model as it records a date.
    """

    model: AlignmentModel
    _ids = CountersByModel()

    def __init__(
        self, model: AlignmentModel, actor: Actor, index: int, state: State, tolerance: float
    ) -> None:
        super().__init__(model)
        self.actor = actor
        self.index = index
        self.state = state
        self.tolerance = tolerance
        self.intent: tuple[int, int] = (-1, NONE)
        self.hedging_index = float("nan")
        self.dependence = float("nan")

    def decide(self, days: float, draws: np.ndarray) -> None:
        """Choose this step's action on the current state.

        Args:
            days: the step's length.
            draws: the step's uniforms of every agent, [2, N]; this agent's are its column.
        """
        own = draws[:, self.index]
        self.intent = decide_agent(self.state, self.index, self.tolerance, days, own)
