"""Mesa agents: one `StateAgent` per actor, deciding with the shared policy.

Each agent holds its row of the alignment matrix (a view into the model's state, so it is
always current), its attributes, and its own decision: when its dependence on one patron
passes its tolerance it courts alternatives; otherwise it counterbalances a threat or
reinforces its top partner (`sim.core.policy`, where the rule's sources are cited). The Mesa
path and the ensemble call the same pure function, so one agent decides exactly as the
batched policy decides for it.
"""

from __future__ import annotations

import itertools
import weakref
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core.policy import NONE, decide
from sim.io.scenario import Actor

if TYPE_CHECKING:
    from sim.engine.model import AlignmentModel


class CountersByModel(weakref.WeakKeyDictionary[object, "itertools.count[int]"]):
    """Each model's agent-id counter, held only while the model lives.

    Mesa 3.3 keeps `Agent._ids` as a plain `defaultdict` keyed by model, so every model
    ever built stays in memory (a teaching page that is opened and closed leaks one model
    each time); this mapping lets a finished model go.
    """

    def __getitem__(self, model: object) -> itertools.count[int]:
        if model not in self:
            self[model] = itertools.count(1)
        counter: itertools.count[int] = super().__getitem__(model)
        return counter


class StateAgent(mesa.Agent):
    """A state with an alignment row and a hedging policy.

    Args:
        model: the model the agent belongs to.
        actor: the actor's attributes.
        index: the actor's row and column in the alignment matrix.

    Attributes:
        actor: attributes (id, name, capability, hedging, tolerance, tags).
        index: row in the alignment matrix.
        alignment: view of the agent's row: its stance toward every actor.
        intent: (target index, action kind) decided this step; (−1, NONE) when idle.
    """

    model: AlignmentModel
    _ids = CountersByModel()

    def __init__(self, model: AlignmentModel, actor: Actor, index: int) -> None:
        super().__init__(model)
        self.actor = actor
        self.index = index
        self.alignment = model.engine.alignment[0, index]
        self.intent: tuple[int, int] = (-1, NONE)

    def decide(self) -> None:
        """Choose this step's action from the current state and this agent's own draws."""
        engine, me = self.model.engine, np.array([self.index])
        target, kind = decide(
            engine.state,
            me,
            engine.actors.tolerance,
            self.model.days,
            self.model.uniforms[:, :, me],
        )
        self.intent = (int(target[0, 0]), int(kind[0, 0]))

    @property
    def hedging_index(self) -> float:
        """This agent's current hedging index (see `sim.core.metrics.hedging_index`)."""
        return self.model.current_metrics["hedging_index"][self.index]

    @property
    def dependence(self) -> float:
        """This agent's current largest partner share."""
        return self.model.current_metrics["dependence"][self.index]
