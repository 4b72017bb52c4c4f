"""The record of one run: its scenario, seed, alignment and baseline at every date, actions.

Both drivers produce it (the Mesa model for one run, the ensemble for each of many), and a
run's tables are made from it (`sim.engine.results`); it imports neither Mesa nor plots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.phases import Action
from sim.io.scenario import Scenario


@dataclass(frozen=True)
class Trajectory:
    """The record of one run.

    Attributes:
        scenario: the scenario run (with its final parameters).
        seed: the run's seed.
        alignment: alignment at every date of the grid, [K + 1, N, N].
        baseline: baseline at every date, [K + 1, N, N].
        actions: agent-initiated actions.
    """

    scenario: Scenario
    seed: int
    alignment: np.ndarray
    baseline: np.ndarray
    actions: tuple[Action, ...]

    @property
    def spinup_shift(self) -> np.ndarray:
        """How far the spin-up moved the hand-set initial alignment, [N, N]."""
        return self.alignment[0] - self.scenario.alignment
